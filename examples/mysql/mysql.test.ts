// The MySQLDatabase operator against a real MariaDB server on loopback.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import mysql from "mysql2/promise";
import { KubeClient } from "../../src/client/index.js";
import { installCrds } from "../../src/runtime/index.js";
import {
  eventsFor,
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
} from "../../src/testing/index.js";
import { startMariaDB, type MariaDB } from "../../src/testing/servers/mariadb.js";
import operator, { MySQLDatabase } from "./operator.js";

let kube: KubeClient;
let db: MariaDB;
let op: RunningOperator;
let kubeconfig: string;
let ns: { name: string; dispose(): Promise<void> };
const SECRET = { apiVersion: "v1", kind: "Secret" } as const;
const ref = (name: string) => ({
  apiVersion: MySQLDatabase.apiVersion,
  kind: MySQLDatabase.kind,
  namespace: ns.name,
  name,
});
type Status = {
  status?: {
    conditions?: { type: string; status: string; message: string }[];
    createdDatabase?: boolean;
  };
};

async function adminQuery(sql: string, values: unknown[] = []): Promise<unknown[]> {
  const c = await mysql.createConnection({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
  });
  try {
    return (await c.query(sql, values))[0] as unknown[];
  } finally {
    await c.end();
  }
}
const credentials = async (name: string) => {
  const s = await kube.get({ ...SECRET, namespace: ns.name, name: `${name}-mysql` });
  return Object.fromEntries(
    Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );
};
const loginWorks = async (user: string, password: string, database: string) => {
  const c = await mysql.createConnection({
    host: db.host,
    port: db.port,
    user,
    password,
    database,
  });
  await c.query("CREATE TABLE IF NOT EXISTS t (id INT)");
  await c.end();
};
const create = (name: string, spec: Record<string, unknown> = {}) =>
  kube.create({
    apiVersion: MySQLDatabase.apiVersion,
    kind: MySQLDatabase.kind,
    metadata: { name, namespace: ns.name },
    spec: { adminSecretRef: { name: "admin" }, ...spec },
  });
const condition = async (name: string) =>
  ((await kube.get(ref(name))) as Status).status?.conditions?.find((c) => c.type === "Reconciled");

before(async () => {
  const cp = await useControlPlane();
  kubeconfig = cp.kubeconfig;
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  db = await startMariaDB();
  await installCrds(kube, [MySQLDatabase]);
  ns = await testNamespace(kube, "mysql");
  await kube.create({
    ...SECRET,
    metadata: { name: "admin", namespace: ns.name },
    stringData: { host: db.host, port: String(db.port), username: db.user, password: db.password },
  });
  await kube.create({
    ...SECRET,
    metadata: { name: "wrong", namespace: ns.name },
    stringData: {
      host: db.host,
      port: String(db.port),
      username: db.user,
      password: "not-the-password",
    },
  });
  // Port 1 on loopback: nothing listens there, so the connection is refused.
  await kube.create({
    ...SECRET,
    metadata: { name: "unreachable", namespace: ns.name },
    stringData: { host: "127.0.0.1", port: "1", username: "root", password: "x" },
  });
  op = await runOperator(operator, { kubeconfig, namespaces: [ns.name] });
});
after(async () => {
  await op.stop();
  await ns.dispose();
  await db.stop();
});

describe("MySQLDatabase", () => {
  test("creates the database, the user and a Secret whose credentials work; stays idempotent across a restart", async () => {
    await create("shop");
    const creds = await eventually(async () => credentials("shop"));
    assert.deepEqual(Object.keys(creds).sort(), [
      "database",
      "host",
      "password",
      "port",
      "username",
    ]);
    assert.equal(creds.database, "shop");
    assert.ok(creds.password!.length >= 32);
    await loginWorks("shop", creds.password!, "shop");
    const secret = await kube.get({ ...SECRET, namespace: ns.name, name: "shop-mysql" });
    assert.equal(secret.metadata?.ownerReferences?.[0]?.kind, "MySQLDatabase");
    await op.stop();
    op = await runOperator(operator, { kubeconfig, namespaces: [ns.name] });
    await op.synced();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(
      (await credentials("shop")).password,
      creds.password,
      "the password did not change",
    );
    assert.equal(op.writes(), 0, "nothing rewritten on restart");
    const events = await eventsFor(kube, await kube.get(ref("shop")));
    assert.ok(
      !events.some((e) => (e.note ?? "").includes(creds.password!)),
      "the password is in no Event",
    );
  });

  test("a deleted Secret is recreated with a rotated password that works", async () => {
    await create("rotate");
    const before = await eventually(async () => credentials("rotate"));
    await kube.delete({ ...SECRET, namespace: ns.name, name: "rotate-mysql" });
    const after = await eventually(async () => {
      const c = await credentials("rotate");
      assert.notEqual(c.password, before.password);
      return c;
    });
    await loginWorks("rotate", after.password!, "rotate");
    await assert.rejects(loginWorks("rotate", before.password!, "rotate"), /Access denied/);
  });

  test("delete drops what it created; Retain keeps it; a database that existed before is never dropped", async () => {
    await adminQuery("CREATE DATABASE `legacy`");
    await create("legacy");
    await create("dropme");
    await create("keepme", { deletionPolicy: "Retain" });
    for (const n of ["legacy", "dropme", "keepme"]) await eventually(async () => credentials(n));
    assert.equal(((await kube.get(ref("legacy"))) as Status).status?.createdDatabase, false);
    for (const n of ["legacy", "dropme", "keepme"]) await kube.delete(ref(n));
    await eventually(async () => {
      const dbs = ((await adminQuery("SHOW DATABASES")) as { Database: string }[]).map(
        (r) => r.Database,
      );
      assert.ok(!dbs.includes("dropme"), "dropme dropped");
      assert.ok(dbs.includes("keepme") && dbs.includes("legacy"), dbs.join());
      for (const n of ["legacy", "dropme", "keepme"])
        await assert.rejects(kube.get(ref(n)), /NotFound/);
    });
    const users = ((await adminQuery("SELECT User FROM mysql.user")) as { User: string }[]).map(
      (r) => r.User,
    );
    assert.ok(!users.includes("dropme") && users.includes("keepme"), users.join());
  });

  test("hostile input and an unreachable server end in a clear condition and Event, and create nothing", async () => {
    const long = "a".repeat(40);
    await create(long);
    await create("noadmin", { adminSecretRef: { name: "missing" } });
    await create("badpass", { adminSecretRef: { name: "wrong" } });
    await create("nowhere", { adminSecretRef: { name: "unreachable" } });
    await eventually(async () => {
      assert.match((await condition(long))?.message ?? "", /at most 32/);
      assert.match(
        (await condition("noadmin"))?.message ?? "",
        /admin Secret .*\/missing not found/,
      );
      assert.match(
        (await condition("badpass"))?.message ?? "",
        /cannot reach MySQL .*Access denied/,
      );
    });
    const events = await eventsFor(kube, await kube.get(ref("badpass")));
    assert.ok(events.some((e) => e.type === "Warning"));
    assert.ok(
      !events.some((e) => (e.note ?? "").includes("not-the-password")),
      "no password in Events",
    );
    const dbs = ((await adminQuery("SHOW DATABASES")) as { Database: string }[]).map(
      (r) => r.Database,
    );
    assert.ok(
      !dbs.includes(long) && !dbs.includes("noadmin") && !dbs.includes("badpass"),
      dbs.join(),
    );
  });
});
