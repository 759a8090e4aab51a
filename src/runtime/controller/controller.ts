/**
 * A controller: informers for its primary kind (primary.ts: per namespace, or cluster-wide)
 * and for the kinds it watches or owns (watches.ts, owned.ts), one work queue, and a
 * level-triggered `reconcile(object, ctx)` with its `ctx` (context.ts).
 *
 * Contract:
 * - `reconcile` receives the latest cached object, never the event that woke it, and returns
 *   `done()` or `requeueAfter(ms)`. It is never called for the same object twice at once.
 * - Changes that do not bump `metadata.generation` (status writes) do not trigger it, unless
 *   labels, annotations, finalizers or deletion changed (`defaultPredicate`).
 * - With `cleanup`, a finalizer is added before the first reconcile and removed only after
 *   `cleanup` succeeded (finalizer.ts has the guarantees).
 * - Errors: `TemporaryError` retries after its delay, `PermanentError` is not retried until
 *   the object changes, anything else is retried with per-object exponential backoff. Each
 *   failure is logged and recorded as a Warning Event; none of them crashes the controller.
 */
import type { KubeClient } from "../../client/client.js";
import type { CacheReader } from "../watch/cache.js";
import { reconcileContext, type ContextDeps } from "./context.js";
import { PermanentError, TemporaryError } from "../errors.js";
import { EventRecorder } from "../status/events.js";
import { finalizerState, addFinalizerPatch, removeFinalizerPatch } from "../finalizer/finalizer.js";
import type { Informer } from "../watch/informer.js";
import type { Logger } from "../log.js";
import type { ControllerInstruments, OperatorMetrics } from "../operator/metrics.js";
import { outcomeConditions, type Failure } from "./outcome.js";
import { ownedKinds, ownedWatches } from "./owned.js";
import { watchPrimary } from "./primary.js";
import { kindRefOf, type NamedRef, type RuntimePort } from "../port.js";
import { WorkQueue, type Priority } from "../queue/queue.js";
import {
  done,
  type ControllerSpec,
  type ApiObject,
  type ReconcileContext,
  type ReconcileResult,
} from "./reconcile.js";
import { watchRelated } from "./watches.js";

const RUN_ID = process.pid.toString(36);
let reconcileSeq = 0;

export class Controller<T extends ApiObject> {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly informers: Informer<T>[];
  /** Informers of owned and watched kinds (one per kind and namespace). */
  private readonly ownedInformers: Informer<ApiObject>[];
  private readonly contextDeps: ContextDeps<T>;
  private readonly view: CacheReader<T>;
  private readonly recorder: EventRecorder;
  private readonly finalizer: string;
  readonly stats = { reconciles: 0, errors: 0, writes: 0 };
  /** Set once the status schema was seen to drop `conditions` (warned once). */
  private conditionsPruned = false;
  /** When each in-flight reconcile started (health: a stuck reconcile; metrics). */
  private readonly inFlight = new Map<string, number>();
  private readonly metrics?: ControllerInstruments;

  private readonly spec: ControllerSpec<T>;

  constructor(
    spec: ControllerSpec<T>,
    private readonly port: RuntimePort,
    private readonly log: Logger,
    client?: KubeClient,
    opts: { metrics?: OperatorMetrics } = {},
  ) {
    spec = { ...spec, for: kindRefOf(spec.for), owns: spec.owns?.map(kindRefOf) };
    this.spec = spec;
    this.name = spec.name;
    this.queue = new WorkQueue(spec.queue);
    this.metrics = opts.metrics?.forController(spec.name);
    const group = spec.for.apiVersion.includes("/") ? spec.for.apiVersion.split("/")[0] : "core";
    this.finalizer = spec.finalizer ?? `${group}/${spec.name}`;
    this.recorder = new EventRecorder({
      controller: `capstan/${spec.name}`,
      instance: `${spec.name}-${process.pid}`,
      sink: port.events,
      onError: (e) => log.warn({ err: e }, "could not record an Event"),
    });
    const primary = watchPrimary({
      spec,
      port,
      log,
      enqueue: (key, priority) => this.enqueue(key, priority),
      cancel: (key) => this.queue.cancel(key),
    });
    this.informers = primary.informers;
    this.view = primary.view;
    const related = watchRelated({
      controller: spec.name,
      watches: [...ownedWatches<T>(spec.for, spec.owns ?? []), ...(spec.watches ?? [])],
      namespaces: spec.namespaces ?? [undefined],
      cache: this.view,
      port,
      log,
      requeue: (key) => this.enqueue(key, "high"),
    });
    this.ownedInformers = related.informers;
    const owned = ownedKinds(related, spec.owns ?? []);
    this.contextDeps = {
      controller: spec.name,
      kind: spec.for,
      view: this.view,
      owned,
      port,
      client,
      recorder: this.recorder,
      writeStatus: (obj, status) => this.write(this.refOf(obj), { status }, "status"),
    };
    this.queue.on("failure", (e: unknown, key: string) =>
      log.error({ err: e, key }, "worker failed"),
    );
    if (opts.metrics) this.instrument(opts.metrics);
  }

