// Runtime validation details that the corpus test (which compares with the API server) does
// not reach: what is reported as skipped, how lengths are counted, parse's error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ValidationError } from "../problem.js";
import { defineResource, k8s, z } from "./index.js";

const Thing = defineResource({
  group: "example.com",
  kind: "Thing",
  version: "v1",
  spec: z.object({
    name: z.string().max(3),
    count: k8s.cel(z.int(), "self >= oldSelf", "count may not decrease").optional(),
    size: k8s.cel(z.string(), "quantity(self).isGreaterThan(quantity('1Gi'))").optional(),
    items: k8s
      .cel(z.array(z.int()), "self.isSorted() && self.sum() < 10", "sorted, sum below 10")
      .optional(),
    ratio: k8s.cel(z.number(), "self + 0.5 < 1.0").optional(),
  }),
});
const thing = (spec: Record<string, unknown>) => ({
  apiVersion: "example.com/v1",
  kind: "Thing",
  metadata: { name: "t", namespace: "ns" },
  spec,
});

test("lengths count characters as the API server does (runes), not UTF-16 units", () => {
  assert.equal(Thing.safeParse(thing({ name: "😀😀😀" })).success, true);
  assert.deepEqual(
    Thing.safeParse(thing({ name: "abcd" })).problems.map((p) => [p.path, p.code]),
    [["spec.name", "FieldValueTooLong"]],
  );
});

test("CEL rules over integers and doubles are typed from the schema, with Kubernetes list functions", () => {
  assert.equal(Thing.safeParse(thing({ name: "a", items: [1, 2, 3], ratio: 0.25 })).success, true);
  const r = Thing.safeParse(thing({ name: "a", items: [3, 1] }));
  assert.deepEqual(r.problems, [
    { path: "spec.items", code: "FieldValueInvalid", message: "sorted, sum below 10" },
  ]);
});

test("transition rules and unsupported functions are reported as skipped, not guessed", () => {
  const r = Thing.safeParse(thing({ name: "a", count: 1, size: "2Gi" }));
  assert.equal(r.success, true);
  assert.deepEqual(
    r.skipped.map((s) => [s.path, s.rule, s.reason.split(":")[0]]),
    [
      ["spec.count", "self >= oldSelf", "transition rule"],
      [
        "spec.size",
        "quantity(self).isGreaterThan(quantity('1Gi'))",
        r.skipped[1]!.reason.split(":")[0],
      ],
    ],
  );
  assert.match(r.skipped[1]!.reason, /quantity/);
});

test("an object of another kind or apiVersion is refused before its schema is consulted", () => {
  const r = Thing.safeParse({
    ...thing({ name: "a" }),
    apiVersion: "example.com/v2",
    kind: "Other",
  });
  assert.deepEqual(
    r.problems.map((p) => [p.path, p.code]),
    [
      ["apiVersion", "FieldValueNotSupported"],
      ["kind", "FieldValueInvalid"],
    ],
  );
  assert.deepEqual(
    Thing.safeParse("nope").problems.map((p) => p.code),
    ["FieldValueTypeInvalid"],
  );
});

test("parse returns the defaulted, pruned object and throws ValidationError naming the object", () => {
  const Defaults = defineResource({
    group: "example.com",
    kind: "Thing",
    version: "v1",
    spec: z.object({
      a: z.string().default("x"),
      b: z.object({ c: z.int().default(1) }).prefault({}),
    }),
  });
  assert.deepEqual(Defaults.parse(thing({ junk: true })).spec, { a: "x", b: { c: 1 } });
  assert.throws(
    () => Thing.parse(thing({})),
    (e: unknown) =>
      e instanceof ValidationError &&
      /Thing ns\/t/.test(e.message) &&
      e.problems[0]?.path === "spec.name",
  );
});
