/**
 * The informer: keeps a cache equal to the server's state of one kind (in one namespace or
 * all, with server-side label/field selectors) and tells its listeners what changed.
 *
 * The list/watch cycle is an exhaustive state machine:
 *
 *   list ──(all pages)──► watch(rv) ──(stream ends: server timeout)──► watch(rv)
 *    ▲                      │  │
 *    │                      │  └──(error, stalled stream)──► backoff ──► watch(rv)
 *    └────(410 Gone)────────┘
 *
 * Guarantees: the initial list is paginated (`pageSize`, default 500) and never a single
 * unbounded request; a 410 Gone relists (again paginated) and reports the objects that
 * vanished meanwhile as deleted; every other failure resumes from the last resourceVersion
 * after a jittered backoff; bookmarks advance the resourceVersion so resumes are cheap.
 * A stream that goes silent longer than `inactivityMs` is cut and resumed.
 */
import type { Cache, CacheReader, KubeObjectLike } from "./cache.js";
import { keyOf } from "./cache.js";
import { backoffFrom, type Backoff, type BackoffOptions } from "../backoff.js";
import { sleep } from "../sleep.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
export interface WatchEventLike<T> {
  type: WatchEventType;
  object: T;
}

/** What an informer needs from the API: satisfied by `listWatchFor(client, …)`. */
export interface ListWatch<T> {
  /** Every object, fetched in pages of `limit` (never one unbounded request). */
  list(opts: {
    limit: number;
    signal: AbortSignal;
  }): Promise<{ items: T[]; resourceVersion: string }>;
  watch(opts: { resourceVersion: string; signal: AbortSignal }): AsyncIterable<WatchEventLike<T>>;
  /** True when `e` is the API's 410 Gone (the resourceVersion is too old). */
  isGone(e: unknown): boolean;
}

export interface InformerListener<T> {
  added?(obj: T, fromList: boolean): void;
  updated?(old: T, obj: T): void;
  deleted?(obj: T): void;
}

type State =
  | { phase: "list" }
  | { phase: "watch"; resourceVersion: string }
  | { phase: "backoff"; delayMs: number; then: State };

export interface InformerStats {
  lists: number;
  watchStarts: number;
  watchErrors: number;
  events: number;
  lastEventAt: number;
  /** Last sign of a live watch: a list completed, or an event or bookmark arrived. */
  lastProgressAt: number;
  /** When `run` began: how long a cache that never synced has been trying. */
  startedAt: number;
  /** The last failure's message (a Forbidden names the missing rule), cleared by a success. */
  lastError: string | undefined;
}

export interface InformerOptions<T> {
  name: string;
  source: ListWatch<T>;
  cache: Cache<T & KubeObjectLike>;
  pageSize?: number;
  backoff?: BackoffOptions;
  /** Called with every failure the informer recovers from (for logs and metrics). */
  onError?: (step: "list" | "watch", e: unknown) => void;
}

export class Informer<T extends KubeObjectLike> {
  readonly name: string;
  readonly stats: InformerStats = {
    lists: 0,
    watchStarts: 0,
    watchErrors: 0,
    events: 0,
    lastEventAt: 0,
    lastProgressAt: 0,
    startedAt: 0,
    lastError: undefined,
  };
  private readonly listeners: InformerListener<T>[] = [];
  private readonly backoff: Backoff;
  private syncedResolve!: () => void;
  private isSynced = false;
  /** Resolves once the first full list is in the cache. */
  readonly synced: Promise<void> = new Promise((r) => (this.syncedResolve = r));

  constructor(private readonly opts: InformerOptions<T>) {
    this.name = opts.name;
    this.backoff = backoffFrom(opts.backoff);
  }

  get hasSynced(): boolean {
    return this.isSynced;
  }

  reader(): CacheReader<T> {
    return this.opts.cache.reader() as CacheReader<T>;
  }

  on(listener: InformerListener<T>): void {
    this.listeners.push(listener);
  }

  /** Run until `signal` aborts. Never throws for API failures: it retries them. */
  async run(signal: AbortSignal): Promise<void> {
    let state: State = { phase: "list" };
    this.stats.startedAt = Date.now();
    while (!signal.aborted) state = await this.step(state, signal);
  }

