/**
 * The kinds a controller owns (`owns:`): per kind, one metadata-only informer per watched
 * namespace, whose changes re-queue the owner named by the object's controller reference,
 * and one read-only view over their caches (`ctx.owned(kind)`).
 *
 * Metadata only: the owner's reconcile needs to know that a child exists, whose it is and
 * its annotations, not its content — and a metadata cache of 10,000 ConfigMaps costs a
 * fraction of a full one.
 */
import { Cache, mergedReader, type CacheReader } from "./cache.js";
import { Informer } from "./informer.js";
import type { Logger } from "./log.js";
import type { KindRef, RuntimePort } from "./port.js";
import type { KubeObject } from "./reconcile.js";

export interface OwnedKinds {
  readonly informers: Informer<KubeObject>[];
  /** The view of one owned kind, or undefined when the controller does not own it. */
  view(kind: KindRef): CacheReader<KubeObject> | undefined;
}

export function watchOwned(o: {
  owner: KindRef;
  kinds: KindRef[];
  namespaces: (string | undefined)[];
  port: RuntimePort;
  log: Logger;
  /** Re-queue the owner with this key (`namespace/name`, or `name` when cluster-scoped). */
  requeue(key: string): void;
}): OwnedKinds {
  const informers: Informer<KubeObject>[] = [];
  const views = new Map<string, CacheReader<KubeObject>>();
  const requeueOwner = (obj: KubeObject) => {
    for (const ref of obj.metadata?.ownerReferences ?? [])
      if (ref.controller && ref.kind === o.owner.kind && ref.apiVersion === o.owner.apiVersion)
        o.requeue(obj.metadata?.namespace ? `${obj.metadata.namespace}/${ref.name}` : ref.name);
  };
  for (const kind of o.kinds) {
    const caches: Cache<KubeObject>[] = [];
    for (const namespace of o.namespaces) {
      const cache = new Cache<KubeObject>();
      caches.push(cache);
      const inf = new Informer<KubeObject>({
        name: `${kind.kind} owned by ${o.owner.kind}`,
        source: o.port.listWatch<KubeObject>(kind, { namespace, metadataOnly: true }),
        cache,
        onError: (step, e) => o.log.warn({ err: e, step }, `${kind.kind} ${step} failed; retrying`),
      });
      inf.on({
        // The initial list re-queues nobody: the owner's own list queues every owner.
        added: (obj, fromList) => !fromList && requeueOwner(obj),
        updated: (_old, now) => requeueOwner(now),
        deleted: requeueOwner,
      });
      informers.push(inf);
    }
    views.set(`${kind.apiVersion}/${kind.kind}`, mergedReader(caches.map((c) => c.reader())));
  }
  return { informers, view: (kind) => views.get(`${kind.apiVersion}/${kind.kind}`) };
}
