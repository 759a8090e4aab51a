/**
 * The runtime's port (port.ts) implemented with Capstan's client.
 */
import type { KubeClient } from "../client/client.js";
import { AlreadyExistsError, ConflictError, NotFoundError } from "../client/errors.js";
import type { KubeEvent } from "./status/events.js";
import type { ListWatch } from "./watch/informer.js";
import type { KindRef, ListWatchOptions, NamedRef, RuntimePort } from "./port.js";

export function kubePort(
  client: KubeClient,
  opts: { inactivityMs?: number; watchTimeoutSeconds?: number } = {},
): RuntimePort {
  const allNs = (o: ListWatchOptions) => o.namespace === undefined;
  return {
    listWatch<T>(kind: KindRef, o: ListWatchOptions): ListWatch<T> {
      const ref = { apiVersion: kind.apiVersion, kind: kind.kind, namespace: o.namespace };
      return {
        // Pages of 500 (the client's default): never one unbounded request.
        list: (signal) =>
          client.list<typeof ref, T>(ref, {
            labelSelector: o.labelSelector,
            fieldSelector: o.fieldSelector,
            allNamespaces: allNs(o),
            metadataOnly: o.metadataOnly,
            signal,
          }),
        watch(from, signal) {
          return client.watchOnce<typeof ref, T>(ref, {
            state: from,
            signal,
            labelSelector: o.labelSelector,
            fieldSelector: o.fieldSelector,
            allNamespaces: allNs(o),
            metadataOnly: o.metadataOnly,
            allowWatchBookmarks: true,
            timeoutSeconds: opts.watchTimeoutSeconds,
            inactivityMs: opts.inactivityMs,
          });
        },
      };
    },
    async get<T>(ref: NamedRef): Promise<T | undefined> {
      try {
        return (await client.get(ref)) as T;
      } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    },
    create: <T>(obj: T & KindRef) => client.create(obj as never) as Promise<T>,
    replace: <T>(obj: T & KindRef) => client.replace(obj as never) as Promise<T>,
    isConflict: (e) => e instanceof ConflictError || e instanceof AlreadyExistsError,
    mergePatch: <T>(ref: NamedRef, patch: unknown, o?: { subresource?: "status" }) =>
      client.patch(ref, patch, { type: "merge", subresource: o?.subresource }) as Promise<T>,
    events: {
      create: (ev: KubeEvent) => client.create(ev),
      patchSeries: (ref, series) =>
        client.patch(
          { apiVersion: "events.k8s.io/v1", kind: "Event", ...ref },
          { series },
          { type: "merge" },
        ),
    },
  };
}
