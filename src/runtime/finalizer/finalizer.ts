/**
 * The finalizer protocol around a reconcile, as an exhaustive state machine (after kube-rs
 * `finalizer()`): `finalizer(obj, { name, patch }, handle)` calls `handle` with
 * `{ type: "apply" }` while the object lives and `{ type: "cleanup" }` once it is being
 * deleted, and adds or removes the finalizer around those calls. Usable alone, from any loop
 * that holds the latest object; the controller runs every reconcile through it when `cleanup`
 * is given.
 *
 * Guarantees:
 * - The finalizer is on the object before `apply` runs, so a delete can never slip past the
 *   cleanup. Adding it and applying happen in one call: `apply` gets the object as written.
 * - `cleanup` runs only once the object is being deleted, and the finalizer is removed only
 *   after `cleanup` returned; a failing cleanup keeps the object (the error propagates, so the
 *   caller retries).
 * - Other controllers' finalizers are never touched: each patch carries the resourceVersion
 *   it was computed from, so a concurrent change fails with 409 Conflict instead of
 *   overwriting (a `FinalizerError` whose `cause` is the conflict; retry from fresh state).
 * - Errors from `handle` propagate unchanged (`TemporaryError`, `PermanentError` keep their
 *   meaning); only the helper's own writes are wrapped in `FinalizerError`.
 *
 * Assumptions:
 * - One controller owns a given finalizer name, and `obj` is the latest state the caller has.
 * - The caller does not treat the echo of the helper's own add as a change: `withFinalizer`
 *   tells it what the object looked like "as if already finalized" (the controller compares
 *   against that, so adding the finalizer does not wake a second reconcile).
 *
 * Caveats:
 * - If the operator is gone for good, objects wait forever on its finalizer; remove it by hand
 *   (`kubectl patch KIND NAME --type=json -p '[{"op":"remove","path":"/metadata/finalizers/N"}]'`)
 *   — see docs/runtime.md, "When an operator is gone for good".
 * - `cleanup` may run more than once (a crash after cleanup, before the finalizer is removed):
 *   make it idempotent.
 */

export interface FinalizableObject {
  metadata?: { finalizers?: string[]; deletionTimestamp?: string };
}

interface Versioned extends FinalizableObject {
  metadata?: FinalizableObject["metadata"] & { resourceVersion?: string };
}

/** Where an object stands in the finalizer protocol, for one finalizer. */
export type FinalizerState =
  /** Alive, needs cleanup later, finalizer missing: add it, then apply. */
  | { step: "add-finalizer" }
  /** Alive and protected: run the apply logic. */
  | { step: "apply" }
  /** Being deleted, our finalizer still there: run cleanup, then remove it. */
  | { step: "cleanup"; index: number }
  /** Being deleted and our finalizer already gone: nothing left for us to do. */
  | { step: "done" };

/** The protocol's state of `obj` for `finalizer`: pure, exhaustive. */
export function finalizerState(obj: FinalizableObject, finalizer: string): FinalizerState {
  const list = obj.metadata?.finalizers ?? [];
  const index = list.indexOf(finalizer);
  const deleting = Boolean(obj.metadata?.deletionTimestamp);
  if (deleting) return index >= 0 ? { step: "cleanup", index } : { step: "done" };
  return index >= 0 ? { step: "apply" } : { step: "add-finalizer" };
}

/** What `handle` is asked to do with the object. */
export type FinalizerEvent<T> = { type: "apply"; object: T } | { type: "cleanup"; object: T };

/** The finalizer helper's settings: the finalizer's name and how to patch the object. */
export interface FinalizerOptions<T> {
  /** The finalizer, e.g. `example.com/cleanup`. */
  name: string;
  /** Write a merge patch to the object (not its status); resolves to the object as written. */
  patch(patch: FinalizerPatch): Promise<T>;
  /** The object as errors name it, e.g. `Widget ns/w`. */
  describe?: string;
}

/**
 * Run one reconcile of `obj` under the finalizer protocol. Resolves to what `handle`
 * returned, or undefined when there was nothing to do (deleted, our finalizer already gone).
 */
export async function finalizer<T extends Versioned, R>(
  obj: T,
  o: FinalizerOptions<T>,
  handle: (event: FinalizerEvent<T>) => Promise<R>,
): Promise<R | undefined> {
  const state = finalizerState(obj, o.name);
  switch (state.step) {
    case "add-finalizer": {
      const written = await write(o, "add", addFinalizerPatch(obj, o.name));
      return handle({ type: "apply", object: written });
    }
    case "apply":
      return handle({ type: "apply", object: obj });
    case "cleanup": {
      const result = await handle({ type: "cleanup", object: obj });
      await write(o, "remove", removeFinalizerPatch(obj, o.name));
      return result;
    }
    case "done":
      return undefined;
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** A write of the finalizer failed; `cause` is the API's error (a 409 Conflict: retry). */
export class FinalizerError extends Error {
  override readonly name = "FinalizerError";
  constructor(
    readonly step: "add" | "remove",
    message: string,
    opts: { cause: unknown },
  ) {
    super(message, opts);
  }
}

async function write<T>(
  o: FinalizerOptions<T>,
  step: "add" | "remove",
  patch: FinalizerPatch,
): Promise<T> {
  try {
    return await o.patch(patch);
  } catch (e) {
    const on = o.describe ? ` on ${o.describe}` : "";
    const why = e instanceof Error ? e.message : String(e);
    throw new FinalizerError(
      step,
      `${step} finalizer ${o.name}${on} (metadata.finalizers): ${why}`,
      {
        cause: e,
      },
    );
  }
}

/**
 * `obj` as it looks once the helper added `finalizer` (appended, as `addFinalizerPatch`
 * does): compare a change against this, and the helper's own add is no change at all. A
 * deleting object, or one that has it already, is returned as it is.
 */
export function withFinalizer<T extends FinalizableObject>(obj: T, finalizer: string): T {
  const m = obj.metadata;
  if (m?.deletionTimestamp || m?.finalizers?.includes(finalizer)) return obj;
  return { ...obj, metadata: { ...m, finalizers: [...(m?.finalizers ?? []), finalizer] } };
}

/** A merge patch that sets the finalizer list, with the object's resourceVersion as a
 * precondition: if anyone changed the object meanwhile the API answers 409 Conflict and we
 * retry from fresh state, instead of overwriting another controller's finalizer. */
export interface FinalizerPatch {
  metadata: { finalizers: string[] | null; resourceVersion: string };
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
