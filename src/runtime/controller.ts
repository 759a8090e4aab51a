/**
 * A controller: one informer for its primary kind (per namespace, or cluster-wide), informers
 * for the kinds it owns, one work queue, and a level-triggered `reconcile(object, ctx)`.
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
import type { KubeClient } from "../client/client.js";
import { Cache, keyOf, type CacheReader } from "./cache.js";
import { getCondition, setCondition, type Condition } from "./conditions.js";
import { deepEqual } from "./diff.js";
import { PermanentError, RuntimeError, TemporaryError } from "./errors.js";
import { EventRecorder } from "./events.js";
import { finalizerState, addFinalizerPatch, removeFinalizerPatch } from "./finalizer.js";
import { Informer } from "./informer.js";
import type { Logger } from "./log.js";
import type { OperatorMetrics } from "./metrics.js";
import { kindRefOf, type KindRef, type ObjectRef, type RuntimePort } from "./port.js";
import { createQueue, type Priority, type WorkQueue } from "./queue.js";
import {
  RECONCILED,
  defaultPredicate,
  done,
  type ControllerSpec,
  type KubeObject,
  type ReconcileContext,
  type ReconcileResult,
} from "./reconcile.js";

const RUN_ID = process.pid.toString(36);
let reconcileSeq = 0;

export class Controller<T extends KubeObject> {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly informers: Informer<T>[] = [];
  private readonly ownedInformers: Informer<KubeObject>[] = [];
  /** Per owned kind (`apiVersion/kind`), the read-only view over its caches. */
  private readonly ownedViews = new Map<string, CacheReader<KubeObject>>();
  /** One cache per watched namespace: a relist of one must not drop the others' objects. */
  private readonly caches: Cache<T>[] = [];
  private readonly view: CacheReader<T>;
  private readonly recorder: EventRecorder;
  private readonly finalizer: string;
  readonly stats = { reconciles: 0, errors: 0, writes: 0 };
  /** When each in-flight reconcile started (health: a stuck reconcile; metrics). */
  private readonly inFlight = new Map<string, number>();
  private readonly metrics?: OperatorMetrics;

  private readonly spec: ControllerSpec<T>;

  constructor(
    spec: ControllerSpec<T>,
    private readonly port: RuntimePort,
    private readonly log: Logger,
    private readonly client?: KubeClient,
    opts: { metrics?: OperatorMetrics } = {},
  ) {
    spec = { ...spec, for: kindRefOf(spec.for), owns: spec.owns?.map(kindRefOf) };
    this.spec = spec;
    this.name = spec.name;
    this.queue = createQueue(spec.queue);
    this.metrics = opts.metrics;
    const group = spec.for.apiVersion.includes("/") ? spec.for.apiVersion.split("/")[0] : "core";
    this.finalizer = spec.finalizer ?? `${group}/${spec.name}`;
    this.recorder = new EventRecorder({
      controller: `capstan/${spec.name}`,
      instance: `${spec.name}-${process.pid}`,
      sink: port.events,
      onError: (e) => log.warn({ err: e }, "could not record an Event"),
    });
    for (const namespace of spec.namespaces ?? [undefined]) {
      const cache = new Cache<T>({ indexers: spec.indexers, transform: spec.transform });
      this.caches.push(cache);
      const inf = new Informer<T>({
        name: `${spec.for.kind}${namespace ? ` in ${namespace}` : ""}`,
        source: port.listWatch<T>(spec.for, {
          namespace,
          labelSelector: spec.labelSelector,
          fieldSelector: spec.fieldSelector,
        }),
        cache,
        onError: (step, e) =>
          log.warn({ err: e, step }, `${spec.for.kind} ${step} failed; retrying`),
      });
      const predicate = spec.predicate ?? defaultPredicate;
      const raw = spec.onEvent ?? (() => undefined);
      inf.on({
        added: (o, fromList) => {
          raw("ADDED", o);
          this.enqueue(keyOf(o), fromList ? "low" : "high");
        },
        updated: (old, now) => {
          raw("MODIFIED", now);
          if (predicate(old, now)) this.enqueue(keyOf(now), "high");
        },
        deleted: (o) => {
          raw("DELETED", o);
          this.queue.cancel(keyOf(o));
        },
      });
      this.informers.push(inf);
    }
    this.view = mergedReader(this.caches.map((c) => c.reader()));
    for (const kind of spec.owns ?? []) this.watchOwned(kind);
    this.queue.on("failure", (e: unknown, key: string) =>
      log.error({ err: e, key }, "worker failed"),
    );
    if (this.metrics) this.instrument(this.metrics);
  }

  private instrument(m: OperatorMetrics): void {
    const name = this.name;
    this.queue.on("dequeue", (_key: string, waitedMs: number) =>
      m.queueLatency.observe({ name }, waitedMs / 1000),
    );
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
   * nothing (no list, event or bookmark) for `stallAfterMs`, or a reconcile running longer
   * than `stuckAfterMs`.
   */
  problems(now: number, o: { stallAfterMs: number; stuckAfterMs: number }): string[] {
    const out: string[] = [];
    for (const i of [...this.informers, ...this.ownedInformers]) {
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
    this.metrics?.queueAdds.inc({ name: this.name });
    this.queue.add(key, priority);
  }

  private watchOwned(kind: KindRef): void {
    const caches: Cache<KubeObject>[] = [];
    for (const namespace of this.spec.namespaces ?? [undefined]) {
      const cache = new Cache<KubeObject>();
      caches.push(cache);
      const inf = new Informer<KubeObject>({
        name: `${kind.kind} owned by ${this.spec.for.kind}`,
        source: this.port.listWatch<KubeObject>(kind, { namespace, metadataOnly: true }),
        cache,
        onError: (step, e) =>
          this.log.warn({ err: e, step }, `${kind.kind} ${step} failed; retrying`),
      });
      const requeueOwner = (o: KubeObject) => {
        for (const ref of o.metadata?.ownerReferences ?? []) {
          if (
            ref.controller &&
            ref.kind === this.spec.for.kind &&
            ref.apiVersion === this.spec.for.apiVersion
          ) {
            this.enqueue(
              o.metadata?.namespace ? `${o.metadata.namespace}/${ref.name}` : ref.name,
              "high",
            );
          }
        }
      };
      inf.on({
        added: (o, fromList) => !fromList && requeueOwner(o),
        updated: (_o, n) => requeueOwner(n),
        deleted: requeueOwner,
      });
      this.ownedInformers.push(inf);
    }
    this.ownedViews.set(
      `${kind.apiVersion}/${kind.kind}`,
      mergedReader(caches.map((c) => c.reader())),
    );
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

  private refOf(obj: T): ObjectRef {
    return { ...this.spec.for, name: obj.metadata!.name!, namespace: obj.metadata?.namespace };
  }

  private async process(key: string, signal: AbortSignal): Promise<void> {
    let obj = this.view.get(key);
    if (!obj) {
      this.queue.forget(key);
      return;
    }
    // For correlating log lines only: a counter (a random id per reconcile cost a
    // randomFillSync call each — visible in the benchmark's CPU profile).
    const reconcileId = `${RUN_ID}-${(++reconcileSeq).toString(36)}`;
    const log = this.log.child({ controller: this.name, key, reconcileId });
    const ctx = this.context(key, obj, log, signal);
    this.stats.reconciles++;
    const started = Date.now();
    this.inFlight.set(key, started);
    const m = this.metrics;
    const controller = this.name;
    try {
      const result = await this.step(obj, ctx);
      this.queue.forget(key);
      await this.report(key, ctx, undefined);
      if (result?.action === "requeue") this.queue.addAfter(key, result.afterMs);
      m?.reconcileTotal.inc({
        controller,
        result: result?.action === "requeue" ? "requeue_after" : "success",
      });
    } catch (e) {
      this.stats.errors++;
      m?.reconcileTotal.inc({ controller, result: "error" });
      m?.reconcileErrors.inc({ controller });
      obj = this.view.get(key) ?? obj;
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof PermanentError) {
        this.queue.forget(key);
        log.error({ err: e }, "reconcile failed permanently; waiting for the object to change");
        await this.report(key, ctx, { reason: "ReconcileFailed", message: msg });
        await ctx.event({
          type: "Warning",
          reason: "ReconcileFailed",
          note: msg,
          action: "Reconcile",
        });
        return;
      }
      m?.queueRetries.inc({ name: controller });
      const delay =
        e instanceof TemporaryError && e.delayMs !== undefined
          ? (this.queue.addAfter(key, e.delayMs), e.delayMs)
          : this.queue.retry(key);
      log.warn(
        { err: e, retryInMs: delay, attempt: ctx.attempt + 1 },
        "reconcile failed; will retry",
      );
      await this.report(key, ctx, { reason: "ReconcileError", message: msg });
      await ctx.event({
        type: "Warning",
        reason: "ReconcileError",
        note: msg,
        action: "Reconcile",
      });
    } finally {
      this.inFlight.delete(key);
      const seconds = (Date.now() - started) / 1000;
      m?.reconcileTime.observe({ controller }, seconds);
      m?.workDuration.observe({ name: controller }, seconds);
    }
  }

  /**
   * Failures show in the object's status as the condition `Reconciled=False` (reason and
   * message); the next success turns it `True`. An object that never failed gets no such
   * condition — and so no write. Kinds without a status subresource are left alone.
   */
  private async report(
    key: string,
    ctx: ReconcileContext<T>,
    failure: { reason: string; message: string } | undefined,
  ): Promise<void> {
    if (this.spec.reportStatus === false) return;
    const current = this.view.get(key);
    if (!current || current.metadata.deletionTimestamp) return;
    const conditions = (current.status as { conditions?: Condition[] } | undefined)?.conditions;
    const was = getCondition(conditions, RECONCILED);
    if (!failure && (!was || was.status === "True")) return;
    const next = setCondition(
      conditions,
      failure
        ? {
            type: RECONCILED,
            status: "False",
            reason: failure.reason,
            message: failure.message.slice(0, 1024),
          }
        : { type: RECONCILED, status: "True", reason: "Succeeded", message: "" },
    );
    await ctx.patchStatus({ conditions: next }).catch((e: unknown) => {
      ctx.log.debug({ err: e }, "could not report the reconcile outcome in status");
    });
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

  private async write<R>(ref: ObjectRef, patch: unknown, subresource?: "status"): Promise<R> {
    this.stats.writes++;
    return this.port.mergePatch<R>(ref, patch, subresource ? { subresource } : undefined);
  }

  private context(key: string, obj: T, log: Logger, signal: AbortSignal): ReconcileContext<T> {
    const client = this.client;
    const regarding = {
      apiVersion: this.spec.for.apiVersion,
      kind: this.spec.for.kind,
      name: obj.metadata!.name!,
      namespace: obj.metadata?.namespace,
      uid: obj.metadata?.uid,
      resourceVersion: obj.metadata?.resourceVersion,
    };
    return {
      key,
      log,
      signal,
      attempt: this.queue.failuresOf(key),
      cache: this.view,
      owned: (kind) => {
        const view = this.ownedViews.get(`${kind.apiVersion}/${kind.kind}`);
        if (!view)
          throw new RuntimeError(
            "owned",
            `controller ${this.name} does not own ${kind.kind} (${kind.apiVersion}): list it in \`owns\``,
          );
        return view;
      },
      port: this.port,
      get client(): KubeClient {
        if (!client)
          throw new Error(
            "this controller was created without a client (pass one to the Operator)",
          );
        return client;
      },
      patchStatus: async (status) => {
        const current = (this.view.get(key) ?? obj).status as Record<string, unknown> | undefined;
        const merged = { ...(current ?? {}), ...status };
        if (deepEqual(current ?? {}, merged)) return;
        await this.write(this.refOf(obj), { status }, "status");
      },
      event: (ev) =>
        this.recorder.record(regarding, {
          type: ev.type ?? "Normal",
          action: ev.action ?? "Reconcile",
          reason: ev.reason,
          note: ev.note,
        }),
    };
  }
}

/** One read-only view over several caches (their keys never overlap: one per namespace). */
function mergedReader<T>(readers: CacheReader<T>[]): CacheReader<T> {
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

function abortPromise(signal: AbortSignal): Promise<void> {
  return signal.aborted
    ? Promise.resolve()
    : new Promise((r) => signal.addEventListener("abort", () => r(), { once: true }));
}

export function createController<T extends KubeObject>(
  spec: ControllerSpec<T>,
  port: RuntimePort,
  log: Logger,
): Controller<T> {
  return new Controller(spec, port, log);
}
