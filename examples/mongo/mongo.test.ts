// The MongoUser operator against a real MongoDB-wire server (FerretDB v1 on SQLite).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { InvalidError } from "capstan/client";
import { eventsFor, eventually } from "capstan/testing";
import {
  assertNoLeak,
  canLogin as loginAs,
  condOf,
  createMu,
  foreignSecret,
  muRef,
  SECRET,
  startHarness,
  userExists as exists,
  type Harness,
} from "./mongo.testkit.js";

let h: Harness;
let ns: string;
before(async () => {
  h = await startHarness("mongo", 1);
  ns = h.namespace();
});
after(async () => h.stop());

const ref = (name: string) => muRef(ns, name);
const cond = (name: string, type: string) => condOf(h.kube, ns, name, type);
const create = (name: string, spec: Record<string, unknown>) => createMu(h.kube, ns, name, spec);
const canLogin = (user: string, password: string) => loginAs(h.fdb, user, password);
const userExists = (user: string) => exists(h.fdb, user);

describe("MongoUser", () => {
  test("a generated password in a Secret; the user logs in with it; a new password in the Secret updates the user", async () => {
    await create("alice", { username: "alice" });
    const pw = await eventually(async () => {
      const s = await h.kube.get({ ...SECRET, namespace: ns, name: "alice-mongo" });
      return Buffer.from(s.data!.password!, "base64").toString();
    });
    await eventually(async () =>
      assert.ok(await canLogin("alice", pw), "alice logs in with the generated password"),
    );
    await h.kube.patch(
      { ...SECRET, namespace: ns, name: "alice-mongo" },
      { stringData: { password: "brand-new-pass" } },
    );
    await eventually(async () =>
      assert.ok(await canLogin("alice", "brand-new-pass"), "the new password works"),
    );
    assert.equal(await canLogin("alice", pw), false, "the old one no longer does");
  });

  test("roles the server cannot apply are reported, not pretended", async () => {
    await create("bob", { username: "bob", roles: ["read", "readWrite"] });
    await eventually(async () => {
      const c = await cond("bob", "RolesApplied");
      assert.equal(c?.status, "False");
      assert.equal(c?.reason, "NotSupported");
      assert.match(c?.message ?? "", /read, readWrite/);
    });
    assert.ok(await userExists("bob"), "the user exists, without roles");
  });

  test("a plaintext password still works but is flagged in status and an Event", async () => {
    const mu = await create("carol", { username: "carol", password: "s3cret-plain" });
    await eventually(async () =>
      assert.equal((await cond("carol", "PlaintextPassword"))?.status, "True"),
    );
    assert.ok(await canLogin("carol", "s3cret-plain"));
    const events = await eventsFor(h.kube, mu);
    assert.ok(events.some((e) => e.reason === "PlaintextPassword" && e.type === "Warning"));
    await assertNoLeak(h, ns, "s3cret-plain");
  });

  test("a Secret named by passwordSecretRef that does not exist is generated and owned by the MongoUser", async () => {
    const mu = await create("gus", {
      username: "gus",
      passwordSecretRef: { name: "gus-creds", key: "pw" },
    });
    const secret = await eventually(() =>
      h.kube.get({ ...SECRET, namespace: ns, name: "gus-creds" }),
    );
    assert.equal(secret.metadata?.ownerReferences?.[0]?.uid, mu.metadata?.uid);
    const pw = Buffer.from(secret.data!.pw!, "base64").toString();
    await eventually(async () => assert.ok(await canLogin("gus", pw)));
  });

  test("fixing a broken admin Secret creates the user at once: the Secret's change re-queues the MongoUser, no retry is waited for", async () => {
    await foreignSecret(h.kube, ns, "late-admin", { note: "uri comes later" });
    await create("ivan", { username: "ivan", adminSecretRef: { name: "late-admin" } });
    await eventually(async () =>
      assert.equal((await cond("ivan", "Reconciled"))?.reason, "AdminSecretMissing"),
    );
    await h.kube.patch(
      { ...SECRET, namespace: ns, name: "late-admin" },
      { stringData: { uri: h.fdb.uri } },
    );
    await eventually(async () => assert.ok(await userExists("ivan"), "ivan created"));
  });

  test("a new password in a Secret it does not own updates the user at once: the Secret's change re-queues the MongoUser", async () => {
    await foreignSecret(h.kube, ns, "judy-creds", { password: "first-pass" });
    await create("judy", { username: "judy", passwordSecretRef: { name: "judy-creds" } });
    await eventually(async () => assert.ok(await canLogin("judy", "first-pass")));
    await h.kube.patch(
      { ...SECRET, namespace: ns, name: "judy-creds" },
      { stringData: { password: "second-pass" } },
    );
    await eventually(async () => assert.ok(await canLogin("judy", "second-pass")));
    const secret = await h.kube.get({ ...SECRET, namespace: ns, name: "judy-creds" });
    assert.equal(secret.metadata?.ownerReferences, undefined, "still not owned");
  });

  test("spec.username and spec.database cannot be changed: they are the user this object owns", async () => {
    await create("hal", { username: "hal" });
    for (const spec of [{ username: "hal2" }, { database: "app" }])
      await assert.rejects(
        h.kube.patch(ref("hal"), { spec }),
        (e: unknown) => e instanceof InvalidError && /immutable/.test(e.message),
      );
  });

  test("deleting the MongoUser drops the user; a missing admin Secret is a clear condition", async () => {
    await create("dave", { username: "dave" });
    await eventually(async () => assert.ok(await userExists("dave"), "dave created"));
    await h.kube.delete(ref("dave"));
    await eventually(async () => assert.equal(await userExists("dave"), false, "dave dropped"));
    await create("erin", { username: "erin", adminSecretRef: { name: "nope" } });
    await eventually(async () =>
      assert.match(
        (await cond("erin", "Reconciled"))?.message ?? "",
        /spec\.adminSecretRef: Secret .*\/nope with key uri not found/,
      ),
    );
    assert.equal(await userExists("erin"), false);
  });

  test("hostile input: injection in the username is refused by the schema, a wrong admin password is a clear condition", async () => {
    for (const username of ['x"; db.dropDatabase(); "', "$where", "a".repeat(129)]) {
      await assert.rejects(
        create("hostile", { username }),
        (e: unknown) =>
          e instanceof InvalidError && e.causes.some((c) => c.field === "spec.username"),
      );
    }
    await foreignSecret(h.kube, ns, "wrong-admin", {
      uri: h.fdb.uri.replace(h.fdb.password, "not-the-password"),
    });
    await create("frank", {
      username: "frank",
      adminSecretRef: { name: "wrong-admin" },
    });
    await eventually(async () =>
      assert.match((await cond("frank", "Reconciled"))?.message ?? "", /cannot reach MongoDB/),
    );
    assert.equal(await userExists("frank"), false, "nothing created");
    await assertNoLeak(h, ns, "not-the-password", h.fdb.password);
  });
});
