/**
 * Related objects (`watches:`): kinds whose changes re-queue primary objects that a map
 * function names — a Secret change re-queues the objects that reference it (controller-
 * runtime's `Watches(obj, EnqueueRequestsFromMapFunc(f))`, kube-rs `Controller::watches`).
 * `owns` is this with the map "my controller owner" (owned.ts).
 *
 * Contract:
 * - An added, changed or deleted object re-queues the keys its map returns; a change
 *   re-queues those of the old and of the new version (a relabelled object leaves one owner
 *   for another: both must look). The initial list re-queues nobody: the primary kind's own
 *   list queues every primary object. A later relist does re-queue (the gap may hide edits).
 * - One informer per kind and namespace for the whole controller, however many watches and
 *   `owns` share the kind. Metadata only (PartialObjectMetadata) unless a watch of the kind
 *   asks for `metadataOnly: false`: by default a Secret's payload is never cached, and a map
 *   sees names, labels, annotations and ownerReferences.
 * - Scoped to the controller's namespaces unless a watch names its own (`"all"`: every
 *   namespace, or a cluster-scoped kind watched by a namespaced controller).
 * - A map is user code: a throw is logged with the kind and the object, and re-queues
 *   nothing for that event; the informer and the other watches carry on.
 */
import { Cache, keyOf, mergedReader, type CacheReader } from "../watch/cache.js";
import { Informer } from "../watch/informer.js";
import type { Logger } from "../log.js";
import { kindRefOf, type KindRef } from "../kind.js";
import type { Sources } from "../watch/source.js";
import type { ApiObject } from "../object.js";

/** A primary object to re-queue: its name, and its namespace when the kind is namespaced. */
export interface ObjectKey {
  name: string;
  namespace?: string;
}

/** What a watch's map may consult besides the changed object. */
export interface WatchMapContext<P> {
  /** The controller's cache of its primary kind, with its `indexers` (`byIndex`). */
  readonly cache: CacheReader<P>;
}

/** Which primary objects a related object's change concerns. */
export type WatchMap<P> = (obj: ApiObject, ctx: WatchMapContext<P>) => Iterable<ObjectKey>;

/** A related kind whose changes re-queue the primary objects `map` returns. */
export interface Watch<P = ApiObject> {
  kind: KindRef;
  map: WatchMap<P>;
  /** Cache and watch metadata only (default true): a map rarely needs more. */
  metadataOnly?: boolean;
  /** Where to watch (default: the controller's namespaces); `"all"`: every namespace. */
  namespaces?: readonly string[] | "all";
}

/** One informer the watches of a controller need, and the watches it feeds. */
export interface InformerPlan<P> {
  kind: KindRef;
  /** undefined: every namespace (or a cluster-scoped kind). */
  namespace: string | undefined;
  metadataOnly: boolean;
  watches: Watch<P>[];
}

const kindKey = (k: KindRef) => `${k.apiVersion}/${k.kind}`;

/**
 * The informers for `watches` (pure): one per kind and namespace. A kind that one watch
 * wants in every namespace gets a single informer for all, and each watch then hears only
 * its own namespaces.
 */
export function planInformers<P>(
  watches: readonly Watch<P>[],
  namespaces: readonly (string | undefined)[],
): InformerPlan<P>[] {
  const byKind = new Map<string, Watch<P>[]>();
  for (const w of watches) byKind.set(kindKey(w.kind), [...(byKind.get(kindKey(w.kind)) ?? []), w]);
  const plans: InformerPlan<P>[] = [];
  for (const group of byKind.values()) {
    const wanted = group.map((w) => scopeOf(w, namespaces));
    const all = wanted.some((s) => s.includes(undefined));
    const spaces = all ? [undefined] : [...new Set(wanted.flat())].sort();
    const metadataOnly = group.every((w) => w.metadataOnly ?? true);
    for (const namespace of spaces)
      plans.push({ kind: kindRefOf(group[0]!.kind), namespace, metadataOnly, watches: group });
  }
  return plans;
}

function scopeOf<P>(w: Watch<P>, namespaces: readonly (string | undefined)[]) {
  if (w.namespaces === "all") return [undefined];
  return w.namespaces ? [...w.namespaces] : [...namespaces];
}

