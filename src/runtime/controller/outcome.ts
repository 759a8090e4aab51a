/**
 * A reconcile's outcome, decided and shown — pure functions; the controller's worker
 * (worker.ts) carries out the effects.
 *
 * `classifyOutcome` sorts what a reconcile returned or threw into one of seven outcomes, in
 * one place (controller-runtime's `reconcileHandler`): done, requeue-after, temporary (a
 * `TemporaryError`), error (anything else: backoff, with its stack), permanent (a
 * `PermanentError`: not retried until the object changes), conflict (the API's 409: the
 * object changed since it was read; retried quietly, it is not a failure) and aborted (cut
 * short by shutdown: nothing to report).
 *
 * `outcomeConditions`: how the outcome shows in the object's status: a failure sets the condition
 * `Reconciled=False` with its reason and message; the next success turns it `True`. An object
 * that never failed gets no such condition, and so no write.
 *
 * An ownership conflict (reason `Conflict`: a child or an external resource with the name this
 * object would use belongs to someone else) is also its own condition, `Conflict=True`, so it
 * can be selected on directly; it turns `False` once the object reconciles without one.
 */
import { truncateUtf8 } from "../../core/text.js";
import { getCondition, setCondition, type Condition } from "../status/conditions.js";
import { PermanentError, TemporaryError } from "../errors.js";
import { RECONCILED, type ReconcileResult } from "./reconcile.js";

export type Outcome =
  | { kind: "done" }
  | { kind: "requeue-after"; afterMs: number }
  /** `delayMs` undefined: the queue's per-object backoff. */
  | { kind: "temporary"; delayMs: number | undefined; failure: Failure; error: unknown }
  | { kind: "error"; failure: Failure; error: unknown }
  | { kind: "permanent"; failure: Failure; error: unknown }
  | { kind: "conflict"; error: unknown }
  | { kind: "aborted"; error: unknown };

export type Settled =
  { ok: true; result: ReconcileResult | void } | { ok: false; error: unknown; aborted: boolean };

/**
 * Decide what a settled reconcile means. `isConflict` recognises the API's 409 (the port
 * knows the client's error classes); it is asked about the error and its causes, so a
 * conflict wrapped by the finalizer helper still counts.
 */
export function classifyOutcome(s: Settled, isConflict: (e: unknown) => boolean): Outcome {
  if (s.ok) {
    const r = s.result ?? { action: "done" };
    switch (r.action) {
      case "done":
        return { kind: "done" };
      case "requeue":
        return { kind: "requeue-after", afterMs: r.afterMs };
      default: {
        const never: never = r;
        return never;
      }
    }
  }
  const error = s.error;
  // Stopping: the reconcile did not fail, it was cut short. Reporting it would write
  // Reconciled=False now and Reconciled=True on the next start, which reconciles anyway.
  if (s.aborted) return { kind: "aborted", error };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PermanentError)
    return { kind: "permanent", error, failure: failure(error.reason, "ReconcileFailed", message) };
  if (error instanceof TemporaryError)
    return {
      kind: "temporary",
      delayMs: error.delayMs,
      error,
      failure: failure(error.reason, "ReconcileError", message),
    };
  if (causes(error).some(isConflict)) return { kind: "conflict", error };
  return { kind: "error", error, failure: { reason: "ReconcileError", message, named: false } };
}

function failure(reason: string | undefined, fallback: string, message: string): Failure {
  return { reason: reason ?? fallback, message, named: reason !== undefined };
}

/** The error and its causes, outermost first (a few levels: causes can loop). */
function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c = e, depth = 0; c !== undefined && depth < 4; depth++) {
    out.push(c);
    c = c instanceof Error ? c.cause : undefined;
  }
  return out;
}

export interface Failure {
  reason: string;
  message: string;
  /**
   * The code named the reason (a Conflict, an InvalidName): a state, not a bug, so it is
   * logged by its message; a stack trace on every retry would bury it.
   */
  named?: boolean;
}

/** The condition and reason through which ownership conflicts show. */
export const CONFLICT = "Conflict";

/** Short enough to read in `kubectl describe` (metav1.Condition allows 32 KiB). */
const MAX_MESSAGE_BYTES = 1024;

/**
 * The conditions to write for this outcome; undefined for a success on an object that never
 * failed or already says `Reconciled=True`.
 */
export function outcomeConditions(
  status: unknown,
  failure: Failure | undefined,
): Condition[] | undefined {
  const conditions = (status as { conditions?: Condition[] } | undefined)?.conditions;
  const was = getCondition(conditions, RECONCILED);
  const conflictWas = getCondition(conditions, CONFLICT);
  const conflictNow = failure?.reason === CONFLICT;
  const conflictChanges = conflictNow || conflictWas?.status === "True";
  if (!failure && (!was || was.status === "True") && !conflictChanges) return undefined;
  const message = failure ? truncateUtf8(failure.message, MAX_MESSAGE_BYTES) : "";
  let next = setCondition(
    conditions,
    failure
      ? { type: RECONCILED, status: "False", reason: failure.reason, message }
      : { type: RECONCILED, status: "True", reason: "Succeeded", message: "" },
  );
  if (conflictChanges)
    next = setCondition(
      next,
      conflictNow
        ? { type: CONFLICT, status: "True", reason: CONFLICT, message }
        : { type: CONFLICT, status: "False", reason: "Resolved", message: "" },
    );
  return next;
}
