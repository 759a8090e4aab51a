// The MongoUser operator against hostile input, on a real control plane and a real FerretDB:
// accounts it must not take over, Secrets it does not own, malformed admin connection
// strings, and text at the schema's limits. Each test proves that nothing foreign changed,
// that the refusal names the object and the field, and that no secret value was shown.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { NotFoundError } from "capstan/client";
import { utf8Length } from "capstan";
import { eventsFor, eventually } from "capstan/testing";
import {
  asAdmin,
  assertNoLeak,
  canLogin,
  condOf,
  createMu,
  foreignSecret,
  muRef,
  SECRET,
  startHarness,
  userExists,
  type Harness,
} from "./mongo.testkit.js";

let h: Harness;
before(async () => void (h = await startHarness("mongoh", 16)));
after(async () => h.stop());

const secretRef = (namespace: string, name: string) => ({ ...SECRET, namespace, name });
const passwordIn = async (namespace: string, name: string, key = "password") =>
  Buffer.from((await h.kube.get(secretRef(namespace, name))).data![key]!, "base64").toString();
const refused = (namespace: string, name: string, reason: string, field: RegExp) =>
  eventually(async () => {
    const c = await condOf(h.kube, namespace, name, "Reconciled");
    assert.equal(c?.status, "False");
    assert.equal(c?.reason, reason);
    assert.match(c?.message ?? "", field);
    assert.match(c?.message ?? "", new RegExp(`MongoUser ${namespace}/${name}`));
  });
async function warned(namespace: string, name: string, reason: string) {
  const mu = await h.kube.get(muRef(namespace, name));
  // The Event follows the status write: wait for it.
  await eventually(async () =>
    assert.ok(
      (await eventsFor(h.kube, mu)).some((e) => e.type === "Warning" && e.reason === reason),
      `a Warning Event with reason ${reason}`,
    ),
  );
}
async function deleted(namespace: string, name: string) {
  await h.kube.delete(muRef(namespace, name));
  await eventually(() =>
    assert.rejects(h.kube.get(muRef(namespace, name)), NotFoundError).then(() => true),
  );
}
const createUserByHand = (user: string, pwd: string, db = "admin") =>
  asAdmin(h.fdb, (c) => c.db(db).command({ createUser: user, pwd, roles: [] }));

