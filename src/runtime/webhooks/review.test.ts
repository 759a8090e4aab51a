import assert from "node:assert/strict";
import { test } from "node:test";
import { Admission, deny } from "./admission.js";
import { review, type AdmissionReview } from "./review.js";

type Obj = { metadata: { name: string }; spec: { size: number; tier?: string } };
const kind = { apiVersion: "example.com/v1", kind: "Cache" };

const request = (operation: "CREATE" | "UPDATE" | "DELETE", object?: Obj, oldObject?: Obj) =>
  ({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "u1",
      kind: { group: "example.com", version: "v1", kind: "Cache" },
      operation,
      namespace: "ns",
      name: "c",
      object,
      oldObject,
    },
  }) satisfies AdmissionReview;

const obj = (size: number): Obj => ({ metadata: { name: "c" }, spec: { size } });

test("a mutate handler's changes come back as a base64 JSON patch", async () => {
  const a = new Admission<Obj>(kind).mutate(({ object }) => {
    object.spec.tier = "gold";
  });
  const r = (await review(request("CREATE", obj(1)), a as Admission<unknown>, "mutate")).response!;
  assert.equal(r.allowed, true);
  assert.equal(r.patchType, "JSONPatch");
  assert.deepEqual(JSON.parse(Buffer.from(r.patch!, "base64").toString()), [
    { op: "add", path: "/spec/tier", value: "gold" },
  ]);
});

test("a mutate handler that changes nothing sends no patch", async () => {
  const a = new Admission<Obj>(kind).mutate(() => undefined);
  const r = (await review(request("CREATE", obj(1)), a as Admission<unknown>, "mutate")).response!;
  assert.deepEqual(r, { uid: "u1", allowed: true });
});

test("a denial without a field is a 403 with the handler's message", async () => {
  const a = new Admission<Obj>(kind).validate({ delete: () => deny("kept forever") });
  const r = (
    await review(request("DELETE", undefined, obj(1)), a as Admission<unknown>, "validate")
  ).response!;
  assert.deepEqual(r.status, { code: 403, message: "kept forever", reason: "Forbidden" });
});

test("an operation without a handler is allowed", async () => {
  const a = new Admission<Obj>(kind).validate({ delete: () => deny("no") });
  const r = (await review(request("CREATE", obj(1)), a as Admission<unknown>, "validate"))
    .response!;
  assert.equal(r.allowed, true);
});

test("a handler that throws denies with a 500 naming the object and the operation", async () => {
  const a = new Admission<Obj>(kind).validate({
    update: () => {
      throw new Error("boom");
    },
  });
  const r = (await review(request("UPDATE", obj(2), obj(1)), a as Admission<unknown>, "validate"))
    .response!;
  assert.equal(r.allowed, false);
  assert.equal(r.status?.code, 500);
  assert.match(r.status!.message, /validate update Cache ns\/c: the handler failed: boom/);
});

test("warnings are returned with an allowed request", async () => {
  const a = new Admission<Obj>(kind).validate({ create: ({ warn }) => warn("heads up") });
  const r = (await review(request("CREATE", obj(1)), a as Admission<unknown>, "validate"))
    .response!;
  assert.deepEqual(r.warnings, ["heads up"]);
});
