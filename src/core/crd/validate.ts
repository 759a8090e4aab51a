/**
 * Runtime validation of an object against a version's structural schema, in the order and
 * with the outcome the API server's custom-resource handler produces:
 * prune unknown fields → drop nulls of non-nullable fields → apply defaults → OpenAPI
 * validation (type, format, enum, bounds, required, junctors) → embedded-resource and
 * list-type (set/map) invariants → CEL rules, which are skipped, as the API server skips them,
 * when a blocking error (Required, NotSupported, TooLong, TooMany, TypeInvalid) was found.
 *
 * Problems carry the API server's field path and cause reason. The messages are Capstan's own.
 */
import { isDeepStrictEqual } from "node:util";
import { evaluateRule } from "./cel.js";
import type { FieldProblem, ProblemCode } from "./errors.js";
import { checkFormat } from "./formats.js";
import { fromRe2 } from "./regex.js";
import type { JSONSchemaProps } from "./schema.js";
import { joinPath } from "./schema.js";

export interface SkippedRule {
  path: string;
  rule: string;
  reason: string;
}

export interface Verdict {
  problems: FieldProblem[];
  skipped: SkippedRule[];
}

const BLOCKING = new Set<ProblemCode>([
  "FieldValueNotSupported",
  "FieldValueRequired",
  "FieldValueTooLong",
  "FieldValueTooMany",
  "FieldValueTypeInvalid",
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validate `value` (already pruned and defaulted) against `schema`. `root` marks a whole
 * resource, whose `apiVersion`, `kind` and `metadata` are not part of the schema.
 */
export function validateValue(
  schema: JSONSchemaProps,
  value: unknown,
  root = true,
  /** Problems found by other validators of the same request; they can block CEL rules too. */
  extra: FieldProblem[] = [],
): Verdict {
  const problems: FieldProblem[] = [...extra];
  const skipped: SkippedRule[] = [];
  const add = (path: string, code: ProblemCode, message: string) =>
    problems.push({ path, code, message });
  node(schema, value, "", add, root);
  const rules: [JSONSchemaProps, unknown, string][] = [];
  collectRules(schema, value, "", rules);
  if (rules.length && problems.some((p) => BLOCKING.has(p.code))) {
    add(
      "",
      "FieldValueInvalid",
      "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
    );
  } else {
    for (const [s, v, path] of rules) {
      for (const rule of s["x-kubernetes-validations"] ?? []) {
        const outcome = evaluateRule(rule, v, s);
        const at = rule.fieldPath ? (path + rule.fieldPath).replace(/^\./, "") : path;
        if (outcome.kind === "failed") add(at, rule.reason ?? "FieldValueInvalid", outcome.message);
        else if (outcome.kind === "skipped")
          skipped.push({ path: at, rule: rule.rule, reason: outcome.reason });
      }
    }
  }
  return { problems, skipped };
}

type Add = (path: string, code: ProblemCode, message: string) => void;

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function hasType(type: string, v: unknown): boolean {
  const t = typeOf(v);
  return t === type || (type === "number" && t === "integer");
}

function node(s: JSONSchemaProps, v: unknown, path: string, add: Add, root = false): void {
  if (v === null) {
    if (s.nullable) return;
    if (s.type) return add(path, "FieldValueTypeInvalid", `must be of type ${s.type}, not null`);
    if (s["x-kubernetes-preserve-unknown-fields"]) return;
  } else if (s.type && !hasType(s.type, v)) {
    return add(path, "FieldValueTypeInvalid", `must be of type ${s.type}, not ${typeOf(v)}`);
  } else if (s["x-kubernetes-int-or-string"] && typeOf(v) !== "integer" && typeof v !== "string") {
    // The API server checks the implied type, then still evaluates the anyOf below.
    add(path, "FieldValueTypeInvalid", `must be of type integer or string, not ${typeOf(v)}`);
  }
  values(s, v, path, add);
  if (Array.isArray(v) && s.items) {
    v.forEach((item, i) => node(s.items!, item, joinPath(path, i), add));
    listInvariants(s, v, path, add);
  }
  if (isObj(v)) {
    for (const key of s.required ?? []) {
      if (!(key in v)) add(joinPath(path, key), "FieldValueRequired", "is required");
    }
    for (const [key, child] of Object.entries(v)) {
      if (root && (key === "apiVersion" || key === "kind" || key === "metadata")) continue;
      const cs =
        s.properties?.[key] ??
        (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
      if (cs) node(cs, child, joinPath(path, key), add);
    }
    if (s["x-kubernetes-embedded-resource"]) {
      for (const key of ["apiVersion", "kind"]) {
        if (typeof v[key] !== "string" || v[key] === "")
          add(joinPath(path, key), "FieldValueRequired", "must not be empty");
      }
    }
  }
}

/** The value validations, which also make up the members of allOf/anyOf/oneOf/not. */
function values(s: JSONSchemaProps, v: unknown, path: string, add: Add): void {
  if (s.enum && !s.enum.some((e) => isDeepStrictEqual(e, v))) {
    add(
      path,
      "FieldValueNotSupported",
      `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`,
    );
  }
  if (typeof v === "string") {
    // Like go-openapi: only the first failing length/pattern check is reported.
    const length = [...v].length; // runes, as Go counts
    if (s.maxLength !== undefined && length > s.maxLength)
      add(path, "FieldValueTooLong", `may not be more than ${s.maxLength} characters`);
    else if (s.minLength !== undefined && length < s.minLength)
      add(path, "FieldValueInvalid", `must be at least ${s.minLength} characters`);
    else if (s.pattern !== undefined && !fromRe2(s.pattern)?.test(v))
      add(path, "FieldValueInvalid", `must match the pattern ${s.pattern}`);
    if (s.format && checkFormat(s.format, v) === false)
      add(path, "FieldValueTypeInvalid", `must be of format ${s.format}`);
  }
  if (typeof v === "number") {
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
      add(
        path,
        "FieldValueInvalid",
        `must be less than ${s.exclusiveMaximum ? "" : "or equal to "}${s.maximum}`,
      );
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
      add(
        path,
        "FieldValueInvalid",
        `must be greater than ${s.exclusiveMinimum ? "" : "or equal to "}${s.minimum}`,
      );
    if (s.multipleOf !== undefined && !Number.isInteger(Number((v / s.multipleOf).toFixed(9))))
      add(path, "FieldValueInvalid", `must be a multiple of ${s.multipleOf}`);
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems)
      add(path, "FieldValueTooMany", `must have at most ${s.maxItems} items`);
    if (s.minItems !== undefined && v.length < s.minItems)
      add(path, "FieldValueInvalid", `must have at least ${s.minItems} items`);
  }
  if (isObj(v)) {
    const n = Object.keys(v).length;
    if (s.maxProperties !== undefined && n > s.maxProperties)
      add(path, "FieldValueTooMany", `must have at most ${s.maxProperties} properties`);
    if (s.minProperties !== undefined && n < s.minProperties)
      add(path, "FieldValueInvalid", `must have at least ${s.minProperties} properties`);
  }
  junctors(s, v, path, add);
}

/** Problems of a value against a value-validation-only member (anyOf/oneOf/allOf/not). */
function member(m: JSONSchemaProps, v: unknown, path: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  node(m, v, path, (p, code, message) => out.push({ path: p, code, message }));
  return out;
}

/**
 * allOf/anyOf/oneOf/not as go-openapi reports them: the junctor's own failure at the object
 * root (its cause has no field), plus the problems of the member that came closest.
 */
function junctors(s: JSONSchemaProps, v: unknown, path: string, add: Add): void {
  const merge = (ps: FieldProblem[]) => ps.forEach((p) => add(p.path, p.code, p.message));
  const closest = (results: FieldProblem[][]) =>
    results.reduce((best, r) => (r.length < best.length ? r : best), results[0] ?? []);
  if (s.allOf) {
    const results = s.allOf.map((m) => member(m, v, path));
    results.forEach(merge);
    if (results.some((r) => r.length))
      add("", "FieldValueInvalid", `${path} must validate all the schemas (allOf)`);
  }
  if (s.anyOf) {
    const results = s.anyOf.map((m) => member(m, v, path));
    if (!results.some((r) => r.length === 0)) {
      add("", "FieldValueInvalid", `${path} must validate at least one schema (anyOf)`);
      merge(closest(results));
    }
  }
  if (s.oneOf) {
    const results = s.oneOf.map((m) => member(m, v, path));
    const valid = results.filter((r) => r.length === 0).length;
    if (valid !== 1) {
      add(
        "",
        "FieldValueInvalid",
        `${path} must validate one and only one schema (oneOf): ${valid === 0 ? "none" : valid} matched`,
      );
      if (valid === 0) merge(closest(results));
    }
  }
  if (s.not && member(s.not, v, path).length === 0)
    add("", "FieldValueInvalid", `${path} must not validate the schema (not)`);
}

function listInvariants(s: JSONSchemaProps, v: unknown[], path: string, add: Add): void {
  const type = s["x-kubernetes-list-type"];
  if (type !== "set" && type !== "map") return;
  const keys = s["x-kubernetes-list-map-keys"] ?? [];
  const identity = (item: unknown) =>
    type === "set"
      ? item
      : keys.map((k) => (isObj(item) ? (item[k] ?? s.items?.properties?.[k]?.default) : undefined));
  v.forEach((item, i) => {
    if (v.slice(0, i).some((earlier) => isDeepStrictEqual(identity(earlier), identity(item)))) {
      add(
        joinPath(path, i),
        "FieldValueDuplicate",
        `duplicate ${type === "set" ? "value" : `entry for keys ${keys.join(", ")}`}`,
      );
    }
  });
}

/** Every node that carries CEL rules and has a value, in document order. */
function collectRules(
  s: JSONSchemaProps,
  v: unknown,
  path: string,
  out: [JSONSchemaProps, unknown, string][],
): void {
  if (v === undefined) return;
  if (s["x-kubernetes-validations"]?.length && v !== null) out.push([s, v, path]);
  if (Array.isArray(v) && s.items)
    v.forEach((item, i) => collectRules(s.items!, item, joinPath(path, i), out));
  if (isObj(v)) {
    for (const [key, child] of Object.entries(v)) {
      const cs =
        s.properties?.[key] ??
        (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
      if (cs) collectRules(cs, child, joinPath(path, key), out);
    }
  }
  for (const m of s.allOf ?? []) collectRules(m, v, path, out);
}
