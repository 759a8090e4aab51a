/**
 * What a reconcile function sees and returns — the controller's contract with user code —
 * and the default predicate deciding which changes wake it. Types and small values only;
 * controller.ts runs them.
 */
import type { KubeClient } from "../../client/client.js";
import type { CacheReader } from "../watch/cache.js";
import type { Child, ChildOutcome, EnsureChildOptions, LiveChild } from "../ownership/children.js";
import { deepEqual } from "../../core/equal.js";
import type { EventInput } from "../status/events.js";
import type { Logger } from "../log.js";
import type { KindRef } from "../kind.js";
import type { ApiObject } from "../object.js";
import type { QueueOptions } from "../queue/queue.js";
import type { OwnedObject, StatusPatch } from "./typed.js";
import type { Watch } from "./watches.js";

// Part of the contract with reconcile functions; defined below both controller and ownership.
export type { ApiObject } from "../object.js";

/** What a reconcile asks for next: nothing (`done()`) or another run after a delay (`requeueAfter(ms)`). */
export type ReconcileResult = { action: "done" } | { action: "requeue"; afterMs: number };
/** The condition through which the runtime reports reconcile failures. */
export const RECONCILED = "Reconciled";
/** Nothing more to do until the object (or an owned or watched object) changes. */
export const done = (): ReconcileResult => ({ action: "done" });
/** Reconcile again after `ms`, even if nothing changes. */
export const requeueAfter = (ms: number): ReconcileResult => ({ action: "requeue", afterMs: ms });

/**
 * `T` is the object as read; `I` the object as written (a custom resource's input type,
 * whose defaulted fields are optional), which types `patchStatus`.
 */
export interface ReconcileContext<T extends ApiObject, I = T> {
  key: string;
  log: Logger;
  signal: AbortSignal;
  /** How many times in a row this object has failed so far. */
  attempt: number;
  cache: CacheReader<T>;
  /**
   * The cached children of a kind listed in `owns`, by `namespace/name`: metadata only
   * (labels, annotations, ownerReferences, resourceVersion), the same watch that re-queues
   * their owner — so checking that a child exists costs no request. Compare content through
   * a hash in an annotation of the child; throws for a kind not in `owns`.
   */
  owned(kind: KindRef): CacheReader<OwnedObject>;
  /** The operator's client, for everything beyond the object itself (children, Secrets…). */
  readonly client: KubeClient;
  /**
   * Create or update a child this object controls (its controller ownerReference is set
   * here), writing nothing when it already matches; a child of that name that belongs to
   * anyone else is never touched: `OwnershipConflictError` (children.ts).
   */
  ensureChild<C extends Child>(
    child: C,
    opts?: Partial<EnsureChildOptions>,
  ): Promise<{ object: LiveChild<C>; outcome: ChildOutcome }>;
  /** Merge `status` into the object's status subresource — skipped when nothing changes. */
  patchStatus(status: StatusPatch<I>): Promise<void>;
  /** Record an Event about the object (`Normal` unless `type` says `Warning`); repeats are aggregated. */
  event(ev: Partial<EventInput> & { reason: string; note: string }): Promise<void>;
}

/** A controller: its kind, what it watches, and its reconcile (and cleanup) functions. See docs/reconcile.md. */
export interface ControllerSpec<T extends ApiObject, I = T> {
  name: string;
  for: KindRef;
  /** Namespaces to watch; all when omitted. Each gets its own server-side-scoped watch. */
  namespaces?: string[];
  labelSelector?: string;
  fieldSelector?: string;
  /** Kinds whose changes re-queue their controller owner (by ownerReference). */
  owns?: KindRef[];
  /**
   * Related kinds whose changes (add, update, delete) re-queue the objects their `map`
   * returns, e.g. every object referencing a changed Secret: `map: referencedBy(index)`.
   * Watched metadata-only by default, in the controller's namespaces (watches.ts).
   */
  watches?: Watch<T>[];
  /** Make the world match `obj`, the object's latest cached state; never called twice at once for one object. */
  reconcile(obj: T, ctx: ReconcileContext<T, I>): Promise<ReconcileResult | void>;
  /** Deletion logic; giving it makes the controller manage a finalizer. */
  cleanup?(obj: T, ctx: ReconcileContext<T, I>): Promise<void>;
  finalizer?: string;
  /** Which changes of an object queue it (default `defaultPredicate`: spec, labels, annotations, finalizers, deletion). */
  predicate?: (old: T, now: T) => boolean;
  queue?: QueueOptions;
  /** Extra cache indexes, looked up with `ctx.cache.byIndex(name, value)`. */
  indexers?: Record<string, (obj: T) => string[]>;
  /** Applied to every object before it is cached (default: strip managedFields). */
  transform?: (obj: T) => T;
  /**
   * Every change as it arrives (kopf's on.event): not level-based, for logging or metrics.
   * A throw or a rejection is logged and changes nothing else: the object is still queued.
   */
  onEvent?: (type: "ADDED" | "MODIFIED" | "DELETED", obj: T) => void | Promise<void>;
  /** Show failures as the status condition `Reconciled` (default true). */
  reportStatus?: boolean;
}

/** Reconcile on spec changes (generation) and on metadata the controller may act on. */
export function defaultPredicate(old: ApiObject, now: ApiObject): boolean {
  const a = old.metadata ?? {};
  const b = now.metadata ?? {};
  return (
    a.generation !== b.generation ||
    b.generation === undefined || // kinds without generation (ConfigMap…): every change counts
    !deepEqual(a.labels, b.labels) ||
    !deepEqual(a.annotations, b.annotations) ||
    !deepEqual(a.finalizers, b.finalizers) ||
    a.deletionTimestamp !== b.deletionTimestamp
  );
}
