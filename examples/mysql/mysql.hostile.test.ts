// Hostile input for the MySQLDatabase operator, against the real control plane and a real
// MariaDB: reserved names, one name in two namespaces, resources and Secrets that someone
// else made, a broken admin Secret, multibyte text at the schema's limit. Each probe asserts
// that nothing foreign changed, that a condition and a Warning Event say why, and that no
// password reaches a log line, an Event or a status.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { KubeClient } from "capstan/client";
import { eventually, kubectl, runOperator, type RunningOperator } from "capstan/testing";
import {
  accounts,
  assertNoneShown,
  condition,
  createDb,
  credentials,
  databases,
  failedWith,
  ref,
  SECRET,
  startFixture,
  warned,
  type Fixture,
} from "./fixture.js";
import operator, { MySQLDatabase } from "./operator.js";

let f: Fixture;
let kube: KubeClient;
let run: RunningOperator | undefined;
const logLines = () => run?.logs() ?? [];
/** Every password a test has seen: none may appear in a log line, an Event or a status. */
const passwords = new Set<string>();
const assertNoPasswordShown = (namespace: string) =>
  assertNoneShown(f, namespace, logLines(), passwords);
const secretValue = () => {
  const s = randomBytes(12).toString("hex");
  passwords.add(s);
  return s;
};
const ns = (i: number) => f.namespaces[i]!;

const secret = (namespace: string, name: string, data: Record<string, string>) =>
  kube.create({ ...SECRET, metadata: { name, namespace }, stringData: data });

/** An account on the server with `grants`, and its Secret `admin-<user>` in `namespace`. */
async function adminAccount(namespace: string, user: string, password: string, grants: string) {
  await f.sql("CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?", [user, password]);
  const [on, option] = grants.split(" WITH ");
  await f.sql(`GRANT ${on} TO ?@'127.0.0.1'${option ? ` WITH ${option}` : ""}`, [user]);
  await secret(namespace, `admin-${user}`, {
    host: f.server.host,
    port: String(f.server.port),
    username: user,
    password,
  });
}

before(async () => {
  f = await startFixture(9);
  kube = f.kube;
  passwords.add(f.server.password);
  run = await runOperator(operator, {
    kubeconfig: f.kubeconfig,
    namespaces: f.namespaces,
    captureLogs: true,
  });
});
after(async () => {
  await run?.stop();
  await f?.stop();
});

