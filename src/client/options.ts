/**
 * The options of the client's verbs (`capstan/client` exports them): what a caller says
 * to `KubeClient` and its `list`, `watch`, writes and deletes. Types only; client.ts,
 * listwatch.ts and writes.ts turn them into requests.
 */
import type { Selector } from "../core/selectors.js";
import type { ConfigOptions } from "./config.js";
import type { RateLimit } from "./http.js";
import type { WatchState } from "./watch.js";

/** Where the client connects (kubeconfig, context…), its rate limit and default field manager. */
export interface ClientOptions extends ConfigOptions {
  /** Client-side rate limit; off by default. */
  rateLimit?: RateLimit;
  /** Field manager of every create, update, patch and apply that names none; default "capstan". */
  fieldManager?: string;
}

/** Which objects a list returns (selectors, namespaces), its page size, and metadata only. */
export interface ListOptions {
  labelSelector?: Selector;
  fieldSelector?: Selector;
  /** Page size; pages are followed automatically. */
  limit?: number;
  allNamespaces?: boolean;
  signal?: AbortSignal;
  /**
   * Only metadata: the server answers with PartialObjectMetadata (no spec, data or status),
   * for watchers that only need owner references and labels — a cache of Secrets or
   * ConfigMaps without their payloads.
   */
  metadataOnly?: boolean;
}

/** A list's objects and the resourceVersion to watch from. */
export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/** A write's dry run, field manager, subresource and signal. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  subresource?: "status" | "scale";
  signal?: AbortSignal;
}

/** A patch's format: JSON merge patch, strategic merge patch or JSON patch. */
export type PatchType = "merge" | "strategic" | "json";

/** A delete's propagation, grace period, preconditions and dry run. */
export interface DeleteOptions {
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** A watch's selectors and position, its stream timeouts, bookmarks and streaming list. */
export interface WatchOptions extends Omit<ListOptions, "limit"> {
  resourceVersion?: string;
  /** Server-side timeout of one stream (default 290 s, as kube-rs). */
  timeoutSeconds?: number;
  /** Cut a stream silent for this long (default: timeoutSeconds + 30 s). */
  inactivityMs?: number;
  allowWatchBookmarks?: boolean;
  /** Streaming list: the current state as ADDED events, then an initial-events-end bookmark. */
  sendInitialEvents?: boolean;
  /** Watch stream state, updated in place (resourceVersion, initialEventsEnded). */
  state?: WatchState;
}
