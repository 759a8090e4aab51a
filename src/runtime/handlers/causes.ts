/**
 * Why a handler set acts on an object: kopf's `causes.py` as one pure function. The watch
 * says only that something changed; the cause comes from the object's state compared with
 * its last handled essence (essence.ts):
 *
 *   gone    the object left the cluster (nothing to run; forget it)
 *   free    it is being deleted and our finalizer is off it (nothing left to do)
 *   delete  it is being deleted and our finalizer still holds it: delete handlers run
 *   create  never handled: create handlers run
 *   update  the essence differs from the last handled one: update handlers, with the diff
 *           (and resume handlers too when this process sees the object for the first time)
 *   resume  unchanged, first seen by this process: resume handlers run
 *   noop    unchanged: nothing runs (status-only writes, our own annotation)
 *
 * Creation never mixes with resuming, as in kopf. The effects — calling handlers, the one
 * write, timers and daemons — live in cycle.ts and handlers.ts.
 */
import type { ApiObject } from "../controller/reconcile.js";
import { diff, type DiffItem } from "./diff.js";
import { essenceOf, lastHandled, type Stored } from "./essence.js";

/** Why a handler set acts on an object now (kopf's causes): one of gone, free, delete, create, update, resume, noop. */
export type Cause =
  | { reason: "gone" }
  | { reason: "free" }
  | { reason: "delete" }
  | { reason: "create"; now: Stored; diff: DiffItem[] }
  | { reason: "update"; old: Stored; now: Stored; diff: DiffItem[]; resume: boolean }
  | { reason: "resume"; now: Stored }
  | { reason: "noop"; now: Stored };

export type Reason = Cause["reason"];

/** What is known about an object when a handling cycle starts. */
export interface Observation {
  /** The watch said the object was deleted from the cluster. */
  deleted?: boolean;
  /** `metadata.deletionTimestamp` is set. */
  deleting: boolean;
  /** Our finalizer is still on the object (deletion waits for us). */
  finalizing: boolean;
  /** The essence now and the last handled one (undefined: never handled). */
  now: Stored;
  last: Stored | undefined;
  /** The first time this process handles the object (after a start or a restart). */
  initial: boolean;
}

/**
 * What the object itself says (its deletion, its essence and last handled one), with what
 * only the caller knows. `unreadable`: a stored state that did not parse, and where.
 */
export function observe(
  obj: ApiObject & { spec?: unknown },
  known: { initial: boolean; finalizing: boolean; deleted?: boolean },
): Observation & { unreadable?: string } {
  const { last, unreadable } = lastHandled(obj);
  return {
    ...known,
    deleting: obj.metadata?.deletionTimestamp !== undefined,
    now: essenceOf(obj),
    last,
    ...(unreadable ? { unreadable } : {}),
  };
}

/** The one cause an observation gives: pure, exhaustive (kopf `causes.py`). */
export function detectCause(o: Observation): Cause {
  if (o.deleted) return { reason: "gone" };
  if (o.deleting) return o.finalizing ? { reason: "delete" } : { reason: "free" };
  if (!o.last) return { reason: "create", now: o.now, diff: diff(undefined, o.now.spec) };
  const changes = diff(o.last, o.now);
  if (changes.length)
    return { reason: "update", old: o.last, now: o.now, diff: changes, resume: o.initial };
  return o.initial ? { reason: "resume", now: o.now } : { reason: "noop", now: o.now };
}
