/**
 * The finalizer protocol as an exhaustive state machine (after kube-rs `finalizer.rs`).
 *
 * Guarantees:
 * - Our finalizer is added before any apply logic runs on an object that needs cleanup, so
 *   a delete can never slip past the cleanup.
 * - Cleanup runs only once the object is being deleted, and the finalizer is removed only
 *   after cleanup succeeded; a failing cleanup keeps the object (and retries).
 * - Other controllers' finalizers are never touched: the patch carries the resourceVersion
 *   it was computed from, so a concurrent change fails with 409 Conflict and is retried.
 * Assumptions: one controller owns a given finalizer name.
 * Caveats: if the operator is gone for good, objects wait forever on its finalizer; remove
 *   it by hand (`kubectl patch KIND NAME --type=json -p '[{"op":"remove","path":"/metadata/finalizers/N"}]'`)
 *   — see docs/runtime.md, "When an operator is gone for good".
 */

export interface FinalizableObject {
  metadata?: { finalizers?: string[]; deletionTimestamp?: string };
}

export type FinalizerState =
  /** Alive, needs cleanup later, finalizer missing: add it, then apply. */
  | { step: "add-finalizer" }
  /** Alive and protected: run the apply logic. */
  | { step: "apply" }
  /** Being deleted, our finalizer still there: run cleanup, then remove it. */
  | { step: "cleanup"; index: number }
  /** Being deleted and our finalizer already gone: nothing left for us to do. */
  | { step: "done" };

export function finalizerState(obj: FinalizableObject, finalizer: string): FinalizerState {
  const list = obj.metadata?.finalizers ?? [];
  const index = list.indexOf(finalizer);
  const deleting = Boolean(obj.metadata?.deletionTimestamp);
  if (deleting) return index >= 0 ? { step: "cleanup", index } : { step: "done" };
  return index >= 0 ? { step: "apply" } : { step: "add-finalizer" };
}

/** A merge patch that sets the finalizer list, with the object's resourceVersion as a
 * precondition: if anyone changed the object meanwhile the API answers 409 Conflict and we
 * retry from fresh state, instead of overwriting another controller's finalizer. */
export interface FinalizerPatch {
  metadata: { finalizers: string[] | null; resourceVersion: string };
}

interface Versioned extends FinalizableObject {
  metadata?: FinalizableObject["metadata"] & { resourceVersion?: string };
}

export function addFinalizerPatch(obj: Versioned, finalizer: string): FinalizerPatch {
  const list = obj.metadata?.finalizers ?? [];
  return {
    metadata: {
      finalizers: list.includes(finalizer) ? list : [...list, finalizer],
      resourceVersion: obj.metadata?.resourceVersion ?? "",
    },
  };
}

export function removeFinalizerPatch(obj: Versioned, finalizer: string): FinalizerPatch {
  const rest = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
  return {
    metadata: {
      finalizers: rest.length ? rest : null,
      resourceVersion: obj.metadata?.resourceVersion ?? "",
    },
  };
}
