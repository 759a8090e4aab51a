// zod → Kubernetes schema: each supported feature maps to the keyword Kubernetes expects, and
// each construct Kubernetes cannot express is an issue naming the field and the rule.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toKubernetesSchema } from "./convert.js";
import { k8s, z } from "./index.js";
import type { JSONSchemaProps } from "./schema.js";

const convert = (s: z.ZodType): JSONSchemaProps => {
  const r = toKubernetesSchema(s, "spec");
  assert.deepEqual(r.issues, []);
  return r.schema;
};
const field = (s: z.ZodType) => convert(z.object({ f: s })).properties!.f!;
const issues = (s: z.ZodType) =>
  toKubernetesSchema(z.object({ f: s }), "spec").issues.map((i) => [i.path, i.rule]);

describe("schema features", () => {
  test("required fields are the ones without optional or default", () => {
    const s = convert(
      z.object({
        a: z.string(),
        b: z.string().optional(),
        c: z.string().default("x"),
        d: z.unknown(),
      }),
    );
    assert.deepEqual(s.required, ["a"]);
    assert.equal(s.properties!.c!.default, "x");
    assert.deepEqual(s.properties!.d, { "x-kubernetes-preserve-unknown-fields": true });
  });

  test("descriptions, enums, literals and nullable", () => {
    assert.deepEqual(field(z.enum(["a", "b"]).describe("pick one")), {
      type: "string",
      enum: ["a", "b"],
      description: "pick one",
    });
    assert.deepEqual(field(z.literal(3)), { type: "integer", enum: [3] });
    assert.deepEqual(field(z.string().nullable()), { type: "string", nullable: true });
    assert.deepEqual(field(z.union([z.string(), z.null()])), { type: "string", nullable: true });
    assert.deepEqual(field(z.union([z.literal("a"), z.literal("b")])), {
      type: "string",
      enum: ["a", "b"],
    });
  });

  test("string lengths, patterns with flags, and formats the API server knows", () => {
    assert.deepEqual(field(z.string().min(2).max(5).regex(/^a/i)), {
      type: "string",
      minLength: 2,
      maxLength: 5,
      pattern: "(?i)^a",
    });
    assert.equal(field(z.uuid()).format, "uuid");
    assert.equal(field(z.iso.datetime()).format, "date-time");
    assert.equal(field(z.url()).format, "uri");
    assert.deepEqual(field(z.string().startsWith("x").endsWith("y")), {
      type: "string",
      pattern: "^x.*",
      allOf: [{ pattern: ".*y$" }],
    });
    assert.equal(field(k8s.format(z.string(), "k8s-short-name")).format, "k8s-short-name");
  });

  test("numbers: integer, bounds, exclusive bounds, multipleOf", () => {
    assert.deepEqual(field(z.int().min(1).max(3)), { type: "integer", minimum: 1, maximum: 3 });
    assert.deepEqual(field(z.number().gt(0).lt(1).multipleOf(0.25)), {
      type: "number",
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 1,
      exclusiveMaximum: true,
      multipleOf: 0.25,
    });
    assert.deepEqual(field(z.int32()), {
      type: "integer",
      minimum: -2147483648,
      maximum: 2147483647,
    });
  });

  test("maps, lists, list types and map types", () => {
    assert.deepEqual(field(z.record(z.string(), z.int())), {
      type: "object",
      additionalProperties: { type: "integer" },
    });
    assert.deepEqual(field(z.array(z.string()).min(1).max(4)), {
      type: "array",
      items: { type: "string" },
      minItems: 1,
      maxItems: 4,
    });
    assert.equal(field(k8s.listType(z.array(z.string()), "set"))["x-kubernetes-list-type"], "set");
    const m = field(k8s.listMap(z.array(z.object({ name: z.string() })), ["name"]));
    assert.deepEqual(
      [m["x-kubernetes-list-type"], m["x-kubernetes-list-map-keys"]],
      ["map", ["name"]],
    );
    assert.equal(field(k8s.mapType(z.object({}), "atomic"))["x-kubernetes-map-type"], "atomic");
    const keys = field(
      z.record(
        z
          .string()
          .regex(/^[a-z]+$/)
          .max(8),
        z.string(),
      ),
    );
    assert.deepEqual(keys["x-kubernetes-validations"], [
      {
        rule: 'self.all(k, k.matches("^[a-z]+$") && size(k) <= 8)',
        message: "map keys are invalid",
      },
    ]);
    assert.deepEqual(field(z.record(z.enum(["a", "b"]), z.int())), {
      type: "object",
      properties: { a: { type: "integer" }, b: { type: "integer" } },
      required: ["a", "b"],
    });
  });

  test("int-or-string, preserved unknown fields and embedded resources", () => {
    const ios = {
      anyOf: [{ type: "integer" }, { type: "string" }],
      "x-kubernetes-int-or-string": true,
    };
    assert.deepEqual(field(k8s.intOrString()), ios);
    assert.deepEqual(field(z.union([z.int(), z.string()])), ios);
    assert.deepEqual(field(k8s.preserveUnknown()), {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    });
    const known = field(k8s.preserveUnknown(z.object({ count: z.int() })));
    assert.deepEqual(known.properties, { count: { type: "integer" } });
    assert.equal(known["x-kubernetes-preserve-unknown-fields"], true);
    const e = field(k8s.embedded({ spec: z.object({ x: z.string() }) }));
    assert.equal(e["x-kubernetes-embedded-resource"], true);
    assert.deepEqual(e.required, ["apiVersion", "kind", "spec"]);
  });

  test("CEL rules with messages and reasons, kept through later zod calls", () => {
    const s = field(
      k8s
        .cel(z.string(), "self.size() > 1", { message: "too short", reason: "FieldValueForbidden" })
        .optional()
        .describe("d"),
    );
    assert.deepEqual(s, {
      type: "string",
      description: "d",
      "x-kubernetes-validations": [
        { rule: "self.size() > 1", message: "too short", reason: "FieldValueForbidden" },
      ],
    });
    const twice = field(k8s.cel(k8s.cel(z.int(), "self > 0"), "self < 9", "small"));
    assert.deepEqual(twice["x-kubernetes-validations"], [
      { rule: "self > 0" },
      { rule: "self < 9", message: "small" },
    ]);
  });

  test("a discriminated union becomes one skeleton with a oneOf of value validations", () => {
    const s = field(
      z.discriminatedUnion("type", [
        z.object({ type: z.literal("git"), url: z.string() }),
        z.object({ type: z.literal("s3"), bucket: z.string().min(3) }),
      ]),
    );
    assert.deepEqual(s, {
      type: "object",
      properties: { type: { type: "string" }, url: { type: "string" }, bucket: { type: "string" } },
      oneOf: [
        { properties: { type: { enum: ["git"] } }, required: ["type", "url"] },
        {
          properties: { type: { enum: ["s3"] }, bucket: { minLength: 3 } },
          required: ["type", "bucket"],
        },
      ],
    });
  });

  test("an intersection of objects merges their fields", () => {
    const s = field(z.intersection(z.object({ a: z.string() }), z.object({ b: z.int() })));
    assert.deepEqual(s, {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "integer" } },
      required: ["a", "b"],
    });
  });
});

