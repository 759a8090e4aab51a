/**
 * How a reconcile's outcome shows in the object's status: a failure sets the condition
 * `Reconciled=False` with its reason and message; the next success turns it `True`. An object
 * that never failed gets no such condition, and so no write.
 *
 * An ownership conflict (reason `Conflict`: a child or an external resource with the name this
 * object would use belongs to someone else) is also its own condition, `Conflict=True`, so it
 * can be selected on directly; it turns `False` once the object reconciles without one.
 */
import { truncateUtf8 } from "../../core/text.js";
import { getCondition, setCondition, type Condition } from "../status/conditions.js";
import { RECONCILED } from "./reconcile.js";

export interface Failure {
  reason: string;
  message: string;
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
