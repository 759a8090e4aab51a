/**
 * An informer's list/watch source (informer.ts `ListWatch`) for one kind, read through the
 * client: paginated lists and single watch streams, the informer doing the relisting.
 */
import type { KubeClient } from "../../client/client.js";
import type { KindRef } from "../kind.js";
import type { ListWatch } from "./informer.js";

/** What a list-and-watch source selects: a namespace, label and field selectors, metadata only. */
export interface ListWatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Only metadata (PartialObjectMetadata): for owned children, whose bodies we never read. */
  metadataOnly?: boolean;
}

/** How long watch streams last: the server's timeout and the client's silence watchdog. */
export interface WatchTuning {
  /** Cut and resume a stream silent this long (default: the client's). */
  inactivityMs?: number;
  /** Server-side timeout of one stream (default: the client's). */
  timeoutSeconds?: number;
}

/** Builds the sources of a controller's informers, all with one client and tuning. */
export type Sources = <T>(kind: KindRef, opts: ListWatchOptions) => ListWatch<T>;

export function clientSources(client: KubeClient, tuning: WatchTuning = {}): Sources {
  return (kind, o) => listWatch(client, kind, o, tuning);
}

/** A list-and-watch source for an informer, through `client`. */
export function listWatch<T>(
  client: KubeClient,
  kind: KindRef,
  o: ListWatchOptions,
  tuning: WatchTuning = {},
): ListWatch<T> {
  const ref = { apiVersion: kind.apiVersion, kind: kind.kind, namespace: o.namespace };
  const allNamespaces = o.namespace === undefined;
  return {
    // Pages of 500 (the client's default): never one unbounded request.
    list: (signal) =>
      client.list<typeof ref, T>(ref, {
        labelSelector: o.labelSelector,
        fieldSelector: o.fieldSelector,
        allNamespaces,
        metadataOnly: o.metadataOnly,
        signal,
      }),
    watch(from, signal) {
      return client.watchOnce<typeof ref, T>(ref, {
        state: from,
        signal,
        labelSelector: o.labelSelector,
        fieldSelector: o.fieldSelector,
        allNamespaces,
        metadataOnly: o.metadataOnly,
        allowWatchBookmarks: true,
        timeoutSeconds: tuning.timeoutSeconds,
        inactivityMs: tuning.inactivityMs,
      });
    },
  };
}
