/**
 * A controller: informers for its primary kind (primary.ts: per namespace, or cluster-wide)
 * and for the kinds it watches or owns (watches.ts, owned.ts), one work queue, and a
 * level-triggered `reconcile(object, ctx)` with its `ctx` (context.ts), run for each queued key
 * per object by the worker (worker.ts), whose outcome is classified in outcome.ts. Health
 * and readiness come from problems.ts.
 *
 * Contract:
 * - `reconcile` receives the latest cached object, never the event that woke it, and returns
 *   `done()` or `requeueAfter(ms)`. It is never called for the same object twice at once.
 * - Changes that do not bump `metadata.generation` (status writes) do not trigger it, unless
 *   labels, annotations, finalizers or deletion changed (`defaultPredicate`).
 * - With `cleanup`, every reconcile runs through the finalizer helper (finalizer.ts has the
 *   guarantees): the finalizer is added as part of the first reconcile, whose echo wakes no
 *   second one, and removed only after `cleanup` succeeded.
 * - Errors: `TemporaryError` retries after its delay, `PermanentError` is not retried until
 *   the object changes, a 409 Conflict is retried quietly, anything else is retried with
 *   per-object exponential backoff. Each failure is logged and recorded as a Warning Event;
 *   none of them crashes the controller.
 */
import type { KubeClient } from "../../client/client.js";
import type { CacheReader } from "../watch/cache.js";
import type { ContextDeps } from "./context.js";
import { clientEventSink, EventRecorder } from "../status/events.js";
import { AlreadyExistsError, ConflictError } from "../../client/errors.js";
import type { Informer } from "../watch/informer.js";
import type { Logger } from "../log.js";
import type { ControllerInstruments, ControllerMetrics } from "./instruments.js";
import { ownedKinds, ownedWatches } from "./owned.js";
import { watchPrimary } from "./primary.js";
import { kindRefOf, type NamedRef } from "../kind.js";
import { clientSources, type WatchTuning } from "../watch/source.js";
import { WorkQueue, type Priority } from "../queue/queue.js";
import { controllerProblems, notSynced, type ProblemLimits } from "./problems.js";
import type { ControllerSpec, ApiObject } from "./reconcile.js";
import { watchRelated } from "./watches.js";
import { Worker } from "./worker.js";

/**
 * One controller: the informers of its kind (and owned/related kinds), its queue and the
 * worker that reconciles each key. `Operator` builds these from `op.controller(spec)`.
 */
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
  private readonly worker: Worker<T>;
  private readonly metrics?: ControllerInstruments;

  private readonly spec: ControllerSpec<T>;

  constructor(
    spec: ControllerSpec<T>,
    private readonly client: KubeClient,
    private readonly log: Logger,
    opts: { metrics?: ControllerMetrics; watch?: WatchTuning } = {},
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
      sink: clientEventSink(client),
      onError: (e) => log.warn({ err: e }, "could not record an Event"),
    });
    const sources = clientSources(client, opts.watch);
    const primary = watchPrimary({
      spec,
      sources,
      log,
      finalizer: spec.cleanup ? this.finalizer : undefined,
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
      sources,
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
      client,
      recorder: this.recorder,
      writeStatus: (obj, status) =>
        this.write(
          // Fields named, not spread: an object spread per write showed in the CPU profile.
          {
            apiVersion: spec.for.apiVersion,
            kind: spec.for.kind,
            name: obj.metadata.name!,
            namespace: obj.metadata.namespace,
          },
          { status },
          "status",
        ),
    };
    this.worker = new Worker({
      spec,
      finalizer: this.finalizer,
      view: this.view,
      queue: this.queue,
      log,
      context: this.contextDeps,
      metrics: this.metrics,
      stats: this.stats,
      isConflict: (e) => e instanceof ConflictError || e instanceof AlreadyExistsError,
      write: (ref, patch, subresource) => this.write(ref, patch, subresource),
    });
    this.queue.on("failure", (e: unknown, key: string) =>
      log.error({ err: e, key }, "worker failed"),
    );
    if (opts.metrics) this.instrument(opts.metrics);
  }

  private instrument(m: ControllerMetrics): void {
    const name = this.name;
    const instruments = this.metrics!;
    this.queue.on("dequeue", (_key: string, waitedMs: number) => instruments.dequeued(waitedMs));
    m.track({
      name,
      concurrency: this.queue.concurrency,
      depth: () => this.queue.stats().depth,
      active: () => this.worker.inFlight.size,
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
    for (const t of this.worker.inFlight.values()) oldest = Math.min(oldest, t);
    return now - oldest;
  }

  /** Why this controller is unhealthy, if it is (problems.ts). */
  problems(now: number, o: ProblemLimits): string[] {
    const caches = [...this.informers, ...this.ownedInformers];
    return controllerProblems(
      { name: this.name, kind: this.spec.for.kind, caches, inFlight: this.worker.inFlight },
      now,
      o,
    );
  }

  /** What this controller waits for before it is ready (for /readyz), or undefined. */
  notReady(): string | undefined {
    return notSynced({ name: this.name, caches: [...this.informers, ...this.ownedInformers] });
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
      this.queue.start((key) => this.worker.process(key, signal));
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

  /** A read-only view of the primary kind's cache. */
  reader(): CacheReader<T> {
    return this.view;
  }

  /** True once every informer has listed once (synchronous, for /readyz). */
  informersSynced(): boolean {
    return [...this.informers, ...this.ownedInformers].every((i) => i.hasSynced);
  }

  private async write<R>(ref: NamedRef, patch: unknown, subresource?: "status"): Promise<R> {
    this.stats.writes++;
    return this.client.patch<NamedRef, R>(ref, patch, { subresource });
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return signal.aborted
    ? Promise.resolve()
    : new Promise((r) => signal.addEventListener("abort", () => r(), { once: true }));
}
