/**
 * Unions and intersections as structural schemas.
 *
 * Kubernetes requires one "skeleton" — types, properties, items — for every value, and allows
 * `anyOf`/`oneOf`/`allOf` to carry value validations only (enum, pattern, required, bounds…).
 * So a union of objects becomes the merged skeleton of all branches plus one branch per member
 * holding what distinguishes it: `z.discriminatedUnion("kind", [A, B])` keeps both A's and B's
 * fields, and `oneOf` demands exactly one of `kind: a` with A's required fields or `kind: b`
 * with B's. Scalars of one type merge their enums; `int | string` becomes
 * `x-kubernetes-int-or-string`. Unions of different types cannot be expressed and are issues.
 */
import { isDeepStrictEqual } from "node:util";
import type { SchemaIssue } from "./errors.js";
import type { JSONSchemaProps } from "./schema.js";
import { itemPath, joinPath } from "./schema.js";

type Combinator = "anyOf" | "oneOf" | "allOf";

/** Keys that describe the shape of a value rather than constrain it. */
const SHAPE_KEYS = [
  "type",
  "nullable",
  "description",
  "title",
  "default",
  "example",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
] as const;
/** Where branches may disagree without changing what is accepted. */
const FIRST_WINS = new Set(["description", "title", "example"]);
const ANY_WINS = new Set(["nullable", "x-kubernetes-preserve-unknown-fields"]);

export function mergeUnion(
  branches: JSONSchemaProps[],
  combinator: Combinator,
  path: string,
  issues: SchemaIssue[],
): JSONSchemaProps {
  if (branches.length === 1) return branches[0]!;
  const types = branches.map((b) => b.type);
  if (
    combinator !== "allOf" &&
    types.length === 2 &&
    types.includes("integer") &&
    types.includes("string")
  ) {
    if (branches.every((b) => Object.keys(b).length === 1)) {
      return {
        anyOf: [{ type: "integer" }, { type: "string" }],
        "x-kubernetes-int-or-string": true,
      };
    }
  }
  if (new Set(types).size > 1) {
    issues.push({
      path,
      rule: "union-types",
      message:
        `a union of ${[...new Set(types)].map((t) => t ?? "any").join(" | ")} cannot be expressed: ` +
        "Kubernetes needs one type per field (use k8s.intOrString() or k8s.preserveUnknown())",
    });
    return { "x-kubernetes-preserve-unknown-fields": true };
  }
  const out = skeleton(branches, path, issues);
  const residues = branches.map((b) => residue(b, path, issues));
  if (combinator === "allOf") {
    for (const r of residues) apply(out, r);
    return out;
  }
  if (residues.every((r) => isDeepStrictEqual(r, residues[0]))) return apply(out, residues[0]!);
  if (residues.every((r) => Object.keys(r).length === 1 && Array.isArray(r.enum))) {
    out.enum = [...new Set(residues.flatMap((r) => r.enum!))];
    return out;
  }
  // A branch without constraints accepts every value the skeleton accepts.
  if (residues.some((r) => Object.keys(r).length === 0)) return out;
  out[combinator] = residues;
  return out;
}

function skeleton(
  branches: JSONSchemaProps[],
  path: string,
  issues: SchemaIssue[],
): JSONSchemaProps {
  const out: JSONSchemaProps = {};
  const record = out as Record<string, unknown>;
  for (const key of SHAPE_KEYS) {
    const values = branches.map((b) => b[key]).filter((v) => v !== undefined);
    if (values.length === 0) continue;
    if (ANY_WINS.has(key)) record[key] = true;
    else if (FIRST_WINS.has(key) || values.every((v) => isDeepStrictEqual(v, values[0]))) {
      if (values.length === branches.length || FIRST_WINS.has(key) || key === "type")
        record[key] = values[0];
      else conflict(key);
    } else conflict(key);
  }
  const names = [...new Set(branches.flatMap((b) => Object.keys(b.properties ?? {})))];
  if (names.length) {
    out.properties = Object.fromEntries(
      names.map((n) => [
        n,
        skeleton(
          branches.flatMap((b) => (b.properties?.[n] ? [b.properties[n]] : [])),
          joinPath(path, n),
          issues,
        ),
      ]),
    );
  }
  const items = branches.flatMap((b) => (b.items ? [b.items] : []));
  if (items.length) out.items = skeleton(items, itemPath(path), issues);
  const extra = branches.flatMap((b) =>
    typeof b.additionalProperties === "object" ? [b.additionalProperties] : [],
  );
  if (extra.length) out.additionalProperties = skeleton(extra, itemPath(path), issues);
  return out;

  function conflict(key: string) {
    // A CEL rule or default that holds for one member only cannot live in the shared skeleton.
    issues.push({
      path,
      rule: "union-conflict",
      message: `union members disagree on ${key}; put it on the union itself instead of on its members`,
    });
  }
}

/** The value validations of a schema: what may appear inside anyOf/oneOf/allOf. */
function residue(s: JSONSchemaProps, path: string, issues: SchemaIssue[]): JSONSchemaProps {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(s)) {
    if ((SHAPE_KEYS as readonly string[]).includes(key)) continue;
    if (key === "properties") {
      const props: Record<string, JSONSchemaProps> = {};
      for (const [n, p] of Object.entries(value as Record<string, JSONSchemaProps>)) {
        const r = residue(p, joinPath(path, n), issues);
        if (Object.keys(r).length) props[n] = r;
      }
      if (Object.keys(props).length) out.properties = props;
    } else if (key === "items") {
      const r = residue(value as JSONSchemaProps, itemPath(path), issues);
      if (Object.keys(r).length) out.items = r;
    } else if (key === "additionalProperties") {
      if (typeof value === "object" && Object.keys(residue(value, path, issues)).length) {
        issues.push({
          path,
          rule: "union-conflict",
          message: "union members constrain map values differently; Kubernetes cannot express that",
        });
      }
    } else out[key] = value;
  }
  return out as JSONSchemaProps;
}

/** Merge value validations into a skeleton (they hold for every branch). */
function apply(target: JSONSchemaProps, r: JSONSchemaProps): JSONSchemaProps {
  for (const [key, value] of Object.entries(r)) {
    if (key === "properties") {
      for (const [n, p] of Object.entries(value as Record<string, JSONSchemaProps>)) {
        target.properties ??= {};
        apply((target.properties[n] ??= {}), p);
      }
    } else if (key === "items") apply((target.items ??= {}), value as JSONSchemaProps);
    else if (key === "required")
      target.required = [...new Set([...(target.required ?? []), ...(value as string[])])];
    else if (key === "allOf" || key === "anyOf" || key === "oneOf") {
      target[key] = [...(target[key] ?? []), ...(value as JSONSchemaProps[])];
    } else (target as Record<string, unknown>)[key] = value;
  }
  return target;
}
