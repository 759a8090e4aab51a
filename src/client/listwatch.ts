/**
 * The client's streaming reads: a list page by page, one watch stream, and the watch that
 * reconnects. They share what plain reads do not: the Accept headers that ask for metadata
 * only, selectors, and a position (a list's `continue`, a watch's resourceVersion and
 * streaming-list state) that the next request resumes from.
 *
 * Separate from client.ts, whose `listPages`, `watchOnce` and `watch` delegate here and keep
 * the documented signatures; this module names what it needs of the client (`Streaming`)
 * instead of importing it, so the imports stay one way.
 */
import { describe, type TypeRef } from "../core/object.js";
import { selectorString } from "../core/selectors.js";
import type { Transport } from "./http.js";
import { request, type Addressing } from "./locate.js";
import { resourcePath } from "./paths.js";
import type { ListOptions, ListResult, WatchOptions } from "./options.js";
import { watchStream, type WatchEvent, type WatchState } from "./watch.js";
import { unrecoverable, watcher } from "./watcher.js";

/** Accept headers asking for PartialObjectMetadata(List) instead of full objects. */
const METADATA_ONLY =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
const METADATA_ONLY_WATCH =
  "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

/** What the streams need of the client. `KubeClient` satisfies it. */
export interface Streaming extends Addressing {
  readonly http: Pick<Transport, "json" | "open">;
}

/** Every page of a list, following `continue`; each item gets the list's apiVersion and kind. */
export async function* listPages<T>(
  client: Addressing,
  ref: TypeRef & { namespace?: string },
  opts: ListOptions,
): AsyncGenerator<ListResult<T>> {
  let cont: string | undefined;
  do {
    const page = await request<{
      items: T[];
      metadata: { resourceVersion: string; continue?: string };
    }>(client, "list", ref, {
      method: "GET",
      idempotent: true,
      accept: opts.metadataOnly ? METADATA_ONLY : undefined,
      all: opts.allNamespaces,
      signal: opts.signal,
      query: {
        labelSelector: selectorString(opts.labelSelector),
        fieldSelector: selectorString(opts.fieldSelector),
        limit: opts.limit ?? 500,
        continue: cont,
      },
    });
    const kind = ref.kind;
    // An empty PartialObjectMetadataList comes back with `items: null`.
    page.items ??= [];
    for (const item of page.items)
      Object.assign(item as object, { apiVersion: ref.apiVersion, kind });
    yield { items: page.items, resourceVersion: page.metadata.resourceVersion };
    cont = page.metadata.continue || undefined;
  } while (cont);
}

/** One watch stream from `opts.state` (updated in place as events arrive); see watch.ts. */
export async function* watchOnce<T>(
  client: Streaming,
  ref: TypeRef & { namespace?: string; name?: string },
  opts: WatchOptions,
): AsyncGenerator<WatchEvent<T>> {
  const { info, namespace } = await client.locate(
    { ...ref, name: undefined },
    { allNamespaces: opts.allNamespaces },
  );
  const timeoutSeconds = opts.timeoutSeconds ?? 290;
  const state = opts.state ?? {
    resourceVersion: opts.resourceVersion,
    initialEventsEnded: false,
  };
  const object = describe({ ...ref, namespace });
  const fieldSelector = ref.name ? `metadata.name=${ref.name}` : selectorString(opts.fieldSelector);
  // Once a streaming list has delivered its initial state, resuming is a plain watch.
  const streaming = opts.sendInitialEvents === true && !state.initialEventsEnded;
  const inactivityMs = opts.inactivityMs ?? (timeoutSeconds + 30) * 1000;
  const res = await client.http.open({
    method: "GET",
    path: resourcePath(info, namespace),
    describe: { verb: "watch", object },
    accept: opts.metadataOnly ? METADATA_ONLY_WATCH : undefined,
    signal: opts.signal,
    // The server sends a watch's headers at once: a connection that stays silent longer
    // than the inactivity window is as stalled before them as after.
    timeoutMs: Math.min(30_000, inactivityMs),
    query: {
      watch: "true",
      resourceVersion: state.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks ?? true,
      timeoutSeconds,
      labelSelector: selectorString(opts.labelSelector),
      fieldSelector,
      sendInitialEvents: streaming ? "true" : undefined,
      resourceVersionMatch: streaming ? "NotOlderThan" : undefined,
    },
  });
  yield* watchStream<T>(res, { verb: "watch", object }, state, inactivityMs);
}

/**
 * The watch that reconnects (watcher.ts) from the last position, opening each stream with
 * `open`. A failure that retrying would repeat ends it, and so does a GoneError: with no
 * list to fall back on, the caller lists again.
 */
export function reconnecting<T>(
  open: (from: WatchState, signal?: AbortSignal) => AsyncGenerator<WatchEvent<T>>,
  opts: WatchOptions & { onReconnect?: (e: unknown, delayMs: number) => void },
): AsyncGenerator<WatchEvent<T>> {
  return watcher<T>(
    { watch: open },
    {
      signal: opts.signal,
      position: opts.state ?? {
        resourceVersion: opts.resourceVersion,
        initialEventsEnded: false,
      },
      streamingList: opts.sendInitialEvents,
      fatal: unrecoverable,
      onState: (s, failure) => {
        if (failure && s.phase === "backoff") opts.onReconnect?.(failure.error, s.delayMs);
      },
    },
  );
}
