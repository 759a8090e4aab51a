// The MySQLDatabase operator against a real MariaDB server on loopback: what it creates,
// that it converges, rotates and drops only what its ledger records. Hostile input is in
// mysql.hostile.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventsFor, eventually, runOperator, type RunningOperator } from "capstan/testing";
import {
  condition,
  createDb,
  credentials,
  databases,
  failedWith,
  ref,
  SECRET,
  startFixture,
  type Fixture,
} from "./fixture.js";
import operator from "./operator.js";

let f: Fixture;
let op: RunningOperator;
let ns: string;
const create = (name: string, spec: Record<string, unknown> = {}) =>
  createDb(f.kube, ns, name, spec);
const creds = (name: string) => credentials(f.kube, ns, name);
const ledger = async () =>
  (await f.sql("SELECT resource, owner FROM capstan_ownership.resources")).map((r) => ({
    resource: String(r.resource),
    owner: String(r.owner),
  }));

before(async () => {
  f = await startFixture(1);
  ns = f.namespaces[0]!;
  const secret = (name: string, data: Record<string, string>) =>
    f.kube.create({ ...SECRET, metadata: { name, namespace: ns }, stringData: data });
  const at = { host: f.server.host, port: String(f.server.port), username: f.server.user };
  await secret("wrong", { ...at, password: "not-the-password" });
  // Port 1 on loopback: nothing listens there, so the connection is refused.
  await secret("unreachable", { host: "127.0.0.1", port: "1", username: "root", password: "x" });
  op = await runOperator(operator, { kubeconfig: f.kubeconfig, namespaces: [ns] });
});
after(async () => {
  await op?.stop();
  await f?.stop();
});

describe("MySQLDatabase", () => {
  test("creates the database, the user and a Secret whose credentials work; stays idempotent across a restart", async () => {
    const admin = await f.kube.get({ ...SECRET, namespace: ns, name: "admin" });
    await create("shop");
    const c = await eventually(async () => creds("shop"));
    assert.deepEqual(Object.keys(c).sort(), ["database", "host", "password", "port", "username"]);
    assert.equal(c.database, "shop");
    assert.ok(c.password!.length >= 32);
    await f.login("shop", c.password!, "shop");
    const secret = await f.kube.get({ ...SECRET, namespace: ns, name: "shop-mysql" });
    const shop = await f.kube.get(ref(ns, "shop"));
    assert.equal(secret.metadata?.ownerReferences?.[0]?.uid, shop.metadata?.uid);
    assert.equal(secret.metadata?.ownerReferences?.[0]?.controller, true);
    const mark = `MySQLDatabase ${ns}/shop uid=${shop.metadata?.uid}`;
    assert.deepEqual(
      (await ledger())
        .filter((r) => r.owner === mark)
        .map((r) => r.resource)
        .sort(),
      ["database:shop", "user:shop"],
    );
    await op.stop();
    op = await runOperator(operator, { kubeconfig: f.kubeconfig, namespaces: [ns] });
    await op.idle();
    assert.equal((await creds("shop")).password, c.password, "the password did not change");
    assert.equal(op.writes(), 0, "nothing rewritten on restart");
    const events = await eventsFor(f.kube, shop);
    assert.ok(!events.some((e) => (e.note ?? "").includes(c.password!)), "no password in Events");
    const adminNow = await f.kube.get({ ...SECRET, namespace: ns, name: "admin" });
    assert.equal(adminNow.metadata?.resourceVersion, admin.metadata?.resourceVersion);
  });

  test("a deleted Secret is recreated with a rotated password that works", async () => {
    await create("rotate");
    const before = await eventually(async () => creds("rotate"));
    await f.kube.delete({ ...SECRET, namespace: ns, name: "rotate-mysql" });
    const after = await eventually(async () => {
      const c = await creds("rotate");
      assert.notEqual(c.password, before.password);
      return c;
    });
    await f.login("rotate", after.password!, "rotate");
    await assert.rejects(f.login("rotate", before.password!, "rotate"), /Access denied/);
  });

  test("delete drops what the ledger records as the object's and releases it; Retain keeps both", async () => {
    await create("dropme");
    await create("keepme", { deletionPolicy: "Retain" });
    for (const n of ["dropme", "keepme"]) await eventually(async () => creds(n));
    for (const n of ["dropme", "keepme"]) await f.kube.delete(ref(ns, n));
    await eventually(async () => {
      for (const n of ["dropme", "keepme"])
        await assert.rejects(f.kube.get(ref(ns, n)), /NotFound/);
    });
    const dbs = await databases(f);
    assert.ok(!dbs.includes("dropme") && dbs.includes("keepme"), dbs.join());
    const users = (await f.sql("SELECT User FROM mysql.user")).map((r) => r.User);
    assert.ok(!users.includes("dropme") && users.includes("keepme"), users.join());
    const records = (await ledger()).map((r) => r.resource);
    assert.ok(!records.some((r) => r.endsWith(":dropme")), records.join());
    assert.ok(records.includes("database:keepme") && records.includes("user:keepme"));
  });

  test("a too-long name, a missing admin Secret, a wrong password and an unreachable server end in a clear condition and Event, and create nothing", async () => {
    const long = "a".repeat(40);
    await create(long);
    await create("noadmin", { adminSecretRef: { name: "missing" } });
    await create("badpass", { adminSecretRef: { name: "wrong" } });
    await create("nowhere", { adminSecretRef: { name: "unreachable" } });
    await eventually(async () => {
      assert.match((await condition(f.kube, ns, long))?.message ?? "", /at most 32/);
      assert.match(
        (await condition(f.kube, ns, "noadmin"))?.message ?? "",
        /admin Secret .*\/missing \(spec\.adminSecretRef\.name\) not found/,
      );
      assert.match(
        (await condition(f.kube, ns, "badpass"))?.message ?? "",
        /cannot reach MySQL .*Access denied/,
      );
      assert.match(
        (await condition(f.kube, ns, "nowhere"))?.message ?? "",
        /cannot reach MySQL at 127\.0\.0\.1:1 .*ECONNREFUSED/,
      );
    });
    const events = await eventsFor(f.kube, await f.kube.get(ref(ns, "badpass")));
    assert.ok(events.some((e) => e.type === "Warning"));
    assert.ok(
      !events.some((e) => (e.note ?? "").includes("not-the-password")),
      "no password in Events",
    );
    const dbs = await databases(f);
    assert.ok(!dbs.includes(long) && !dbs.includes("noadmin") && !dbs.includes("badpass"));
  });

  test("fixing a broken admin Secret makes its MySQLDatabase ready at once: the Secret's change re-queues it, no retry is waited for", async () => {
    const at = { host: f.server.host, port: String(f.server.port), password: f.server.password };
    await f.kube.create({
      ...SECRET,
      metadata: { name: "no-user", namespace: ns },
      stringData: at,
    });
    await create("fixed", { adminSecretRef: { name: "no-user" } });
    await eventually(async () => failedWith(f.kube, ns, "fixed", "InvalidAdminSecret"));
    await f.kube.patch(
      { ...SECRET, namespace: ns, name: "no-user" },
      { stringData: { username: f.server.user } },
    );
    const c = await eventually(async () => creds("fixed"));
    await f.login("fixed", c.password!, "fixed");
    await eventually(async () =>
      assert.equal((await condition(f.kube, ns, "fixed"))?.status, "True"),
    );
  });
});
