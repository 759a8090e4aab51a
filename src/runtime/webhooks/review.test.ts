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

/** The whole schema of a `validation: "webhook"` resource: size must be even. */
const evenSize = (o: unknown) =>
  (o as Obj).spec.size % 2
    ? [{ path: "spec.size", code: "FieldValueInvalid", message: "must be even" }]
    : [];

test("a schema problem denies a create with a 422 whose cause is the field", async () => {
  const a = new Admission<Obj>(kind, evenSize);
  const r = (await review(request("CREATE", obj(3)), a as Admission<unknown>, "validate"))
    .response!;
  assert.equal(r.allowed, false);
  assert.equal(r.status?.message, "spec.size: must be even");
  assert.deepEqual(r.status?.details?.causes, [
    { type: "FieldValueInvalid", field: "spec.size", message: "must be even" },
  ]);
});

test("several schema problems are all causes, in the API server's message format", async () => {
  const two = () => [
    { path: "spec.a", code: "FieldValueInvalid", message: "bad a" },
    { path: "spec.b", code: "FieldValueInvalid", message: "bad b" },
  ];
  const a = new Admission<Obj>(kind, two);
  const r = (await review(request("CREATE", obj(2)), a as Admission<unknown>, "validate"))
    .response!;
  assert.equal(r.status?.message, "[spec.a: bad a, spec.b: bad b]");
  assert.equal(r.status?.details?.causes.length, 2);
});

test("an update that leaves spec unchanged is allowed even if the stored spec breaks the schema", async () => {
  const a = new Admission<Obj>(kind, evenSize);
  const labelled = { ...obj(3), metadata: { name: "c", labels: { x: "y" } } };
  const r = (await review(request("UPDATE", labelled, obj(3)), a as Admission<unknown>, "validate"))
    .response!;
  assert.equal(r.allowed, true);
});

test("the schema is checked before the handler, which is not called on a schema problem", async () => {
  let called = false;
  const a = new Admission<Obj>(kind, evenSize).validate({ create: () => void (called = true) });
  await review(request("CREATE", obj(3)), a as Admission<unknown>, "validate");
  assert.equal(called, false);
});
