/**
 * The kinds a controller owns (`owns:`): sugar over `watches` (watches.ts) whose map is the
 * object's controller reference to the owner's kind, and a read-only view per owned kind
 * (`ctx.owned(kind)`) over the same metadata-only cache that re-queues the owner.
 *
 * Metadata only: the owner's reconcile needs to know that a child exists, whose it is and
 * its annotations, not its content — and a metadata cache of 10,000 ConfigMaps costs a
 * fraction of a full one.
 */
import type { CacheReader } from "../watch/cache.js";
import type { KindRef } from "../kind.js";
import type { ApiObject } from "./reconcile.js";
import type { ObjectKey, RelatedKinds, Watch } from "./watches.js";

export interface OwnedKinds {
  /** The view of one owned kind, or undefined when the controller does not own it. */
  view(kind: KindRef): CacheReader<ApiObject> | undefined;
}

/** `owns: kinds` as watches: a change re-queues the object's controller owner of kind `owner`. */
export function ownedWatches<P>(owner: KindRef, kinds: readonly KindRef[]): Watch<P>[] {
  return kinds.map((kind) => ({
    kind,
    metadataOnly: true,
    map: (obj) => {
      const keys: ObjectKey[] = [];
      for (const r of obj.metadata.ownerReferences ?? [])
        if (r.controller && r.kind === owner.kind && r.apiVersion === owner.apiVersion)
          keys.push({ name: r.name, namespace: obj.metadata.namespace });
      return keys;
    },
  }));
}

/** The owned kinds' views: only kinds listed in `owns`, even when `watches` names others. */
export function ownedKinds(related: RelatedKinds, kinds: readonly KindRef[]): OwnedKinds {
  const owned = new Set(kinds.map((k) => `${k.apiVersion}/${k.kind}`));
  return {
    view: (kind) => (owned.has(`${kind.apiVersion}/${kind.kind}`) ? related.view(kind) : undefined),
  };
}