describe("constructs Kubernetes cannot express are issues naming the field and rule", () => {
  test("unions of different types, tuples, recursion and unrepresentable types", () => {
    assert.deepEqual(issues(z.union([z.string(), z.number()])), [["spec.f", "union-types"]]);
    assert.deepEqual(issues(z.tuple([z.string(), z.int()])), [["spec.f", "tuple"]]);
    assert.deepEqual(issues(z.date()), [["spec.f", "unrepresentable"]]);
    assert.deepEqual(issues(z.array(z.bigint())), [["spec.f[*]", "unrepresentable"]]);
    const Tree: z.ZodType = z.lazy(() => z.object({ children: z.array(Tree) }));
    assert.deepEqual(issues(Tree), [["spec.f.children[*]", "recursive"]]);
  });

  test("what only zod would check or change: refine, transform, coerce, catch, trim", () => {
    assert.deepEqual(issues(z.string().refine((s) => s !== "x")), [["spec.f", "refine"]]);
    assert.deepEqual(issues(z.string().transform((s) => s.length)), [["spec.f", "transform"]]);
    assert.deepEqual(issues(z.coerce.number()), [["spec.f", "coerce"]]);
    assert.deepEqual(issues(z.string().catch("x")), [["spec.f", "catch"]]);
    assert.deepEqual(issues(z.string().trim()), [["spec.f", "overwrite"]]);
  });

  test("patterns RE2 cannot compile and typed catchalls", () => {
    assert.deepEqual(issues(z.string().regex(/^(?!x)/)), [["spec.f", "pattern-re2"]]);
    assert.deepEqual(issues(z.object({ a: z.string() }).catchall(z.int())), [
      ["spec.f", "catchall"],
    ]);
    assert.deepEqual(issues(k8s.format(z.string(), "zip-code")), [["spec.f", "format"]]);
  });
});
