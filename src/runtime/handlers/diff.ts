/**
 * Structural diff of two JSON values, kopf-style: a list of `{ op, path, old, new }` where
 * `op` is "add", "change" or "remove" and `path` is the list of keys from the root. Arrays
 * are compared as whole values (a reordered list is one change), as kopf does.
 */
import { deepEqual } from "../../core/equal.js";

/** One difference: `add`, `change` or `remove` at `path` (the keys from the root). */
export type DiffItem =
  | { op: "add"; path: string[]; old: undefined; new: unknown }
  | { op: "change"; path: string[]; old: unknown; new: unknown }
  | { op: "remove"; path: string[]; old: unknown; new: undefined };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** kopf-style diff of two values: `add`, `change` and `remove` items with their paths. */
export function diff(old: unknown, now: unknown, path: string[] = []): DiffItem[] {
  if (deepEqual(old, now)) return [];
  if (isObject(old) && isObject(now)) {
    const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
    return keys.flatMap((k) => diff(old[k], now[k], [...path, k]));
  }
  if (old === undefined) return [{ op: "add", path, old: undefined, new: now }];
  if (now === undefined) return [{ op: "remove", path, old, new: undefined }];
  return [{ op: "change", path, old, new: now }];
}

/** The value at `path` (a dotted string or a key list), or undefined. */
export function getPath(obj: unknown, path: string | readonly string[]): unknown {
  const keys = typeof path === "string" ? path.split(".").filter(Boolean) : path;
  let cur: unknown = obj;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
