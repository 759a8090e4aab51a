/**
 * What the API server does to an object before validating it, as pure functions on a copy:
 * pruning of fields the schema does not declare, dropping `null` from non-nullable fields,
 * and defaulting. Used by `safeParse` so runtime validation sees what the API server sees.
 */
import type { JSONSchemaProps } from "./schema.js";
import { joinPath } from "./schema.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const META = new Set(["apiVersion", "kind", "metadata"]);

/** Remove undeclared fields in place; returns the paths removed. */
export function prune(
  s: JSONSchemaProps,
  v: unknown,
  path = "",
  root = true,
  removed: string[] = [],
): string[] {
  if (Array.isArray(v)) {
    if (s.items) v.forEach((item, i) => prune(s.items!, item, joinPath(path, i), false, removed));
    return removed;
  }
  if (!isObj(v)) return removed;
  const keepMeta = root || s["x-kubernetes-embedded-resource"];
  for (const key of Object.keys(v)) {
    const child =
      s.properties?.[key] ??
      (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
    if (child) prune(child, v[key], joinPath(path, key), false, removed);
    else if (!(
      s["x-kubernetes-preserve-unknown-fields"] ||
      s.additionalProperties === true ||
      (keepMeta && META.has(key))
    )) {
      delete v[key];
      removed.push(joinPath(path, key));
    }
  }
  return removed;
}

/**
 * Apply defaults in place, top-down, so that defaults inside a defaulted object apply too.
 * A `null` in a non-nullable field is replaced by its default or removed.
 */
export function applyDefaults(s: JSONSchemaProps, v: unknown): void {
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) applyDefaults(s.items, item);
    return;
  }
  if (!isObj(v)) return;
  for (const [key, ps] of Object.entries(s.properties ?? {})) {
    if (v[key] === null && !ps.nullable) delete v[key];
    if (!(key in v) && ps.default !== undefined) v[key] = structuredClone(ps.default);
  }
  for (const [key, child] of Object.entries(v)) {
    const cs =
      s.properties?.[key] ??
      (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
    if (cs) applyDefaults(cs, child);
  }
}
