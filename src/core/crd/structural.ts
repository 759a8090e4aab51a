/**
 * The structural-schema rules of apiextensions.k8s.io/v1, checked before a CRD leaves Capstan.
 *
 * Contract: `checkStructural(schema, path, opts)` returns one `SchemaIssue` per violation the
 * API server would report (apiextensions-apiserver `ValidateCustomResourceDefinitionOpenAPISchema`,
 * `ValidateStructural`, `validateStructuralCompleteness` and default validation, 1.34), naming
 * the field in the definition's terms (`spec.roles[*]`) and the rule. An empty list means the
 * API server accepts the schema, with one exception it cannot see from here: the estimated
 * cost of CEL rules (rules over unbounded lists and strings may exceed the budget; add
 * maxItems/maxLength). It is stricter in one place: members of allOf/anyOf/oneOf/not must
 * only name declared fields at every depth (the API server checks this at the root only, and
 * deeper such a field is pruned before validation, so the member could never match).
 */
import { applyDefaults, prune } from "./defaults.js";
import type { SchemaIssue } from "./errors.js";
import { re2Problem } from "./regex.js";
import type { JSONSchemaProps } from "./schema.js";
import { SCHEMA_KEYS, isKubernetesFormat, itemPath, joinPath } from "./schema.js";
import { lists, rules, type Add } from "./extensions.js";
import { validateValue } from "./validate.js";

type Level = "root" | "field" | "item";
const TYPES = new Set(["object", "array", "string", "integer", "number", "boolean"]);
const FORBIDDEN: Record<string, [string, string]> = {
  $ref: ["no-ref", "$ref is not supported: inline the referenced schema"],
  definitions: ["no-definitions", "definitions are not supported"],
  $defs: ["no-definitions", "$defs are not supported"],
  patternProperties: [
    "no-pattern-properties",
    "patternProperties is not supported: use additionalProperties with a CEL rule on the keys",
  ],
  dependencies: ["no-dependencies", "dependencies is not supported"],
  additionalItems: ["no-additional-items", "additionalItems is not supported"],
  id: ["no-id", "id is not supported"],
  $schema: ["no-schema", "$schema is not supported"],
  const: ["no-const", "const is not supported: use a one-value enum"],
};
/** Keys a member of allOf/anyOf/oneOf/not must not set (`validateNestedValueValidation`). */
const NOT_IN_JUNCTOR = [
  "type",
  "additionalProperties",
  "default",
  "title",
  "description",
  "nullable",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
];
/** Root keys allowed when the status subresource is on (`allowedFieldsAtRootSchema`). */
const ROOT_WITH_STATUS = new Set([
  "description",
  "type",
  "format",
  "title",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "multipleOf",
  "required",
  "items",
  "properties",
  "externalDocs",
  "example",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-validations",
]);

export interface StructuralOptions {
  statusSubresource?: boolean;
}

export function checkStructural(
  schema: JSONSchemaProps,
  path: string,
  opts: StructuralOptions = {},
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const add = (p: string, rule: string, message: string) => issues.push({ path: p, rule, message });
  if (schema.type !== "object")
    add(path, "root-object", "the root of the schema must have type object");
  if (schema.nullable) add(path, "root-nullable", "the root of the schema cannot be nullable");
  if (schema.additionalProperties !== undefined)
    add(path, "root-additional-properties", "additionalProperties cannot be used at the root");
  if (opts.statusSubresource) {
    for (const key of Object.keys(schema)) {
      if (!ROOT_WITH_STATUS.has(key))
        add(
          path,
          "root-with-status",
          `${key} is not allowed at the root when the status subresource is enabled`,
        );
    }
  }
  const meta = schema.properties?.metadata;
  if (meta) {
    const { type: _t, properties, ...rest } = meta;
    const other = Object.keys(properties ?? {}).filter((k) => k !== "name" && k !== "generateName");
    if (other.length || Object.keys(rest).length || (_t !== undefined && _t !== "object")) {
      add(
        joinPath(path, "metadata"),
        "metadata",
        "only metadata.name and metadata.generateName may be restricted",
      );
    }
  }
  walk(schema, path, "root", add, false);
  defaults(schema, path, add);
  return issues;
}