describe("MongoUser never takes over an account it did not create", () => {
  test("built-in account names are refused as Reserved naming spec.username, and the admin password still works", async () => {
    const ns = h.namespace();
    const names = ["admin", "root", "__system"];
    for (const [i, username] of names.entries())
      await createMu(h.kube, ns, `builtin-${i}`, { username });
    for (const [i, username] of names.entries())
      await refused(ns, `builtin-${i}`, "Reserved", new RegExp(`spec\\.username "${username}"`));
    await warned(ns, "builtin-0", "Reserved");
    assert.ok(await canLogin(h.fdb, "admin", h.fdb.password), "the admin password still works");
    await assert.rejects(h.kube.get(secretRef(ns, "builtin-0-mongo")), NotFoundError);
    await assertNoLeak(h, ns, h.fdb.password);
  });

  test("the admin connection string's own user is refused as Reserved and keeps its password", async () => {
    const ns = h.namespace();
    const pwd = randomBytes(9).toString("hex");
    await createUserByHand("ops", pwd);
    await foreignSecret(h.kube, ns, "ops-admin", {
      uri: `mongodb://ops:${pwd}@127.0.0.1:${h.fdb.port}/?authSource=admin`,
    });
    await createMu(h.kube, ns, "me", { username: "ops", adminSecretRef: { name: "ops-admin" } });
    await refused(ns, "me", "Reserved", /spec\.username "ops"/);
    assert.ok(await canLogin(h.fdb, "ops", pwd));
    await assertNoLeak(h, ns, pwd);
  });

  test("reserved authentication databases are refused as Reserved naming spec.database", async () => {
    const ns = h.namespace();
    const dbs = ["local", "config", "capstan_ownership"];
    for (const [i, database] of dbs.entries())
      await createMu(h.kube, ns, `db-${i}`, { username: "appuser", database });
    for (const [i, database] of dbs.entries())
      await refused(ns, `db-${i}`, "Reserved", new RegExp(`spec\\.database "${database}"`));
    for (const database of dbs) assert.equal(await userExists(h.fdb, "appuser", database), false);
  });

  test("roles over every database or the cluster are refused as Reserved naming spec.roles", async () => {
    const ns = h.namespace();
    const asks = [
      { username: "esc0", roles: ["readWrite", "root"] },
      { username: "esc1", database: "app", roles: ["readWriteAnyDatabase"] },
      { username: "esc2", roles: ["userAdmin"] },
    ];
    for (const [i, spec] of asks.entries()) await createMu(h.kube, ns, `esc-${i}`, spec);
    for (const [i, spec] of asks.entries())
      await refused(ns, `esc-${i}`, "Reserved", new RegExp(`spec\\.roles "${spec.roles.at(-1)}"`));
    for (const [i, spec] of asks.entries())
      assert.equal(await userExists(h.fdb, `esc${i}`, spec.database), false);
  });

  test("a user created by hand is refused with Conflict, keeps its password and survives the MongoUser's deletion", async () => {
    const ns = h.namespace();
    const pwd = randomBytes(9).toString("hex");
    await createUserByHand("legacy", pwd);
    await createMu(h.kube, ns, "legacy", { username: "legacy" });
    await refused(ns, "legacy", "Conflict", /spec\.username/);
    assert.equal((await condOf(h.kube, ns, "legacy", "Conflict"))?.status, "True");
    await warned(ns, "legacy", "Conflict");
    assert.ok(await canLogin(h.fdb, "legacy", pwd), "the existing password still works");
    await deleted(ns, "legacy");
    assert.ok(await canLogin(h.fdb, "legacy", pwd), "and still does after the delete");
    await assertNoLeak(h, ns, pwd);
  });

  test("the same username in a second namespace is refused with Conflict, and deleting it leaves the first one's user", async () => {
    const [ns1, ns2] = [h.namespace(), h.namespace()];
    await createMu(h.kube, ns1, "first", { username: "shared" });
    const pw1 = await eventually(async () => {
      const pw = await passwordIn(ns1, "first-mongo");
      assert.ok(await canLogin(h.fdb, "shared", pw));
      return pw;
    });
    await createMu(h.kube, ns2, "second", { username: "shared" });
    await refused(ns2, "second", "Conflict", /spec\.username/);
    const msg = (await condOf(h.kube, ns2, "second", "Conflict"))?.message ?? "";
    assert.ok(!msg.includes(ns1), "the other tenant's namespace is not named");
    assert.ok(await canLogin(h.fdb, "shared", pw1), "the first password still works");
    await deleted(ns2, "second");
    assert.ok(await canLogin(h.fdb, "shared", pw1), "and still does after the delete");
    await assertNoLeak(h, ns2, pw1);
  });

  test("admin.twin and app.twin are different users with their own ledger records; deleting one leaves the other", async () => {
    const ns = h.namespace();
    await createMu(h.kube, ns, "twin-admin", { username: "twin" });
    await createMu(h.kube, ns, "twin-app", { username: "twin", database: "app" });
    const pwAdmin = await eventually(async () => {
      const pw = await passwordIn(ns, "twin-admin-mongo");
      assert.ok(await canLogin(h.fdb, "twin", pw, "admin"));
      return pw;
    });
    await eventually(async () =>
      assert.ok(await canLogin(h.fdb, "twin", await passwordIn(ns, "twin-app-mongo"), "app")),
    );
    const ids = await asAdmin(h.fdb, (c) =>
      c
        .db("capstan_ownership")
        .collection<{ _id: string; owner: string }>("owners")
        .find({ _id: { $in: ["admin.twin", "app.twin"] } })
        .toArray(),
    );
    assert.deepEqual(ids.map((r) => r._id).sort(), ["admin.twin", "app.twin"]);
    await deleted(ns, "twin-app");
    await eventually(async () => assert.equal(await userExists(h.fdb, "twin", "app"), false));
    assert.ok(await canLogin(h.fdb, "twin", pwAdmin, "admin"), "admin.twin is untouched");
  });
});