  private instrument(m: OperatorMetrics): void {
    const name = this.name;
    const instruments = this.metrics!;
    this.queue.on("dequeue", (_key: string, waitedMs: number) => instruments.dequeued(waitedMs));
    m.track({
      name,
      concurrency: this.queue.concurrency,
      depth: () => this.queue.stats().depth,
      active: () => this.inFlight.size,
      longestRunningSeconds: () => this.longestRunningMs(Date.now()) / 1000,
      informers: () =>
        [...this.informers, ...this.ownedInformers].map((i) => ({
          name: `${name}/${i.name}`,
          ...i.stats,
        })),
    });
  }

  private longestRunningMs(now: number): number {
    let oldest = now;
    for (const t of this.inFlight.values()) oldest = Math.min(oldest, t);
    return now - oldest;
  }

  /**
   * Why this controller is unhealthy, if it is: an informer that synced and then heard
   * nothing (no list, event or bookmark) for `stallAfterMs`, a cache not synced after
   * `syncTimeoutMs` (with the list's last error), or a reconcile running longer than
   * `stuckAfterMs`.
   */
  problems(
    now: number,
    o: { stallAfterMs: number; stuckAfterMs: number; syncTimeoutMs: number },
  ): string[] {
    const out: string[] = [];
    for (const i of [...this.informers, ...this.ownedInformers]) {
      const trying = now - i.stats.startedAt;
      // A list that keeps failing (a missing RBAC rule, a kind not served) retries forever by
      // design; past the timeout that is a fault the probe must show, with the last error.
      if (!i.hasSynced && i.stats.startedAt > 0 && trying > o.syncTimeoutMs)
        out.push(
          `controller ${this.name}: cache of ${i.name} not synced after ${Math.round(trying / 1000)} s${
            i.stats.lastError ? `: ${i.stats.lastError}` : ""
          }`,
        );
      const silent = now - i.stats.lastProgressAt;
      if (i.hasSynced && silent > o.stallAfterMs)
        out.push(
          `controller ${this.name}: watch of ${i.name} stalled (nothing heard for ${Math.round(silent / 1000)} s)`,
        );
    }
    for (const [key, since] of this.inFlight)
      if (now - since > o.stuckAfterMs)
        out.push(
          `controller ${this.name}: reconcile of ${this.spec.for.kind} ${key} running for ${Math.round((now - since) / 1000)} s`,
        );
    return out;
  }

  private enqueue(key: string, priority: Priority): void {
    this.metrics?.added();
    this.queue.add(key, priority);
  }

  /** Run until `signal` aborts; then stop taking work and let in-flight reconciles finish. */
  async run(
    signal: AbortSignal,
    opts: {
      drainTimeoutMs?: number;
      /** Reconciling starts only once this resolves (leadership); caches fill meanwhile. */
      gate?: Promise<void>;
    } = {},
  ): Promise<void> {
    const all = [...this.informers, ...this.ownedInformers];
    const running = all.map((i) => i.run(signal));
    await Promise.race([Promise.all(all.map((i) => i.synced)), abortPromise(signal)]);
    if (opts.gate && !signal.aborted) {
      this.log.info({ controller: this.name }, "caches synced; waiting to lead");
      await Promise.race([opts.gate, abortPromise(signal)]);
    }
    if (!signal.aborted) {
      this.log.info(
        { controller: this.name, objects: this.view.size },
        "caches synced; reconciling",
      );
      this.queue.start((key) => this.process(key, signal));
    }
    await abortPromise(signal);
    const drained = await this.queue.shutdown(opts.drainTimeoutMs ?? 30_000);
    if (!drained)
      this.log.warn({ controller: this.name }, "in-flight reconciles did not finish in time");
    await this.recorder.flush();
    await Promise.all(running);
  }

  /** Resolves when every informer has listed once. */
  get synced(): Promise<void> {
    return Promise.all([...this.informers, ...this.ownedInformers].map((i) => i.synced)).then(
      () => undefined,
    );
  }

  reader(): CacheReader<T> {
    return this.view;
  }

  /** True once every informer has listed once (synchronous, for /readyz). */
  informersSynced(): boolean {
    return [...this.informers, ...this.ownedInformers].every((i) => i.hasSynced);
  }

  private refOf(obj: T): NamedRef {
    // Fields named, not spread: an object spread per write showed in the benchmark's profile.
    const { apiVersion, kind } = this.spec.for;
    return { apiVersion, kind, name: obj.metadata.name!, namespace: obj.metadata.namespace };
  }