describe("MySQLDatabase against hostile input", () => {
  test("a name of a system schema or built-in account is refused as Reserved and changes no account", async () => {
    const names = ["mysql", "sys", "root", "public", "debian-sys-maint", "test"];
    const dotted = ["mariadb.sys", "mysql.sys", "mysql.session", "mysql.infoschema"];
    const before = await accounts(f);
    const admin = await kube.get({ ...SECRET, namespace: ns(0), name: "admin" });
    for (const n of [...names, ...dotted]) await createDb(kube, ns(0), n);
    await eventually(async () => {
      for (const n of [...names, ...dotted]) {
        const c = await failedWith(kube, ns(0), n, "Reserved");
        assert.match(c.message, new RegExp(`metadata\\.name "${n.replace(".", "\\.")}"`));
      }
    });
    await warned(kube, ns(0), "mysql", "Reserved");
    assert.equal(await accounts(f), before, "no account and no grant changed");
    const adminNow = await kube.get({ ...SECRET, namespace: ns(0), name: "admin" });
    assert.equal(adminNow.metadata?.resourceVersion, admin.metadata?.resourceVersion);
    assert.equal(adminNow.metadata?.ownerReferences, undefined, "the admin Secret is only read");
    await assertNoPasswordShown(ns(0));
  });

  test("the admin account's own user name is refused as Reserved and its password still works", async () => {
    const opsPassword = secretValue();
    await adminAccount(ns(1), "ops", opsPassword, "ALL PRIVILEGES ON *.* WITH GRANT OPTION");
    const before = await accounts(f);
    await createDb(kube, ns(1), "ops", { adminSecretRef: { name: "admin-ops" } });
    const c = await eventually(async () => failedWith(kube, ns(1), "ops", "Reserved"));
    assert.match(c.message, /metadata\.name "ops"/);
    assert.match(c.message, /admin/);
    await warned(kube, ns(1), "ops", "Reserved");
    assert.equal(await accounts(f), before);
    await f.login("ops", opsPassword);
    await assertNoPasswordShown(ns(1));
  });

  test("one name in two namespaces: the second gets a Conflict, the first keeps its password, and deleting the second drops nothing", async () => {
    await createDb(kube, ns(2), "shared");
    const first = await eventually(async () => credentials(kube, ns(2), "shared"));
    passwords.add(first.password!);
    await createDb(kube, ns(3), "shared");
    const c = await eventually(async () => failedWith(kube, ns(3), "shared", "Conflict"));
    assert.match(c.message, new RegExp(`MySQLDatabase ${ns(3)}/shared`));
    assert.doesNotMatch(c.message, new RegExp(ns(2)), "the holder's namespace is not disclosed");
    assert.equal((await condition(kube, ns(3), "shared", "Conflict"))?.status, "True");
    await warned(kube, ns(3), "shared", "Conflict");
    await assert.rejects(credentials(kube, ns(3), "shared"), /NotFound/);
    // A status says nothing about ownership: claiming to have created both changes nothing.
    await kube.patch(
      ref(ns(3), "shared"),
      { status: { createdDatabase: true, createdUser: true } },
      { subresource: "status" },
    );
    await kube.delete(ref(ns(3), "shared"));
    await eventually(async () => assert.rejects(kube.get(ref(ns(3), "shared")), /NotFound/));
    await f.login("shared", first.password!, "shared");
    assert.equal((await credentials(kube, ns(2), "shared")).password, first.password);
    await assertNoPasswordShown(ns(3));
  });

  test("two objects of one name created at once in two namespaces: exactly one gets the database", async () => {
    await Promise.all([createDb(kube, ns(2), "race"), createDb(kube, ns(3), "race")]);
    const outcomes = await eventually(async () => {
      const r = await Promise.all([2, 3].map((i) => condition(kube, ns(i), "race")));
      const held = await Promise.all(
        [2, 3].map((i) =>
          credentials(kube, ns(i), "race").then(
            () => true,
            () => false,
          ),
        ),
      );
      assert.deepEqual(held.filter(Boolean).length, 1, "one winner with credentials");
      assert.equal(r[held.indexOf(false)]?.reason, "Conflict");
      return held;
    });
    const winner = ns(outcomes.indexOf(true) + 2);
    const pw = (await credentials(kube, winner, "race")).password!;
    passwords.add(pw);
    await f.login("race", pw, "race");
    await assertNoPasswordShown(ns(2));
    await assertNoPasswordShown(ns(3));
  });

  test("a user or a database that exists without a ledger record is refused with Conflict and left as it was", async () => {
    const handPassword = secretValue();
    await f.sql("CREATE USER 'handmade'@'%' IDENTIFIED BY ?", [handPassword]);
    await f.sql("CREATE DATABASE `legacy`");
    await f.sql("CREATE TABLE `legacy`.`keep` (id INT)");
    const before = await accounts(f);
    await createDb(kube, ns(4), "handmade");
    await createDb(kube, ns(4), "legacy");
    for (const n of ["handmade", "legacy"]) {
      const c = await eventually(async () => failedWith(kube, ns(4), n, "Conflict"));
      assert.match(c.message, /already exists and was not created by this operator/);
      await warned(kube, ns(4), n, "Conflict");
    }
    assert.equal(await accounts(f), before, "no user created, no password changed");
    assert.ok(!(await databases(f)).includes("handmade"));
    await f.login("handmade", handPassword);
    for (const n of ["handmade", "legacy"]) await kube.delete(ref(ns(4), n));
    await eventually(async () => assert.rejects(kube.get(ref(ns(4), "legacy")), /NotFound/));
    assert.deepEqual(await f.sql("SHOW TABLES FROM `legacy`"), [{ Tables_in_legacy: "keep" }]);
    await assertNoPasswordShown(ns(4));
  });

  test("a foreign Secret with the credentials' name is never written or owned, and no user gets a password", async () => {
    const foreign = await secret(ns(5), "foreign-mysql", { note: "not the operator's" });
    const holder = await kube.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "holder", namespace: ns(5) },
    });
    const held = await kube.create({
      ...SECRET,
      metadata: {
        name: "held-mysql",
        namespace: ns(5),
        ownerReferences: [
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            name: "holder",
            uid: holder.metadata!.uid!,
            controller: true,
          },
        ],
      },
      stringData: { note: "held" },
    });
    const before = await accounts(f);
    await createDb(kube, ns(5), "foreign");
    await createDb(kube, ns(5), "held");
    for (const n of ["foreign", "held"]) {
      const c = await eventually(async () => failedWith(kube, ns(5), n, "Conflict"));
      assert.match(c.message, new RegExp(`Secret ${ns(5)}/${n}-mysql`));
      await warned(kube, ns(5), n, "Conflict");
    }
    for (const s of [foreign, held]) {
      const now = await kube.get({ ...SECRET, namespace: ns(5), name: s.metadata!.name! });
      assert.equal(now.metadata?.resourceVersion, s.metadata?.resourceVersion, "not written");
    }
    assert.equal(await accounts(f), before, "no user created or given a password");
    await kube.delete(ref(ns(5), "foreign"));
    await eventually(async () => assert.rejects(kube.get(ref(ns(5), "foreign")), /NotFound/));
    const still = await kube.get({ ...SECRET, namespace: ns(5), name: "foreign-mysql" });
    assert.equal(still.metadata?.ownerReferences, undefined, "no owner, so no garbage collection");
    await assertNoPasswordShown(ns(5));
  });

  test("a non-numeric port or a malformed host in the admin Secret is an error naming the Secret, the key and the object, which fixing the Secret clears", async () => {
    const common = { username: f.server.user, password: f.server.password };
    await secret(ns(6), "bad-port", { ...common, host: f.server.host, port: "33o6" });
    await secret(ns(6), "bad-host", { ...common, host: "db host/;x", port: String(f.server.port) });
    await createDb(kube, ns(6), "p1", { adminSecretRef: { name: "bad-port" } });
    await createDb(kube, ns(6), "h1", { adminSecretRef: { name: "bad-host" } });
    for (const [n, s, key] of [
      ["p1", "bad-port", "port"],
      ["h1", "bad-host", "host"],
    ] as const) {
      const c = await eventually(async () => failedWith(kube, ns(6), n, "InvalidAdminSecret"));
      assert.match(c.message, new RegExp(`MySQLDatabase ${ns(6)}/${n}`));
      assert.match(c.message, new RegExp(`Secret ${ns(6)}/${s}`));
      assert.match(c.message, new RegExp(`key ${key}\\b`));
      await warned(kube, ns(6), n, "InvalidAdminSecret");
    }
    assert.ok(!(await databases(f)).includes("p1"), "not connected to a default port");
    // Fixing the Secret is enough: its change re-queues the object (the error is not final).
    await kube.patch(
      { ...SECRET, namespace: ns(6), name: "bad-port" },
      { stringData: { port: String(f.server.port) } },
    );
    await eventually(async () => credentials(kube, ns(6), "p1"), { timeoutMs: 60_000 });
    await assertNoPasswordShown(ns(6));
  });

  test("an admin Secret that is another object's credentials is only read, and gives no admin rights", async () => {
    await createDb(kube, ns(7), "victim");
    const victim = await eventually(async () => credentials(kube, ns(7), "victim"));
    passwords.add(victim.password!);
    const secretBefore = await kube.get({ ...SECRET, namespace: ns(7), name: "victim-mysql" });
    await createDb(kube, ns(7), "thief", { adminSecretRef: { name: "victim-mysql" } });
    const c = await eventually(async () => {
      const c = await condition(kube, ns(7), "thief");
      assert.equal(c?.status, "False");
      return c!;
    });
    assert.match(c.message, /denied/);
    const secretNow = await kube.get({ ...SECRET, namespace: ns(7), name: "victim-mysql" });
    assert.equal(secretNow.metadata?.resourceVersion, secretBefore.metadata?.resourceVersion);
    assert.ok(!(await databases(f)).includes("thief"));
    await f.login("victim", victim.password!, "victim");
    await assertNoPasswordShown(ns(7));
  });

  test("a multibyte adminSecretRef.name at the schema's limit is refused clearly and the operator carries on", async () => {
    const runes = [..."é東😀".repeat(85)].slice(0, 253).join("");
    await createDb(kube, ns(8), "wide", { adminSecretRef: { name: runes } });
    const c = await eventually(async () => failedWith(kube, ns(8), "wide", "InvalidName"));
    assert.match(c.message, /spec\.adminSecretRef\.name/);
    assert.ok(!c.message.includes("\uFFFD"), "cut on a character boundary");
    assert.ok(Buffer.byteLength(c.message) <= 1024);
    const ev = await warned(kube, ns(8), "wide", "InvalidName");
    assert.ok(!(ev.note ?? "").includes("\uFFFD"));
    await createDb(kube, ns(8), "after-wide");
    await eventually(async () => credentials(kube, ns(8), "after-wide"));
    await assertNoPasswordShown(ns(8));
  });

  test("names MySQL cannot take safely are refused, by the API server or as InvalidName, and never cut to a shared prefix", async () => {
    // `_` and `%` are wildcards in a GRANT's database name: such a grant would be wider.
    for (const n of ["a_b", "a%b"]) {
      const manifest = {
        apiVersion: MySQLDatabase.apiVersion,
        kind: MySQLDatabase.kind,
        metadata: { name: n, namespace: ns(0) },
        spec: { adminSecretRef: { name: "admin" } },
      };
      const r = await kubectl(f.cp, ["create", "-f", "-"], { input: JSON.stringify(manifest) });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /metadata\.name: Invalid value/);
    }
    const prefix = "p".repeat(32);
    for (const n of ["a.b", `${prefix}-one`, `${prefix}-two`]) await createDb(kube, ns(0), n);
    for (const n of ["a.b", `${prefix}-one`, `${prefix}-two`]) {
      const c = await eventually(async () => failedWith(kube, ns(0), n, "InvalidName"));
      assert.match(c.message, /metadata\.name/);
    }
    const dbs = await databases(f);
    assert.ok(!dbs.some((d) => d.startsWith("pppp") || d === "a.b"), dbs.join());
    await assertNoPasswordShown(ns(0));
  });

  test("an admin account without CREATE USER fails with the server's reason, and no statement text reaches a log line", async () => {
    await adminAccount(ns(1), "limited", secretValue(), "SELECT, INSERT, DELETE, CREATE ON *.*");
    await createDb(kube, ns(1), "narrow", { adminSecretRef: { name: "admin-limited" } });
    const c = await eventually(async () => failedWith(kube, ns(1), "narrow", "ServerError"));
    assert.match(c.message, /CREATE USER privilege/);
    assert.ok(!logLines().some((l) => /IDENTIFIED BY/i.test(l)), "no SQL text in the logs");
    await assertNoPasswordShown(ns(1));
  });
});
