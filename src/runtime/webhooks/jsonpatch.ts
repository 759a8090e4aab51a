/**
 * The RFC 6902 JSON patch that turns one JSON value into another: what a mutating webhook
 * answers, computed from the object the handler received and the one it returned, so that
 * authors change an object rather than write patches.
 *
 * Objects are compared key by key; arrays of equal length element by element, otherwise
 * replaced whole (an index-shifting diff would be smaller but easy to get wrong, and the API
 * server applies either the same).
 */

export type PatchOp =
  | { op: "add"; path: string; value: unknown }
  | { op: "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

/** RFC 6901: `~` and `/` are escaped in a pointer's segments. */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, "~0").replace(/\//g, "~1");
}

type Json = Record<string, unknown> | unknown[] | string | number | boolean | null;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function diff(from: unknown, to: unknown, path = ""): PatchOp[] {
  if (isObject(from) && isObject(to)) {
    const ops: PatchOp[] = [];
    for (const k of Object.keys(from))
      if (!(k in to) || to[k] === undefined)
        ops.push({ op: "remove", path: `${path}/${pointerSegment(k)}` });
    for (const [k, v] of Object.entries(to)) {
      if (v === undefined) continue;
      const at = `${path}/${pointerSegment(k)}`;
      if (!(k in from) || from[k] === undefined) ops.push({ op: "add", path: at, value: v });
      else ops.push(...diff(from[k], v, at));
    }
    return ops;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length)
    return from.flatMap((x, i) => diff(x, to[i], `${path}/${i}`));
  if (equal(from as Json, to as Json)) return [];
  return [{ op: "replace", path, value: to }];
}

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => equal(x as Json, b[i] as Json));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => equal(a[k] as Json, b[k] as Json));
  }
  return false;
}