export interface RelatedKinds {
  readonly informers: Informer<ApiObject>[];
  /** The cache of one watched kind, or undefined when no watch names it. */
  view(kind: KindRef): CacheReader<ApiObject> | undefined;
}

export function watchRelated<P>(o: {
  controller: string;
  watches: readonly Watch<P>[];
  /** The controller's namespaces (`[undefined]`: all). */
  namespaces: readonly (string | undefined)[];
  /** The controller's primary cache, for maps that look up indexes. */
  cache: CacheReader<P>;
  sources: Sources;
  log: Logger;
  /** Re-queue the primary object with this key (`namespace/name`, or `name`). */
  requeue(key: string): void;
}): RelatedKinds {
  const informers: Informer<ApiObject>[] = [];
  const caches = new Map<string, CacheReader<ApiObject>[]>();
  const ctx: WatchMapContext<P> = { cache: o.cache };
  for (const plan of planInformers(o.watches, o.namespaces)) {
    const { kind, namespace } = plan;
    const cache = new Cache<ApiObject>();
    const inf = new Informer<ApiObject>({
      name: `${kind.kind}${namespace ? ` in ${namespace}` : ""} (related to ${o.controller})`,
      source: o.sources<ApiObject>(kind, { namespace, metadataOnly: plan.metadataOnly }),
      cache,
      onError: (step, e) => o.log.warn({ err: e, step }, `${kind.kind} ${step} failed; retrying`),
    });
    // The watches this informer feeds. Only an informer for every namespace may carry
    // objects a watch must not hear (it names some namespaces): those check each object.
    const feeds = plan.watches.flatMap((w) => {
      const scope = scopeOf(w, o.namespaces);
      if (namespace !== undefined && !scope.includes(namespace)) return [];
      const only = namespace === undefined && !scope.includes(undefined) ? scope : undefined;
      return [{ map: w.map, only }];
    });
    // Keys in a small array, not a Set: an event maps to one or two keys, and an update whose
    // old and new version name the same owner must queue it once.
    const keysOf = (obj: ApiObject, into: string[]) => {
      for (const { map, only } of feeds) {
        if (only && !only.includes(obj.metadata.namespace)) continue;
        let mapped: ObjectKey[];
        try {
          mapped = [...map(obj, ctx)];
        } catch (e) {
          o.log.warn(
            { err: e, controller: o.controller, key: keyOf(obj) },
            `the map of watched ${kind.kind} ${keyOf(obj)} failed; nothing re-queued for this change`,
          );
          continue;
        }
        for (const k of mapped) {
          const key = k.namespace ? `${k.namespace}/${k.name}` : k.name;
          if (!into.includes(key)) into.push(key);
        }
      }
      return into;
    };
    const requeue = (...versions: ApiObject[]) => {
      const keys: string[] = [];
      for (const obj of versions) keysOf(obj, keys);
      for (const k of keys) o.requeue(k);
    };
    inf.on({
      // The first list re-queues nobody (the primary list queues everything); a relist does.
      added: (obj, fromList) => (!fromList || inf.hasSynced) && requeue(obj),
      updated: (old, now) => requeue(old, now),
      deleted: (obj) => requeue(obj),
    });
    informers.push(inf);
    const k = kindKey(kind);
    caches.set(k, [...(caches.get(k) ?? []), cache.reader()]);
  }
  const views = new Map([...caches].map(([k, readers]) => [k, mergedReader(readers)]));
  return { informers, view: (kind) => views.get(kindKey(kind)) };
}

/**
 * A map for `watches`: the primary objects whose index `index` (a controller `indexers`
 * entry) lists the changed object's key, `namespace/name` (`name` when cluster-scoped).
 *
 * ```ts
 * indexers: { adminSecret: (db) => [`${db.metadata.namespace}/${db.spec.adminSecretRef.name}`] },
 * watches: [{ kind: Secret, map: referencedBy("adminSecret") }],
 * ```
 */
export function referencedBy<P extends ApiObject>(index: string): WatchMap<P> {
  return (obj, { cache }) =>
    cache.byIndex(index, keyOf(obj)).map((p) => ({
      name: p.metadata.name!,
      namespace: p.metadata.namespace,
    }));
}
