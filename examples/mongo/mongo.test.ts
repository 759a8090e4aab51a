// The MongoUser operator against a real MongoDB-wire server (FerretDB v1 on SQLite).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MongoClient } from "mongodb";
import { InvalidError, KubeClient } from "../../src/client/index.js";
import { installCrds } from "../../src/runtime/index.js";
import {
  eventsFor,
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
} from "../../src/testing/index.js";
import { startFerretDB, type FerretDB } from "../../src/testing/servers/ferretdb.js";
import operator, { MongoUser } from "./operator.js";

let kube: KubeClient;
let fdb: FerretDB;
let op: RunningOperator;
let ns: { name: string; dispose(): Promise<void> };
const SECRET = { apiVersion: "v1", kind: "Secret" } as const;
const ref = (name: string) => ({
  apiVersion: MongoUser.apiVersion,
  kind: MongoUser.kind,
  namespace: ns.name,
  name,
});
type St = {
  status?: {
    conditions?: { type: string; status: string; reason: string; message: string }[];
    created?: boolean;
  };
};
const cond = async (name: string, type: string) =>
  ((await kube.get(ref(name))) as St).status?.conditions?.find((c) => c.type === type);

async function canLogin(user: string, password: string): Promise<boolean> {
  const c = new MongoClient(
    `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${fdb.port}/?authSource=admin`,
    { serverSelectionTimeoutMS: 5000 },
  );
  try {
    await c.connect();
    await c.db("admin").command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await c.close();
  }
}
async function userExists(user: string): Promise<boolean> {
  const c = new MongoClient(fdb.uri);
  try {
    return (
      ((await c.db("admin").command({ usersInfo: user })) as { users: unknown[] }).users.length > 0
    );
  } finally {
    await c.close();
  }
}
const create = (name: string, spec: Record<string, unknown>) =>
  kube.create({
    apiVersion: MongoUser.apiVersion,
    kind: MongoUser.kind,
    metadata: { name, namespace: ns.name },
    spec: { adminSecretRef: { name: "mongo-admin" }, ...spec },
  });

before(async () => {
  const cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  fdb = await startFerretDB();
  await installCrds(kube, [MongoUser]);
  ns = await testNamespace(kube, "mongo");
  await kube.create({
    ...SECRET,
    metadata: { name: "mongo-admin", namespace: ns.name },
    stringData: { uri: fdb.uri },
  });
  op = await runOperator(operator, { kubeconfig: cp.kubeconfig, namespaces: [ns.name] });
});
after(async () => {
  await op.stop();
  await ns.dispose();
  await fdb.stop();
});

describe("MongoUser", () => {
  test("a generated password in a Secret; the user logs in with it; a new password in the Secret updates the user", async () => {
    await create("alice", { username: "alice" });
    const pw = await eventually(async () => {
      const s = await kube.get({ ...SECRET, namespace: ns.name, name: "alice-mongo" });
      return Buffer.from(s.data!.password!, "base64").toString();
    });
    await eventually(async () =>
      assert.ok(await canLogin("alice", pw), "alice logs in with the generated password"),
    );
    await kube.patch(
      { ...SECRET, namespace: ns.name, name: "alice-mongo" },
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
    const events = await eventsFor(kube, mu);
    assert.ok(events.some((e) => e.reason === "PlaintextPassword" && e.type === "Warning"));
    assert.ok(
      !events.some((e) => (e.note ?? "").includes("s3cret-plain")),
      "the password is in no Event",
    );
  });

  test("deleting the MongoUser drops the user; a missing admin Secret is a clear condition", async () => {
    await create("dave", { username: "dave" });
    await eventually(async () => assert.ok(await userExists("dave"), "dave created"));
    await kube.delete(ref("dave"));
    await eventually(async () => assert.equal(await userExists("dave"), false, "dave dropped"));
    await create("erin", { username: "erin", adminSecretRef: { name: "nope" } });
    await eventually(async () =>
      assert.match(
        (await cond("erin", "Reconciled"))?.message ?? "",
        /admin Secret .*\/nope with key uri not found/,
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
    await kube.create({
      ...SECRET,
      metadata: { name: "wrong-admin", namespace: ns.name },
      stringData: { uri: fdb.uri.replace(fdb.password, "not-the-password") },
    });
    const mu = await create("frank", {
      username: "frank",
      adminSecretRef: { name: "wrong-admin" },
    });
    await eventually(async () =>
      assert.match((await cond("frank", "Reconciled"))?.message ?? "", /cannot reach MongoDB/),
    );
    assert.equal(await userExists("frank"), false, "nothing created");
    const events = await eventsFor(kube, mu);
    assert.ok(
      !events.some(
        (e) => (e.note ?? "").includes("not-the-password") || (e.note ?? "").includes(fdb.password),
      ),
      "no password in Events",
    );
  });
});
