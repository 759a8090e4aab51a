/**
 * Handler filters, kopf's vocabulary: labels and annotations (a value, PRESENT or ABSENT),
 * a field with an expected value, and any predicate. Selectors that the API server can
 * evaluate (labels) are also sent to it by the controller; the checks here cover the rest.
 */
import { getPath } from "./diff.js";

/** A label or annotation filter value: the key must be there, with any value. */
export const PRESENT = Symbol("present");
/** A label or annotation filter value: the key must not be there. */
export const ABSENT = Symbol("absent");
export type MetaMatch = Record<string, string | typeof PRESENT | typeof ABSENT>;

/** Which objects a handler runs for; every filter given must match. */
export interface Filters<T> {
  labels?: MetaMatch;
  annotations?: MetaMatch;
  field?: string;
  value?: unknown;
  /** Any predicate over the object (kopf `when=`). */
  when?: (obj: T) => boolean;
}

function matchMeta(
  actual: Record<string, string> | undefined,
  want: MetaMatch | undefined,
): boolean {
  if (!want) return true;
  return Object.entries(want).every(([k, v]) => {
    const has = actual !== undefined && Object.prototype.hasOwnProperty.call(actual, k);
    if (v === PRESENT) return has;
    if (v === ABSENT) return !has;
    return has && actual![k] === v;
  });
}

export function matches<
  T extends {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  },
>(obj: T, f: Filters<T>): boolean {
  if (!matchMeta(obj.metadata?.labels, f.labels)) return false;
  if (!matchMeta(obj.metadata?.annotations, f.annotations)) return false;
  if (f.field !== undefined && f.value !== undefined && getPath(obj, f.field) !== f.value)
    return false;
  if (f.field !== undefined && f.value === undefined && getPath(obj, f.field) === undefined)
    return false;
  return f.when ? f.when(obj) : true;
}

/** The part of a label filter the API server can apply, as a labelSelector string. */
export function labelSelectorOf(labels: MetaMatch | undefined): string | undefined {
  if (!labels) return undefined;
  const parts = Object.entries(labels).map(([k, v]) =>
    v === PRESENT ? k : v === ABSENT ? `!${k}` : `${k}=${v}`,
  );
  return parts.length ? parts.join(",") : undefined;
}
