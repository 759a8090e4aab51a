/**
 * Status conditions (metav1.Condition) and observedGeneration, the way `kubectl wait
 * --for=condition=Ready` and every dashboard read them.
 *
 * `setCondition` keeps `lastTransitionTime` unless the status actually flips, so writing
 * the same condition again is a no-op — which is what lets a converged operator send zero
 * writes.
 */

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type ConditionInput = Omit<Condition, "lastTransitionTime"> & {
  lastTransitionTime?: string;
};

/** A new list with `c` set; same array contents (deep-equal) if nothing changed. */
export function setCondition(
  list: readonly Condition[] | undefined,
  c: ConditionInput,
  now: () => string = () => new Date().toISOString().replace(/\.\d+Z$/, "Z"),
): Condition[] {
  const current = (list ?? []).find((x) => x.type === c.type);
  const lastTransitionTime =
    current && current.status === c.status
      ? current.lastTransitionTime
      : (c.lastTransitionTime ?? now());
  const next: Condition = { ...c, lastTransitionTime };
  if (next.observedGeneration === undefined) delete next.observedGeneration;
  const rest = (list ?? []).filter((x) => x.type !== c.type);
  return [...rest, next].sort((a, b) => a.type.localeCompare(b.type));
}

/** The condition of `type` in `list`, if any. */
export function getCondition(
  list: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return (list ?? []).find((c) => c.type === type);
}

/** Whether the condition of `type` is `True`. */
export function isTrue(list: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(list, type)?.status === "True";
}
