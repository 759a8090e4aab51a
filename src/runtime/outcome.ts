/**
 * How a reconcile's outcome shows in the object's status: a failure sets the condition
 * `Reconciled=False` with its reason and message; the next success turns it `True`. An object
 * that never failed gets no such condition, and so no write.
 */
import { getCondition, setCondition, type Condition } from "./conditions.js";
import { RECONCILED } from "./reconcile.js";

export interface Failure {
  reason: string;
  message: string;
}

/** Short enough to read in `kubectl describe` (metav1.Condition allows 32 KiB). */
const MAX_MESSAGE = 1024;

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
  if (!failure && (!was || was.status === "True")) return undefined;
  return setCondition(
    conditions,
    failure
      ? {
          type: RECONCILED,
          status: "False",
          reason: failure.reason,
          message: failure.message.slice(0, MAX_MESSAGE),
        }
      : { type: RECONCILED, status: "True", reason: "Succeeded", message: "" },
  );
}
