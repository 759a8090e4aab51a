/**
 * The cache an informer fills: objects by key (`namespace/name`, or `name` for cluster-scoped
 * kinds), plus custom indexes.
 *
 * One writer, many readers: the informer holds the `Cache` and calls `upsert/remove/replace`;
 * everyone else gets `reader()`, a read-only view with no mutating methods. Objects are
 * stored after `transform` (by default: `metadata.managedFields` stripped — 20–25 % of a
 * cached object's bytes, and never needed by a controller) and frozen, so a reader cannot
 * change what another reader sees.
 */

export interface KubeObjectLike {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    managedFields?: unknown;
  };
}

/** The index values of an object (e.g. the Secrets it references), for `byIndex`. */
export type Indexer<T> = (obj: T) => string[];

/** A read-only view of a cache, by `namespace/name` key (or `name` for cluster-scoped objects). */
export interface CacheReader<T> {
  /** The object with this key. */
  get(key: string): T | undefined;
  /** Every object. */
  list(): T[];
  /** Every key. */
  keys(): string[];
  /** The objects whose indexer `index` returned `value`. */
  byIndex(index: string, value: string): T[];
  readonly size: number;
}

/** One read-only view over several caches (their keys never overlap: one per namespace). */
export function mergedReader<T>(readers: CacheReader<T>[]): CacheReader<T> {
  if (readers.length === 1) return readers[0]!;
  return {
    get: (key) => {
      for (const r of readers) {
        const v = r.get(key);
        if (v) return v;
      }
      return undefined;
    },
    list: () => readers.flatMap((r) => r.list()),
    keys: () => readers.flatMap((r) => r.keys()),
    byIndex: (index, value) => readers.flatMap((r) => r.byIndex(index, value)),
    get size() {
      return readers.reduce((n, r) => n + r.size, 0);
    },
  };
}

/** An object's cache key: `namespace/name`, or `name` when it has no namespace. */
export function keyOf(obj: KubeObjectLike): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}

/** The object without `metadata.managedFields` (the default transform: they are large and rarely read). */
export function stripManagedFields<T extends KubeObjectLike>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata } as T;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export interface CacheOptions<T> {
  indexers?: Record<string, Indexer<T>>;
  /** Applied to every object before it is stored. Default: strip managedFields. */
  transform?: (obj: T) => T;
}

/** Objects by key, with indexes; frozen when stored. One writer (the informer), read through `reader()`. */
export class Cache<T extends KubeObjectLike> {
  private readonly items = new Map<string, T>();
  /** The indexers with their index, resolved once: `upsert` runs per watch event. */
  private readonly indexers: [Indexer<T>, Map<string, Set<string>>][] = [];
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly transform: (obj: T) => T;
  /** One view for every caller: the informer asks for it on every event. */
  private readonly view: CacheReader<T>;

  constructor(opts: CacheOptions<T> = {}) {
    this.transform = opts.transform ?? stripManagedFields;
    for (const [name, fn] of Object.entries(opts.indexers ?? {})) {
      const idx = new Map<string, Set<string>>();
      this.indexes.set(name, idx);
      this.indexers.push([fn, idx]);
    }
    const items = this.items;
    const lookup = (index: string, value: string) => this.lookup(index, value);
    this.view = {
      get: (key) => items.get(key),
      list: () => [...items.values()],
      keys: () => [...items.keys()],
      byIndex: lookup,
      get size() {
        return items.size;
      },
    };
  }

  /** Store (or replace) an object; returns the previous version. */
  upsert(obj: T): T | undefined {
    const stored = deepFreeze(this.transform(obj));
    const key = keyOf(stored);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, stored);
    this.index(key, stored);
    return old;
  }

  /** Remove an object; returns it. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Replace everything (after a list); returns the keys that disappeared. */
  replace(objs: T[]): string[] {
    const fresh = new Set(objs.map(keyOf));
    const gone = [...this.items.keys()].filter((k) => !fresh.has(k));
    for (const k of gone) this.remove(k);
    for (const o of objs) this.upsert(o);
    return gone;
  }

  /** A read-only view for everyone but the writer. */
  reader(): CacheReader<T> {
    return this.view;
  }

  private lookup(index: string, value: string): T[] {
    const idx = this.indexes.get(index);
    if (!idx) throw new Error(`no index named ${index}`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  private index(key: string, obj: T): void {
    for (const [fn, idx] of this.indexers) {
      for (const v of fn(obj)) {
        let set = idx.get(v);
        if (!set) idx.set(v, (set = new Set()));
        set.add(key);
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [fn, idx] of this.indexers) {
      for (const v of fn(obj)) {
        const set = idx.get(v);
        set?.delete(key);
        if (set?.size === 0) idx.delete(v);
      }
    }
  }
}
