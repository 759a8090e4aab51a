/**
 * What a handler set remembers about an object between handling cycles: its "essence"
 * (spec, labels, annotations — the parts whose change is an update, as in kopf), stored
 * as JSON after each handled change. It is read back from `status.capstan.lastHandled` or,
 * for kinds whose status schema prunes that, the annotation `LAST_HANDLED` (status first).
 * Pure: no I/O.
 */
import type { ApiObject } from "../controller/reconcile.js";
import type { SpecOf } from "../controller/typed.js";

/** The annotation that keeps the last handled essence when status cannot (the diff base). */
export const LAST_HANDLED = "capstan.dev/last-handled-configuration";

/** The part of an object whose change is an update: spec, labels, annotations. */
export interface Essence<T> {
  /** `null` for an object without one (the stored essence is JSON). */
  spec: undefined extends SpecOf<T> ? SpecOf<T> | null : SpecOf<T>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** An essence as stored and compared, whatever the object type. */
export type Stored = Essence<unknown>;

// Annotations the runtime or kubectl write: their change is not the user's.
const NOT_ESSENCE = [LAST_HANDLED, "kubectl.kubernetes.io/last-applied-configuration"];

export function essenceOf(obj: ApiObject & { spec?: unknown }): Stored {
  const annotations = { ...(obj.metadata?.annotations ?? {}) };
  for (const k of NOT_ESSENCE) delete annotations[k];
  return { spec: obj.spec ?? null, labels: { ...(obj.metadata?.labels ?? {}) }, annotations };
}

/** The diff base kept in status, if any. */
export function statusBase(obj: ApiObject): string | undefined {
  const v = (obj.status as { capstan?: { lastHandled?: unknown } } | undefined)?.capstan
    ?.lastHandled;
  return typeof v === "string" ? v : undefined;
}

/**
 * The last handled essence of `obj`: `last` is undefined for an object never handled, and
 * for one whose stored state does not parse (`unreadable` then says where it was).
 */
export function lastHandled(obj: ApiObject): { last?: Stored; unreadable?: string } {
  const inStatus = statusBase(obj);
  const raw = inStatus ?? obj.metadata?.annotations?.[LAST_HANDLED];
  if (!raw) return {};
  try {
    return { last: JSON.parse(raw) as Stored };
  } catch {
    return {
      unreadable:
        inStatus !== undefined ? "status.capstan.lastHandled" : `annotation ${LAST_HANDLED}`,
    };
  }
}

/** The essence's fields addressed as on the object (`spec.x`, `metadata.labels.y`). */
export function asObject(e: Stored): unknown {
  return { spec: e.spec, metadata: { labels: e.labels, annotations: e.annotations } };
}
