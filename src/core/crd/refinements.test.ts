// zod refinements: the API server cannot run them, so a resource opts in to running them in
// its operator's validating webhook (`validation: "webhook"`); the CRD then carries the rest.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CrdSchemaError, defineResource, z, zodProblems } from "./index.js";

const spec = z
  .object({ minReplicas: z.number().int(), maxReplicas: z.number().int() })
  .refine((s) => s.minReplicas <= s.maxReplicas, {
    message: "must be at least minReplicas",
    path: ["maxReplicas"],
  });

const pool = (validation?: "webhook") =>
  defineResource({
    group: "example.com",
    version: "v1",
    kind: "Pool",
    spec,
    ...(validation ? { validation } : {}),
  });

test("a resource validated in the webhook gets a CRD with the structural part of a refined schema", () => {
  const schema = pool("webhook").crd().spec.versions[0]!.schema.openAPIV3Schema;
  assert.deepEqual(schema.properties!.spec!.required, ["minReplicas", "maxReplicas"]);
});

test("without validation: webhook, a refinement is refused with a message that names the option", () => {
  assert.throws(
    () => pool().crd(),
    (e: unknown) =>
      e instanceof CrdSchemaError &&
      e.issues.some((i) => i.rule === "refine" && i.message.includes('validation: "webhook"')),
  );
});

test("transforms are refused even when validation runs in the webhook: it validates, never changes", () => {
  const R = defineResource({
    group: "example.com",
    version: "v1",
    kind: "Trimmed",
    spec: z.object({ name: z.string().transform((s) => s.trim()) }),
    validation: "webhook",
  });
  assert.throws(() => R.crd(), /transforms and pipes/);
});

test("zodProblems reports a cross-field refinement at its field below spec", () => {
  const obj = {
    apiVersion: "example.com/v1",
    kind: "Pool",
    metadata: { name: "p" },
    spec: { minReplicas: 3, maxReplicas: 2 },
  };
  assert.deepEqual(zodProblems(pool("webhook"), obj), [
    {
      path: "spec.maxReplicas",
      code: "FieldValueInvalid",
      message: "must be at least minReplicas",
    },
  ]);
});

test("zodProblems finds nothing wrong with an object that satisfies the whole schema", () => {
  const obj = {
    apiVersion: "example.com/v1",
    kind: "Pool",
    spec: { minReplicas: 1, maxReplicas: 2 },
  };
  assert.deepEqual(zodProblems(pool("webhook"), obj), []);
});