describe("MongoUser never writes a Secret it does not own", () => {
  test("passwordSecretRef naming the admin Secret is refused, and the admin Secret is never written, owned or deleted", async () => {
    const ns = h.namespace();
    const before = await h.kube.get(secretRef(ns, "mongo-admin"));
    await createMu(h.kube, ns, "grab", {
      username: "grab",
      passwordSecretRef: { name: "mongo-admin" },
    });
    await createMu(h.kube, ns, "grab-uri", {
      username: "grabu",
      passwordSecretRef: { name: "mongo-admin", key: "uri" },
    });
    await refused(ns, "grab", "InvalidReference", /spec\.passwordSecretRef.*mongo-admin/);
    await refused(ns, "grab-uri", "InvalidReference", /spec\.passwordSecretRef.*mongo-admin/);
    await deleted(ns, "grab");
    await deleted(ns, "grab-uri");
    const now = await h.kube.get(secretRef(ns, "mongo-admin"));
    assert.equal(now.metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.equal(now.metadata?.ownerReferences, undefined);
    assert.equal(await userExists(h.fdb, "grabu"), false);
    await assertNoLeak(h, ns, h.fdb.password);
  });

  test("a Secret it does not own is only read: the user logs in with its password, and it survives the MongoUser", async () => {
    const ns = h.namespace();
    const pwd = randomBytes(9).toString("hex");
    const made = await foreignSecret(h.kube, ns, "app-creds", { password: pwd });
    await createMu(h.kube, ns, "reader", {
      username: "reader",
      passwordSecretRef: { name: "app-creds" },
    });
    await eventually(async () => assert.ok(await canLogin(h.fdb, "reader", pwd)));
    await deleted(ns, "reader");
    const now = await h.kube.get(secretRef(ns, "app-creds"));
    assert.equal(now.metadata?.resourceVersion, made.metadata?.resourceVersion);
    assert.equal(now.metadata?.ownerReferences, undefined);
    await assertNoLeak(h, ns, pwd);
  });

  test("a Secret it does not own without the key is refused naming spec.passwordSecretRef and the key", async () => {
    const ns = h.namespace();
    const made = await foreignSecret(h.kube, ns, "other", { token: "unrelated" });
    await createMu(h.kube, ns, "nokey", {
      username: "nokey",
      passwordSecretRef: { name: "other" },
    });
    await refused(ns, "nokey", "PasswordKeyMissing", /spec\.passwordSecretRef.*other.*"password"/);
    await warned(ns, "nokey", "PasswordKeyMissing");
    const now = await h.kube.get(secretRef(ns, "other"));
    assert.equal(now.metadata?.resourceVersion, made.metadata?.resourceVersion);
    assert.equal(await userExists(h.fdb, "nokey"), false);
  });

  test("a foreign Secret with the default name <name>-mongo is refused with Conflict and not written", async () => {
    const ns = h.namespace();
    const made = await foreignSecret(h.kube, ns, "gina-mongo", { password: "theirs-not-gina" });
    await createMu(h.kube, ns, "gina", { username: "gina" });
    await refused(ns, "gina", "Conflict", /Secret .*gina-mongo/);
    assert.equal((await condOf(h.kube, ns, "gina", "Conflict"))?.status, "True");
    const now = await h.kube.get(secretRef(ns, "gina-mongo"));
    assert.equal(now.metadata?.resourceVersion, made.metadata?.resourceVersion);
    assert.equal(await userExists(h.fdb, "gina"), false);
  });
});

describe("MongoUser with a malformed admin connection string", () => {
  test("each malformed uri is a condition naming the Secret, the key uri and the MongoUser, never its password", async () => {
    const ns = h.namespace();
    const pw = `pw${randomBytes(8).toString("hex")}`;
    const uris = [
      `http://admin:${pw}@127.0.0.1/`,
      `mongodb://admin:${pw}@`,
      `mongodb://admin:${pw}@127.0.0.1:99999/`,
      `mongodb://admin:${pw}@[::1/`,
      `mongodb://admin:${pw}/x@127.0.0.1/`,
      `mongodb+srv://admin:${pw}@db.example:1/`,
      `mongodb://admin:${pw}@127.0.0.1/?bogus=1`,
      `not a uri ${pw}`,
    ];
    for (const [i, uri] of uris.entries()) {
      await foreignSecret(h.kube, ns, `bad-${i}`, { uri });
      await createMu(h.kube, ns, `m-${i}`, {
        username: `m${i}`,
        adminSecretRef: { name: `bad-${i}` },
      });
    }
    for (const i of uris.keys())
      await refused(
        ns,
        `m-${i}`,
        "InvalidAdminSecret",
        new RegExp(`Secret ${ns}/bad-${i} key uri`),
      );
    await assertNoLeak(h, ns, pw);
  });
});

describe("MongoUser with text at the schema's limits", () => {
  test("multibyte roles and password at their maxima pass through watch, cache and status, cut on a character boundary", async () => {
    const ns = h.namespace();
    const role = (i: number) => [...`${i}${"漢é😀".repeat(30)}`].slice(0, 64).join("");
    const roles = Array.from({ length: 16 }, (_, i) => role(i));
    const password = "漢é".repeat(64);
    const username = "u".repeat(128);
    await createMu(h.kube, ns, "wide", { username, roles, password });
    await eventually(async () => {
      const c = await condOf(h.kube, ns, "wide", "RolesApplied");
      assert.equal(c?.reason, "NotSupported");
      assert.ok(!c.message.includes("\uFFFD"), "no broken character");
      assert.ok(utf8Length(c.message) <= 1024, "the message is cut");
    });
    assert.ok(await canLogin(h.fdb, username, password), "the multibyte password works");
    await assertNoLeak(h, ns, password);
  });

  test("a password the server refuses (emoji fail SASLprep) is a condition naming where it came from, without it", async () => {
    const ns = h.namespace();
    const pwd = `😀${randomBytes(8).toString("hex")}`;
    await foreignSecret(h.kube, ns, "emoji", { password: pwd });
    await createMu(h.kube, ns, "smile", {
      username: "smile",
      passwordSecretRef: { name: "emoji" },
    });
    await refused(ns, "smile", "PasswordRejected", /spec\.passwordSecretRef.*emoji.*"password"/);
    await assertNoLeak(h, ns, pwd, pwd.slice(2));
  });

  test("MongoUser names of 253 characters sharing their first 249 get distinct password Secrets, and both users log in", async () => {
    const ns = h.namespace();
    const names = ["one", "two"].map((s) => `${"a".repeat(249)}-${s}`);
    for (const [i, name] of names.entries())
      await createMu(h.kube, ns, name, { username: `${"u".repeat(127)}${i}` });
    const secrets = await eventually(async () => {
      const { items } = await h.kube.list({ ...SECRET, namespace: ns });
      const owned = names.map((n) =>
        items.find((s) => s.metadata?.ownerReferences?.some((r) => r.name === n)),
      );
      assert.ok(owned.every(Boolean), "each MongoUser owns a Secret");
      return owned.map((s) => s!.metadata!.name!);
    });
    assert.notEqual(secrets[0], secrets[1]);
    for (const [i, s] of secrets.entries())
      await eventually(async () =>
        assert.ok(await canLogin(h.fdb, `${"u".repeat(127)}${i}`, await passwordIn(ns, s))),
      );
  });
});