  private async step(state: State, signal: AbortSignal): Promise<State> {
    switch (state.phase) {
      case "list":
        try {
          const rv = await this.relist(signal);
          this.backoff.reset();
          this.stats.lastError = undefined;
          return { phase: "watch", resourceVersion: rv };
        } catch (e) {
          if (signal.aborted) return state;
          this.stats.lastError = e instanceof Error ? e.message : String(e);
          this.opts.onError?.("list", e);
          return { phase: "backoff", delayMs: this.backoff.next(), then: state };
        }
      case "watch":
        try {
          const rv = await this.watch(state.resourceVersion, signal);
          return { phase: "watch", resourceVersion: rv };
        } catch (e) {
          if (signal.aborted) return state;
          this.stats.watchErrors++;
          this.opts.onError?.("watch", e);
          if (this.opts.source.isGone(e)) return { phase: "list" };
          const rv = (e as { resourceVersion?: string }).resourceVersion ?? state.resourceVersion;
          return {
            phase: "backoff",
            delayMs: this.backoff.next(),
            then: { phase: "watch", resourceVersion: rv },
          };
        }
      case "backoff":
        await sleep(state.delayMs, signal);
        return state.then;
      default: {
        const never: never = state;
        return never;
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<string> {
    this.stats.lists++;
    const { items, resourceVersion: rv } = await this.opts.source.list({
      limit: this.opts.pageSize ?? 500,
      signal,
    });
    const cache = this.opts.cache;
    const before = new Map(
      cache
        .reader()
        .keys()
        .map((k) => [k, cache.reader().get(k)!]),
    );
    const gone = cache.replace(items as (T & KubeObjectLike)[]);
    this.stats.lastProgressAt = Date.now();
    for (const key of gone) this.emitDeleted(before.get(key) as T);
    for (const obj of items) {
      const old = before.get(keyOf(obj));
      const now = cache.reader().get(keyOf(obj)) as T;
      if (!old) this.emit((l) => l.added?.(now, true));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
        this.emit((l) => l.updated?.(old as T, now));
      }
    }
    if (!this.isSynced) {
      this.isSynced = true;
      this.syncedResolve();
    }
    return rv;
  }

  /** Consume one watch stream; returns the resourceVersion to resume from. */
  private async watch(resourceVersion: string, signal: AbortSignal): Promise<string> {
    this.stats.watchStarts++;
    let rv = resourceVersion;
    try {
      for await (const ev of this.opts.source.watch({ resourceVersion: rv, signal })) {
        this.stats.events++;
        this.stats.lastEventAt = this.stats.lastProgressAt = Date.now();
        this.backoff.reset();
        rv = ev.object.metadata?.resourceVersion ?? rv;
        this.apply(ev);
      }
    } catch (e) {
      // Resume from the last version seen, not the one the stream started at.
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { resourceVersion: rv });
    }
    return rv;
  }

  private apply(ev: WatchEventLike<T>): void {
    const cache = this.opts.cache;
    switch (ev.type) {
      case "BOOKMARK":
        return;
      case "ADDED":
      case "MODIFIED": {
        const old = cache.upsert(ev.object as T & KubeObjectLike) as T | undefined;
        const now = cache.reader().get(keyOf(ev.object)) as T;
        if (!old) this.emit((l) => l.added?.(now, false));
        else if (old.metadata?.resourceVersion !== now.metadata?.resourceVersion) {
          this.emit((l) => l.updated?.(old, now));
        }
        return;
      }
      case "DELETED": {
        const old = cache.remove(keyOf(ev.object));
        this.emitDeleted((old ?? ev.object) as T);
        return;
      }
      default: {
        const never: never = ev.type;
        return never;
      }
    }
  }

  private emitDeleted(obj: T): void {
    this.emit((l) => l.deleted?.(obj));
  }

  private emit(f: (l: InformerListener<T>) => void): void {
    for (const l of this.listeners) {
      try {
        f(l);
      } catch {
        // A listener's bug must not stop the informer; listeners report their own errors.
      }
    }
  }
}
