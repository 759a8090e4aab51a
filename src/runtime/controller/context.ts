/**
 * The `ctx` a reconcile receives: its key, logger, abort signal and attempt; read-only views
 * of the controller's cache and of the kinds it owns; the client; a
 * status writer that sends nothing when nothing changes; and an Event recorder bound to the
 * object.
 */
import type { KubeClient } from "../../client/client.js";
import type { CacheReader } from "../watch/cache.js";
import { ensureChild } from "../ownership/children.js";
import { deepEqual } from "../../core/equal.js";
import { RuntimeError } from "../errors.js";
import type { EventRecorder } from "../status/events.js";
import type { Logger } from "../log.js";
import type { OwnedKinds } from "./owned.js";
import type { KindRef } from "../kind.js";
import type { ApiObject, ReconcileContext } from "./reconcile.js";

export interface ContextDeps<T extends ApiObject> {
  controller: string;
  kind: KindRef;
  view: CacheReader<T>;
  owned: OwnedKinds;
  client: KubeClient;
  recorder: EventRecorder;
  /** Merge-patch the object's status subresource (counted as one of the controller's writes). */
  writeStatus(obj: T, status: Record<string, unknown>): Promise<unknown>;
}

export function reconcileContext<T extends ApiObject>(
  deps: ContextDeps<T>,
  run: { key: string; obj: T; attempt: number; logger: () => Logger; signal: AbortSignal },
): ReconcileContext<T> {
  const { key, obj, logger } = run;
  const client = deps.client;
  const regarding = {
    apiVersion: deps.kind.apiVersion,
    kind: deps.kind.kind,
    name: obj.metadata!.name!,
    namespace: obj.metadata?.namespace,
    uid: obj.metadata?.uid,
    resourceVersion: obj.metadata?.resourceVersion,
  };
  return {
    key,
    // Built on first use (run.logger memoizes): most reconciles log nothing.
    get log() {
      return logger();
    },
    signal: run.signal,
    attempt: run.attempt,
    cache: deps.view,
    owned: (kind) => {
      const view = deps.owned.view(kind);
      if (!view)
        throw new RuntimeError(
          "owned",
          `controller ${deps.controller} does not own ${kind.kind} (${kind.apiVersion}): list it in \`owns\``,
        );
      return view;
    },
    client,
    ensureChild: (child, opts) => {
      const owner = { ...obj, apiVersion: deps.kind.apiVersion, kind: deps.kind.kind };
      return ensureChild(client, owner, child, {
        fieldManager: deps.controller,
        signal: run.signal,
        ...opts,
      });
    },
    patchStatus: async (status) => {
      const current = (deps.view.get(key) ?? obj).status as Record<string, unknown> | undefined;
      if (deepEqual(current ?? {}, { ...(current ?? {}), ...status })) return;
      await deps.writeStatus(obj, status);
    },
    event: (ev) =>
      deps.recorder.record(regarding, {
        type: ev.type ?? "Normal",
        action: ev.action ?? "Reconcile",
        reason: ev.reason,
        note: ev.note,
      }),
  };
}
