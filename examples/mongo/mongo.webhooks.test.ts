// The MongoUser's admission and conversion webhooks (admission.ts, resources.ts) on the real
// control plane, served by the operator through the local loop: what kubectl and the client
// see, a defaulted username and an object written at v2 that the operator creates on FerretDB.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ObjectOf } from "capstan";
import { InvalidError } from "capstan/client";
import { eventually, kubectl, useControlPlane, type TestControlPlane } from "capstan/testing";
import { MongoUser } from "./operator.js";
import { canLogin, createMu, muRef, SECRET, startHarness, type Harness } from "./mongo.testkit.js";

let h: Harness;
let cp: TestControlPlane;
let ns: string;

const manifest = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({
    ...MongoUser.typeRef,
    metadata: { name, namespace: ns },
    spec: { adminSecretRef: { name: "mongo-admin" }, ...spec },
  });
const getMu = async (name: string) =>
  (await h.kube.get(muRef(ns, name))) as ObjectOf<typeof MongoUser>;
const create = (name: string, spec: Record<string, unknown>) =>
  kubectl(cp, ["create", "-f", "-"], { input: manifest(name, spec) });

before(async () => {
  cp = await useControlPlane();
  h = await startHarness("mongo-wh", 1, { webhooks: true });
  ns = h.namespace();
  // The API server takes the configurations up from a watch: wait until a reserved name is
  // refused on a dry run.
  await eventually(async () => {
    const r = await kubectl(cp, ["create", "--dry-run=server", "-f", "-"], {
      input: manifest("probe", { username: "root" }),
    });
    if (r.code === 0) throw new Error("webhook not called yet");
  });
});
after(async () => h.stop());

describe("MongoUser admission", () => {
  test("a MongoUser without spec.username is stored with its name as the username, and that user logs in", async () => {
    await createMu(h.kube, ns, "dora", {});
    assert.equal((await getMu("dora")).spec.username, "dora");
    const pw = await eventually(async () => {
      const s = await h.kube.get({ ...SECRET, namespace: ns, name: "dora-mongo" });
      return Buffer.from(s.data!.password!, "base64").toString();
    });
    await eventually(async () => assert.ok(await canLogin(h.fdb, "dora", pw)));
  });

  test("an update that leaves spec.username out keeps the stored one", async () => {
    await createMu(h.kube, ns, "eve", { username: "eve-app" });
    await h.kube.patch(muRef(ns, "eve"), { spec: { username: null } }); // a merge patch removes it
    assert.equal((await getMu("eve")).spec.username, "eve-app");
  });

  test("a reserved username is refused at create with its field, through kubectl", async () => {
    const r = await create("superuser", { username: "root" });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /The MongoUser "superuser" is invalid: spec\.username: "root" is reserved: MongoDB user admin\.root is a system resource/,
    );
  });

  test("a role over every database is refused when an existing MongoUser is updated to it", async () => {
    await createMu(h.kube, ns, "frank", { username: "frank" });
    const e = await h.kube
      .patch(muRef(ns, "frank"), { spec: { roles: ["readWriteAnyDatabase"] } })
      .then(
        () => assert.fail("the update went through"),
        (err: unknown) => err,
      );
    assert.ok(e instanceof InvalidError, String(e));
    assert.deepEqual(
      e.causes.map((c) => c.field),
      ["spec.roles"],
    );
    assert.deepEqual((await getMu("frank")).spec.roles, []);
  });

  test("a passwordSecretRef naming the admin Secret is refused at create", async () => {
    const r = await create("grace", {
      username: "grace",
      passwordSecretRef: { name: "mongo-admin" },
    });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /spec\.passwordSecretRef\.name: names the admin Secret mongo-admin \(spec\.adminSecretRef\)/,
    );
  });

  test("a MongoUser written at v2 reads at v1 with the same user, back at v2 as written, and the operator creates that user", async () => {
    const user = { name: "ivan", database: "app" };
    const v2 = { apiVersion: "mkramb.com/v2", kind: MongoUser.kind, namespace: ns, name: "ivan" };
    // The operator points the CRD at its conversion webhook when it starts: the API server
    // takes that up a moment later.
    await eventually(() =>
      h.kube.create({
        apiVersion: v2.apiVersion,
        kind: v2.kind,
        metadata: { name: "ivan", namespace: ns },
        spec: { user, adminSecretRef: { name: "mongo-admin" } },
      }),
    );
    const v1 = await getMu("ivan");
    assert.equal(v1.spec.username, "ivan");
    assert.equal(v1.spec.database, "app");
    const back = (await h.kube.get(v2)) as { spec: Record<string, unknown> };
    assert.deepEqual(back.spec, { user, adminSecretRef: { name: "mongo-admin" }, roles: [] });
    const pw = await eventually(async () => {
      const s = await h.kube.get({ ...SECRET, namespace: ns, name: "ivan-mongo" });
      return Buffer.from(s.data!.password!, "base64").toString();
    });
    await eventually(async () => assert.ok(await canLogin(h.fdb, "ivan", pw, "app")));
  });

  test("a plaintext password is accepted with a warning in kubectl's output", async () => {
    const r = await create("heidi", { username: "heidi", password: "plain-pass-1" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: spec\.password is stored in plaintext/);
  });
});