  private async process(key: string, signal: AbortSignal): Promise<void> {
    const obj = this.view.get(key);
    if (!obj) {
      this.queue.forget(key);
      return;
    }
    // The reconcile's logger is built on first use: most reconciles log nothing, and a pino
    // child per reconcile showed in the benchmark's CPU profile. The id is a counter for the
    // same reason (a random id cost a randomFillSync call each).
    let log: Logger | undefined;
    const logger = () =>
      (log ??= this.log.child({
        controller: this.name,
        key,
        reconcileId: `${RUN_ID}-${(++reconcileSeq).toString(36)}`,
      }));
    const ctx = reconcileContext(this.contextDeps, {
      key,
      obj,
      attempt: this.queue.failuresOf(key),
      logger,
      signal,
    });
    this.stats.reconciles++;
    const started = Date.now();
    this.inFlight.set(key, started);
    let outcome: "success" | "error" | "requeue_after" = "error";
    try {
      const result = await this.step(obj, ctx);
      this.queue.forget(key);
      await this.report(key, ctx, undefined);
      if (result?.action === "requeue") this.queue.addAfter(key, result.afterMs);
      outcome = result?.action === "requeue" ? "requeue_after" : "success";
    } catch (e) {
      if (signal.aborted) {
        // The operator is stopping: the reconcile did not fail, it was cut short. Reporting
        // it would write Reconciled=False and a Warning now, and Reconciled=True on the next
        // start; level-triggered, the next start reconciles the object anyway.
        logger().debug({ err: e }, "reconcile cut short by shutdown");
        return;
      }
      this.stats.errors++;
      const msg = e instanceof Error ? e.message : String(e);
      // User intent may name its reason (Conflict, InvalidName…); API errors keep the generic one.
      const why = e instanceof PermanentError || e instanceof TemporaryError ? e.reason : undefined;
      // A failure the code named (a Conflict, an InvalidName) is a state, not a bug: its
      // message says everything, and a stack trace on every retry would bury it.
      const err = why ? { reason: why, message: msg } : e;
      if (e instanceof PermanentError) {
        this.queue.forget(key);
        logger().error({ err }, "reconcile failed permanently; waiting for the object to change");
        await this.report(key, ctx, { reason: why ?? "ReconcileFailed", message: msg });
        await ctx.event({
          type: "Warning",
          reason: why ?? "ReconcileFailed",
          note: msg,
          action: "Reconcile",
        });
        return;
      }
      this.metrics?.retried();
      const delay =
        e instanceof TemporaryError && e.delayMs !== undefined
          ? (this.queue.addAfter(key, e.delayMs), e.delayMs)
          : this.queue.retry(key);
      logger().warn(
        { err, retryInMs: delay, attempt: ctx.attempt + 1 },
        "reconcile failed; will retry",
      );
      await this.report(key, ctx, { reason: why ?? "ReconcileError", message: msg });
      await ctx.event({
        type: "Warning",
        reason: why ?? "ReconcileError",
        note: msg,
        action: "Reconcile",
      });
    } finally {
      this.inFlight.delete(key);
      this.metrics?.reconciled(outcome, (Date.now() - started) / 1000);
    }
  }

  /** The outcome as the `Reconciled` condition (outcome.ts); kinds without status: nothing. */
  private async report(
    key: string,
    ctx: ReconcileContext<T>,
    failure: Failure | undefined,
  ): Promise<void> {
    if (this.spec.reportStatus === false) return;
    const current = this.view.get(key);
    if (!current || current.metadata.deletionTimestamp) return;
    const conditions = outcomeConditions(current.status, failure);
    if (!conditions) return;
    const after = await this.write<ApiObject>(
      this.refOf(current),
      { status: { conditions } },
      "status",
    ).catch((e: unknown) => {
      ctx.log.debug({ err: e }, "could not report the reconcile outcome in status");
    });
    // A status schema without `conditions` makes the API server drop them silently: the
    // object would never show Reconciled or Conflict. Say so once, with the fix.
    if (after && !(after.status as { conditions?: unknown } | undefined)?.conditions) {
      if (!this.conditionsPruned)
        ctx.log.warn(
          `the ${this.spec.for.kind} status schema drops status.conditions, so Reconciled and Conflict never show on the object: add \`conditions: k8s.conditions()\` to its status`,
        );
      this.conditionsPruned = true;
    }
  }

  private async step(obj: T, ctx: ReconcileContext<T>): Promise<ReconcileResult | void> {
    if (!this.spec.cleanup) {
      if (obj.metadata?.deletionTimestamp) return done();
      return this.spec.reconcile(obj, ctx);
    }
    const state = finalizerState(obj, this.finalizer);
    switch (state.step) {
      case "add-finalizer": {
        const patched = await this.write<T>(
          this.refOf(obj),
          addFinalizerPatch(obj, this.finalizer),
        );
        return this.spec.reconcile(patched, ctx);
      }
      case "apply":
        return this.spec.reconcile(obj, ctx);
      case "cleanup":
        await this.spec.cleanup(obj, ctx);
        await this.write(this.refOf(obj), removeFinalizerPatch(obj, this.finalizer));
        ctx.log.info("cleanup done; finalizer removed");
        return done();
      case "done":
        return done();
      default: {
        const never: never = state;
        return never;
      }
    }
  }

  private async write<R>(ref: NamedRef, patch: unknown, subresource?: "status"): Promise<R> {
    this.stats.writes++;
    return this.port.mergePatch<R>(ref, patch, subresource ? { subresource } : undefined);
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return signal.aborted
    ? Promise.resolve()
    : new Promise((r) => signal.addEventListener("abort", () => r(), { once: true }));
}
