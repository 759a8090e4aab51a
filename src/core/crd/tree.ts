/**
 * The shape of a definition's schemas, checked when the resource is defined: every value where
 * a schema belongs is a zod 4 schema. TypeScript rejects a plain object or a bare value there,
 * but tsx runs code without type checking and JavaScript has none, and the mistake would
 * otherwise surface as a TypeError from the CRD conversion on first use, naming neither the
 * resource nor the field. Whether a valid zod schema can become a CRD is not checked here:
 * that is `crd()`'s `CrdSchemaError`, left for first use so a module can always be imported.
 */
import { itemPath, joinPath } from "./schema.js";
import type { Versions } from "./types.js";

/** Throws a TypeError naming the resource and the field of the first value that is no schema. */
export function checkSchemaTree(kind: string, versions: Versions, singleVersion: boolean): void {
  for (const [name, v] of Object.entries(versions)) {
    const base = singleVersion ? "" : `versions.${name}.`;
    const fail = (path: string, what: string): never => {
      throw new TypeError(`defineResource(${kind}): ${base}${path} ${what}`);
    };
    if (v.spec === undefined) fail("spec", "is missing: give a zod schema, e.g. z.object({ … })");
    walk(v.spec, "spec", fail, new Set());
    if (v.status !== undefined) walk(v.status, "status", fail, new Set());
  }
}

// zod 4 internals: each schema carries its definition at `_zod.def`.
type Def = { type: string } & Record<string, unknown>;

function walk(
  value: unknown,
  path: string,
  fail: (path: string, what: string) => never,
  seen: Set<unknown>,
): void {
  const def = (value as { _zod?: { def?: Def } } | null)?._zod?.def;
  if (!def) fail(path, describe(value));
  if (seen.has(value)) return;
  seen.add(value);
  const at = (child: unknown, p = path) => {
    if (child !== undefined) walk(child, p, fail, seen);
  };
  switch (def.type) {
    case "object":
      for (const [key, field] of Object.entries(def.shape as Record<string, unknown>))
        at(field, joinPath(path, key));
      return at(def.catchall, itemPath(path));
    case "array":
      return at(def.element, itemPath(path));
    case "record":
      at(def.keyType);
      return at(def.valueType, itemPath(path));
    case "tuple":
      (def.items as unknown[]).forEach((item, i) => at(item, joinPath(path, i)));
      return at(def.rest ?? undefined, itemPath(path)); // null: no rest
    case "union":
      return (def.options as unknown[]).forEach((o) => at(o));
    case "intersection":
      at(def.left);
      return at(def.right);
    case "pipe":
      at(def.in);
      return at(def.out);
    default:
      // Wrappers (optional, nullable, default, readonly, catch, …) hold one inner schema.
      // z.lazy is not entered: its getter may recurse, and conversion reaches it anyway.
      return at(def.innerType);
  }
}

function describe(value: unknown): string {
  if (value !== null && typeof value === "object" && "_def" in value && !("_zod" in value))
    return 'is a zod 3 schema; Capstan needs zod 4 (import { z } from "zod" 4.x, or from "capstan")';
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  )
    return "is a plain object, not a zod schema: wrap plain objects in z.object({ … })";
  const shown =
    typeof value === "function"
      ? `function ${value.name || "(anonymous)"}`
      : (JSON.stringify(value) ?? String(value));
  return `is ${shown}, not a zod schema`;
}
