/**
 * The informer: keeps a cache equal to the server's state of one kind (in one namespace or
 * all, with server-side label/field selectors) and tells its listeners what changed.
 *
 * The list/watch/relist cycle is the client's watcher (client/watcher.ts, one exhaustive
 * state machine shared with `client.watch()`); the informer applies what it yields.
 *
 * Guarantees: the initial list is paginated by the source (500 objects a page through
 * `listWatch` in source.ts) and never a single unbounded request; a 410 Gone relists (again paginated)
 * and reports the objects that vanished meanwhile as deleted; every other failure — a
 * Forbidden list included, which health reports after its sync timeout — is retried after
 * a jittered backoff, a list from scratch and a watch from the last resourceVersion seen;
 * bookmarks advance that version so resumes are cheap. A stream silent longer than the
 * source's inactivity window is cut and resumed.
 */
import type { Cache, CacheReader, KubeObjectLike } from "./cache.js";
import { keyOf } from "./cache.js";
import { backoffFrom, type BackoffOptions } from "../backoff.js";
import { systemClock, type Clock } from "../../client/clock.js";
import type { WatchEvent, WatchEventType } from "../../client/watch.js";
import { watcher, type WatcherSource, type WatcherState } from "../../client/watcher.js";

export type { WatchEventType };
/** A watch event as the informer receives it. */
export type WatchEventLike<T> = WatchEvent<T>;

/** What an informer needs from the API: satisfied by `listWatch(client, kind, opts)` (source.ts). */
export type ListWatch<T> = WatcherSource<T> & Required<Pick<WatcherSource<T>, "list">>;

/** Callbacks for changes of the informer's cache. */
export interface InformerListener<T> {
  /** A new object; `fromList` when it came from a (re)list. */
  added?(obj: T, fromList: boolean): void;
  /** A changed object, before and after. */
  updated?(old: T, obj: T): void;
  /** An object gone (its last known state). */
  deleted?(obj: T): void;
}

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
  backoff?: BackoffOptions;
  /** Time for the backoff and the stats (a fake clock in tests). */
  clock?: Clock;
  /** Called with every failure the informer recovers from (for logs and metrics). */
  onError?: (step: "list" | "watch", e: unknown) => void;
}

/** Lists and watches one kind into a cache (relisting on 410, resuming stalled watches, with backoff) and tells listeners. */
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
  private syncedResolve!: () => void;
  private isSynced = false;
  /** Resolves once the first full list is in the cache. */
  readonly synced: Promise<void> = new Promise((r) => (this.syncedResolve = r));

  constructor(private readonly opts: InformerOptions<T>) {
    this.name = opts.name;
  }

  get hasSynced(): boolean {
    return this.isSynced;
  }

  /** A read-only view of the informer's cache. */
  reader(): CacheReader<T> {
    return this.opts.cache.reader() as CacheReader<T>;
  }

  /** Add a listener of cache changes. */
  on(listener: InformerListener<T>): void {
    this.listeners.push(listener);
  }

  /** Run until `signal` aborts. Never throws for API failures: it retries them. */
  async run(signal: AbortSignal): Promise<void> {
    const clock = this.opts.clock ?? systemClock;
    this.stats.startedAt = clock.now();
    const cycle = watcher<T>(this.opts.source, {
      signal,
      backoff: backoffFrom(this.opts.backoff),
      clock,
      onState: (s, failure) => this.observe(s, failure),
    });
    for await (const ev of cycle) {
      this.stats.lastProgressAt = clock.now();
      if (ev.type === "LISTED") {
        this.stats.lastError = undefined;
        this.relisted(ev.items);
        continue;
      }
      this.stats.events++;
      this.stats.lastEventAt = this.stats.lastProgressAt;
      this.apply(ev);
    }
  }

  private observe(s: WatcherState, failure?: { step: "list" | "watch"; error: unknown }): void {
    if (s.phase === "list") this.stats.lists++;
    if (s.phase === "watch") this.stats.watchStarts++;
    if (!failure) return;
    if (failure.step === "watch") this.stats.watchErrors++;
    else
      this.stats.lastError =
        failure.error instanceof Error ? failure.error.message : String(failure.error);
    this.opts.onError?.(failure.step, failure.error);
  }

  /** A complete list: replace the cache and tell what was added, changed and deleted. */
  private relisted(items: T[]): void {
    const cache = this.opts.cache;
    const before = new Map(
      cache
        .reader()
        .keys()
        .map((k) => [k, cache.reader().get(k)!]),
    );
    const gone = cache.replace(items as (T & KubeObjectLike)[]);
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
  }

  private apply(ev: WatchEvent<T>): void {
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
