/**
 * The kind a controller is `for`: one cache and one informer per watched namespace (a relist
 * of one namespace must not drop the others' objects), and one read-only view over them.
 *
 * Events become queue keys, never work items: a new object is queued (at low priority when
 * it comes from a list, so fresh changes go first), a change is queued when the predicate
 * says it matters, a deletion cancels what is queued. `onEvent` sees every event as it
 * arrives. The controller's own finalizer add is no change: the reconcile that added it
 * already applied the object as written (finalizer.ts), so its echo does not wake another.
 */
import { Cache, keyOf, mergedReader, type CacheReader } from "../watch/cache.js";
import { Informer } from "../watch/informer.js";
import { withFinalizer } from "../finalizer/finalizer.js";
import type { Logger } from "../log.js";
import type { Sources } from "../watch/source.js";
import type { Priority } from "../queue/queue.js";
import { defaultPredicate, type ControllerSpec, type ApiObject } from "./reconcile.js";

export interface PrimaryKind<T extends ApiObject> {
  readonly informers: Informer<T>[];
  readonly view: CacheReader<T>;
}

export function watchPrimary<T extends ApiObject>(o: {
  spec: ControllerSpec<T> & { for: { apiVersion: string; kind: string } };
  sources: Sources;
  log: Logger;
  /** The finalizer the controller adds (with `cleanup`). */
  finalizer?: string;
  enqueue(key: string, priority: Priority): void;
  cancel(key: string): void;
}): PrimaryKind<T> {
  const { spec, sources, log } = o;
  const predicate = spec.predicate ?? defaultPredicate;
  const finalizer = o.finalizer;
  const has = (obj: T) => finalizer !== undefined && !!obj.metadata.finalizers?.includes(finalizer);
  const changed = (old: T, now: T) =>
    predicate(has(now) && !has(old) ? withFinalizer(old, finalizer!) : old, now);
  const hook = spec.onEvent;
  // The hook is user code: neither a throw nor a rejected promise may skip the enqueue after
  // it, or escape as an unhandled rejection that ends the process.
  const raw = (type: "ADDED" | "MODIFIED" | "DELETED", obj: T) => {
    if (!hook) return;
    const failed = (e: unknown) =>
      log.warn({ err: e, event: type, key: keyOf(obj) }, `${spec.for.kind} onEvent hook failed`);
    try {
      const r = hook(type, obj);
      if (r && typeof r.then === "function") r.then(undefined, failed);
    } catch (e) {
      failed(e);
    }
  };
  const informers: Informer<T>[] = [];
  const caches: Cache<T>[] = [];
  for (const namespace of spec.namespaces ?? [undefined]) {
    const cache = new Cache<T>({ indexers: spec.indexers, transform: spec.transform });
    caches.push(cache);
    const inf = new Informer<T>({
      name: `${spec.for.kind}${namespace ? ` in ${namespace}` : ""}`,
      source: sources<T>(spec.for, {
        namespace,
        labelSelector: spec.labelSelector,
        fieldSelector: spec.fieldSelector,
      }),
      cache,
      onError: (step, e) => log.warn({ err: e, step }, `${spec.for.kind} ${step} failed; retrying`),
    });
    inf.on({
      added: (obj, fromList) => {
        raw("ADDED", obj);
        o.enqueue(keyOf(obj), fromList ? "low" : "high");
      },
      updated: (old, now) => {
        raw("MODIFIED", now);
        if (changed(old, now)) o.enqueue(keyOf(now), "high");
      },
      deleted: (obj) => {
        raw("DELETED", obj);
        o.cancel(keyOf(obj));
      },
    });
    informers.push(inf);
  }
  return { informers, view: mergedReader(caches.map((c) => c.reader())) };
}
