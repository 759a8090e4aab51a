// The structural-schema checker and the API server agree: each schema below is refused by both
// (the checker naming the rule and the place) or accepted by both.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, test } from "node:test";
import { BadRequestError, InvalidError, KubeClient } from "../../client/index.js";
import { useControlPlane } from "../../testing/index.js";
import type { JSONSchemaProps } from "./schema.js";
import { checkStructural } from "./structural.js";

const spec = (s: Record<string, unknown>): JSONSchemaProps => ({
  type: "object",
  properties: { spec: { type: "object", properties: { f: s as JSONSchemaProps } } },
});

const refused: [title: string, schema: JSONSchemaProps, rule: string, path: string][] = [
  ["$ref", spec({ $ref: "#/definitions/x" }), "no-ref", "v1.spec.f"],
  [
    "uniqueItems: true",
    spec({ type: "array", items: { type: "string" }, uniqueItems: true }),
    "unique-items",
    "v1.spec.f",
  ],
  [
    "properties with additionalProperties",
    spec({
      type: "object",
      properties: { a: { type: "string" } },
      additionalProperties: { type: "string" },
    }),
    "properties-and-additional-properties",
    "v1.spec.f",
  ],
  ["a type array", spec({ type: ["string", "null"] }), "type-array", "v1.spec.f"],
  ["type null", spec({ type: "null" }), "type-null", "v1.spec.f"],
  ["a field without type", spec({ description: "untyped" }), "type-required", "v1.spec.f"],
  [
    "a list item without type",
    spec({ type: "array", items: { minLength: 1 } }),
    "type-required",
    "v1.spec.f[*]",
  ],
  ["a list without items", spec({ type: "array" }), "items-required", "v1.spec.f"],
  [
    "anyOf members that add types",
    spec({ anyOf: [{ type: "string" }, { type: "integer" }] }),
    "junctor",
    "v1.spec.f.anyOf[0]",
  ],
  [
    "an anyOf member naming an undeclared field",
    {
      type: "object",
      properties: { spec: { type: "object" } },
      anyOf: [{ required: ["x"], properties: { x: { minLength: 1 } } }],
    },
    "junctor-completeness",
    "v1.anyOf[0].x",
  ],
  [
    "a default that does not validate",
    spec({ type: "integer", maximum: 3, default: 5 }),
    "default-invalid",
    "v1.spec.f",
  ],
  [
    "a default with undeclared fields",
    spec({ type: "object", properties: { a: { type: "string" } }, default: { a: "x", b: 1 } }),
    "default-pruned",
    "v1.spec.f",
  ],
  [
    "metadata restricted beyond name",
    {
      type: "object",
      properties: { metadata: { type: "object", properties: { labels: { type: "object" } } } },
    },
    "metadata",
    "v1.metadata",
  ],
  ["a lookahead pattern", spec({ type: "string", pattern: "^(?!x)" }), "pattern-re2", "v1.spec.f"],
  [
    "a map list whose key is optional",
    spec({
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      items: { type: "object", properties: { name: { type: "string" } } },
    }),
    "list-map-keys",
    "v1.spec.f[*].name",
  ],
  [
    "a set of granular objects",
    spec({
      type: "array",
      "x-kubernetes-list-type": "set",
      items: { type: "object", properties: { a: { type: "string" } } },
    }),
    "list-type",
    "v1.spec.f[*]",
  ],
  [
    "a CEL rule that does not parse",
    spec({ type: "string", "x-kubernetes-validations": [{ rule: "self ==" }] }),
    "cel",
    "v1.spec.f",
  ],
  [
    "an embedded resource that is not an object",
    spec({ type: "string", "x-kubernetes-embedded-resource": true }),
    "embedded-object",
    "v1.spec.f",
  ],
  [
    "int-or-string that also preserves unknown fields",
    spec({ "x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true }),
    "int-or-string",
    "v1.spec.f",
  ],
  ["a root that is not an object", { type: "string" }, "root-object", "v1"],
];

test("a member of a nested oneOf naming an undeclared field is refused, though the API server lets it pass", () => {
  // The API server checks completeness at the root only; nested, the field would be pruned
  // before validation and the member could never match.
  const schema = spec({
    type: "object",
    oneOf: [{ required: ["a"], properties: { a: { minLength: 1 } } }],
  });
  assert.deepEqual(
    checkStructural(schema, "v1").map((i) => [i.path, i.rule]),
    [["v1.spec.f.oneOf[0].a", "junctor-completeness"]],
  );
});

const accepted: [title: string, schema: JSONSchemaProps][] = [
  ["uniqueItems: false", spec({ type: "array", items: { type: "string" }, uniqueItems: false })],
  [
    "int-or-string with its anyOf",
    spec({ "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] }),
  ],
  [
    "an untyped field that preserves unknown fields",
    spec({ "x-kubernetes-preserve-unknown-fields": true }),
  ],
  [
    "metadata restricted to name",
    {
      type: "object",
      properties: {
        metadata: { type: "object", properties: { name: { type: "string", maxLength: 10 } } },
      },
    },
  ],
  [
    "a oneOf of value validations over declared fields",
    spec({
      type: "object",
      properties: { a: { type: "string" } },
      oneOf: [{ required: ["a"] }, { properties: { a: { enum: ["x"] } } }],
    }),
  ],
];

let kube: KubeClient;
const group = `s${randomBytes(3).toString("hex")}.capstan.test`;
before(async () => {
  kube = await KubeClient.fromKubeconfig({ path: (await useControlPlane()).kubeconfig });
});

/** The API server's verdict on a CRD with this schema (dry run: nothing is created). */
async function serverRefuses(schema: JSONSchemaProps): Promise<boolean> {
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `things.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { kind: "Thing", plural: "things" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
  try {
    await kube.create(crd, { dryRun: true });
    return false;
  } catch (e) {
    // A type array does not even decode (400); every other refusal is a 422 with causes.
    if (e instanceof InvalidError || e instanceof BadRequestError) return true;
    throw e;
  }
}

describe("schemas Kubernetes refuses are refused before they reach it", () => {
  for (const [title, schema, rule, path] of refused) {
    test(`${title}: ${rule} at ${path}`, async () => {
      const issues = checkStructural(schema, "v1");
      assert.ok(
        issues.some((i) => i.rule === rule && i.path === path),
        JSON.stringify(issues),
      );
      assert.equal(await serverRefuses(schema), true, "the API server accepted it");
    });
  }
});

describe("schemas Kubernetes accepts pass the checker", () => {
  for (const [title, schema] of accepted) {
    test(title, async () => {
      assert.deepEqual(checkStructural(schema, "v1"), []);
      assert.equal(await serverRefuses(schema), false, "the API server refused it");
    });
  }
});