function walk(s: JSONSchemaProps, path: string, level: Level, add: Add, inMeta: boolean): void {
  const raw = s as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    const forbidden = FORBIDDEN[key];
    if (forbidden) add(path, forbidden[0], forbidden[1]);
    else if (!SCHEMA_KEYS.has(key))
      add(path, "unknown-keyword", `"${key}" is not a keyword of Kubernetes schemas`);
  }
  if (Array.isArray(raw.type))
    add(path, "type-array", "type must be one type, not a list (use nullable for null)");
  else if (raw.type === "null")
    add(path, "type-null", "type cannot be null: use nullable on the field instead");
  else if (s.type !== undefined && !TYPES.has(s.type))
    add(path, "type-unknown", `type "${s.type}" is not an OpenAPI type`);
  const intOrString = s["x-kubernetes-int-or-string"];
  const preserve = s["x-kubernetes-preserve-unknown-fields"];
  const embedded = s["x-kubernetes-embedded-resource"];
  if (preserve === false)
    add(path, "preserve-unknown", "x-kubernetes-preserve-unknown-fields must be true or absent");
  if (embedded && s.type !== "object")
    add(path, "embedded-object", "an embedded resource must have type object");
  else if (!s.type && !intOrString && !preserve) {
    add(
      path,
      "type-required",
      `every ${level === "item" ? "list item" : level === "root" ? "schema root" : "field"} needs a type (or x-kubernetes-preserve-unknown-fields / x-kubernetes-int-or-string)`,
    );
  }
  if (intOrString && preserve)
    add(path, "int-or-string", "int-or-string cannot also preserve unknown fields");
  if (intOrString && embedded)
    add(path, "int-or-string", "int-or-string cannot also be an embedded resource");
  if (embedded && inMeta)
    add(path, "embedded-in-meta", "an embedded resource cannot sit inside metadata");
  if (embedded && !preserve && !Object.keys(s.properties ?? {}).length)
    add(
      path,
      "embedded-properties",
      "an embedded resource needs properties or x-kubernetes-preserve-unknown-fields",
    );
  if (embedded && s.additionalProperties !== undefined)
    add(
      path,
      "embedded-additional-properties",
      "an embedded resource cannot use additionalProperties",
    );
  if (s.uniqueItems)
    add(
      path,
      "unique-items",
      "uniqueItems cannot be true (quadratic to check): use x-kubernetes-list-type: set",
    );
  if (
    s.properties &&
    Object.keys(s.properties).length &&
    s.additionalProperties !== undefined &&
    s.additionalProperties !== true
  ) {
    add(
      path,
      "properties-and-additional-properties",
      "properties and additionalProperties are mutually exclusive",
    );
  }
  if (s.type === "array" && !s.items) add(path, "items-required", "a list needs an items schema");
  if (Array.isArray(raw.items))
    add(path, "items-array", "items must be one schema, not a list (tuples are not supported)");
  if (s.format && !isKubernetesFormat(s.format))
    add(path, "format", `format "${s.format}" is not validated by the API server`);
  if (s.pattern !== undefined) {
    const problem = re2Problem(s.pattern);
    if (problem) add(path, "pattern-re2", `pattern ${s.pattern} ${problem}`);
  }
  lists(s, path, add);
  rules(s, path, add);
  if (s["x-kubernetes-map-type"] && s.type !== "object")
    add(path, "map-type", "x-kubernetes-map-type needs type object");
  for (const j of ["allOf", "anyOf", "oneOf"] as const) {
    const intOrStringPattern =
      j === "anyOf" &&
      intOrString &&
      s.anyOf?.length === 2 &&
      s.anyOf.every((m) => Object.keys(m).length === 1);
    if (!intOrStringPattern)
      s[j]?.forEach((m, i) => junctor(m, s, `${path}.${j}[${i}]`, add, j === "allOf"));
  }
  if (s.not) junctor(s.not, s, `${path}.not`, add, false);
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    const childInMeta = inMeta || ((level === "root" || !!embedded) && key === "metadata");
    walk(child, joinPath(path, key), "field", add, childInMeta);
  }
  if (s.items && !Array.isArray(raw.items)) walk(s.items, itemPath(path), "item", add, inMeta);
  if (typeof s.additionalProperties === "object")
    walk(s.additionalProperties, itemPath(path), "field", add, inMeta);
}

function junctor(
  m: JSONSchemaProps,
  parent: JSONSchemaProps,
  path: string,
  add: Add,
  allowRules: boolean,
): void {
  const raw = m as Record<string, unknown>;
  for (const key of NOT_IN_JUNCTOR) {
    if (raw[key] !== undefined)
      add(
        path,
        "junctor",
        `${key} cannot be set inside allOf/anyOf/oneOf/not; set it on the field itself`,
      );
  }
  if (!allowRules && m["x-kubernetes-validations"])
    add(path, "junctor", "CEL rules are only allowed in allOf, not anyOf/oneOf/not");
  if (m.properties?.metadata)
    add(path, "junctor", "metadata cannot be restricted inside allOf/anyOf/oneOf/not");
  // Completeness: the skeleton must declare every field a member talks about.
  for (const [key, child] of Object.entries(m.properties ?? {})) {
    const sk = parent.properties?.[key];
    if (!sk)
      add(
        joinPath(path, key),
        "junctor-completeness",
        `field "${key}" must also be declared outside allOf/anyOf/oneOf/not`,
      );
    else junctor(child, sk, joinPath(path, key), add, allowRules);
  }
  if (m.items) {
    if (!parent.items)
      add(
        path,
        "junctor-completeness",
        "items must also be declared outside allOf/anyOf/oneOf/not",
      );
    else junctor(m.items, parent.items, itemPath(path), add, allowRules);
  }
  for (const j of ["allOf", "anyOf", "oneOf"] as const)
    m[j]?.forEach((n, i) =>
      junctor(n, parent, `${path}.${j}[${i}]`, add, allowRules && j === "allOf"),
    );
  if (m.not) junctor(m.not, parent, `${path}.not`, add, false);
}

/** Every default must validate against its own schema and survive pruning unchanged. */
function defaults(s: JSONSchemaProps, path: string, add: Add, inMeta = false, root = true): void {
  if (s.default !== undefined) {
    if (inMeta) add(path, "default-in-metadata", "metadata fields cannot have defaults");
    const value = structuredClone(s.default);
    const removed = prune(s, value, "", false);
    if (removed.length)
      add(path, "default-pruned", `the default has undeclared fields: ${removed.join(", ")}`);
    applyDefaults(s, value);
    for (const p of validateValue(s, value, false).problems) {
      add(
        path,
        "default-invalid",
        `the default is invalid at ${p.path || "its root"}: ${p.message}`,
      );
    }
  }
  const resource = root || s["x-kubernetes-embedded-resource"];
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    defaults(child, joinPath(path, key), add, inMeta || (!!resource && key === "metadata"), false);
  }
  if (s.items) defaults(s.items, itemPath(path), add, inMeta, false);
  if (typeof s.additionalProperties === "object")
    defaults(s.additionalProperties, itemPath(path), add, inMeta, false);
}
