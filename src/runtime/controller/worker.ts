/**
 * One reconcile of one queued key, start to finish: read the latest cached object, build its
 * `ctx`, run the reconcile (through the finalizer helper when the controller has `cleanup`),
 * classify what came back (outcome.ts, pure) and carry out that outcome's effects — queue,
 * log, `Reconciled` condition, Warning Event, metrics — in one `switch`.
 *
 * Nothing a reconcile does can crash the controller: every outcome, failures included, ends
 * here as a queue decision.
 */
import { finalizer } from "../finalizer/finalizer.js";
import type { Logger } from "../log.js";
import type { ControllerInstruments } from "./instruments.js";
import type { NamedRef } from "../kind.js";
import type { WorkQueue } from "../queue/queue.js";
import type { CacheReader } from "../watch/cache.js";
import { reconcileContext, type ContextDeps } from "./context.js";
import { classifyOutcome, outcomeConditions, type Failure, type Outcome } from "./outcome.js";
import type { ApiObject, ControllerSpec, ReconcileContext, ReconcileResult } from "./reconcile.js";

const RUN_ID = process.pid.toString(36);
let reconcileSeq = 0;

export interface WorkerDeps<T extends ApiObject> {
  spec: ControllerSpec<T> & { for: { apiVersion: string; kind: string } };
  /** The finalizer this controller manages (with `cleanup`). */
  finalizer: string;
  view: CacheReader<T>;
  queue: WorkQueue;
  log: Logger;
  context: ContextDeps<T>;
  metrics?: ControllerInstruments;
  /** The controller's counters, shared. */
  stats: { reconciles: number; errors: number };
  isConflict(e: unknown): boolean;
  write<R>(ref: NamedRef, patch: unknown, subresource?: "status"): Promise<R>;
}

export class Worker<T extends ApiObject> {
  /** When each in-flight reconcile started (health: a stuck reconcile; metrics). */
  readonly inFlight = new Map<string, number>();
  /** Set once the status schema was seen to drop `conditions` (warned once). */
  private conditionsPruned = false;

  constructor(private readonly d: WorkerDeps<T>) {}

  async process(key: string, signal: AbortSignal): Promise<void> {
    const { d } = this;
    const obj = d.view.get(key);
    if (!obj) {
      d.queue.forget(key);
      return;
    }
    // The reconcile's logger is built on first use: most reconciles log nothing, and a pino
    // child per reconcile showed in the benchmark's CPU profile. The id is a counter for the
    // same reason (a random id cost a randomFillSync call each).
    let log: Logger | undefined;
    const logger = () =>
      (log ??= d.log.child({
        controller: d.spec.name,
        key,
        reconcileId: `${RUN_ID}-${(++reconcileSeq).toString(36)}`,
      }));
    const ctx = reconcileContext(d.context, {
      key,
      obj,
      attempt: d.queue.failuresOf(key),
      logger,
      signal,
    });
    this.d.stats.reconciles++;
    const started = Date.now();
    this.inFlight.set(key, started);
    let outcome: Outcome = { kind: "aborted", error: undefined };
    try {
      const settled = await this.reconcile(obj, ctx).then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error, aborted: signal.aborted }),
      );
      outcome = classifyOutcome(settled, d.isConflict);
      await this.settle(key, ctx, outcome);
    } finally {
      this.inFlight.delete(key);
      d.metrics?.reconciled(metricOf(outcome), (Date.now() - started) / 1000);
    }
  }

  private reconcile(obj: T, ctx: ReconcileContext<T>): Promise<ReconcileResult | void> {
    const { spec } = this.d;
    const cleanup = spec.cleanup;
    if (!cleanup)
      return obj.metadata.deletionTimestamp ? Promise.resolve() : spec.reconcile(obj, ctx);
    const ref = this.refOf(obj);
    return finalizer(
      obj,
      {
        name: this.d.finalizer,
        describe: `${ref.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${ref.name}`,
        patch: (p) => this.d.write<T>(ref, p),
      },
      async (ev) => {
        switch (ev.type) {
          case "apply":
            return spec.reconcile(ev.object, ctx);
          case "cleanup":
            await cleanup(ev.object, ctx);
            ctx.log.info("cleanup done; removing the finalizer");
            return;
        }
      },
    );
  }

  /** The effects of an outcome: one case each. */
  private async settle(key: string, ctx: ReconcileContext<T>, o: Outcome): Promise<void> {
    const { queue, metrics } = this.d;
    switch (o.kind) {
      case "done":
      case "requeue-after":
        queue.forget(key);
        await this.report(key, ctx, undefined);
        if (o.kind === "requeue-after") queue.addAfter(key, o.afterMs);
        return;
      case "aborted":
        ctx.log.debug({ err: o.error }, "reconcile cut short by shutdown");
        return;
      case "conflict": {
        this.d.stats.errors++;
        metrics?.retried();
        const delay = queue.retry(key);
        ctx.log.info(
          { err: o.error, retryInMs: delay },
          "the object changed while it was reconciled (409 Conflict); retrying from its latest state",
        );
        return;
      }
      case "permanent":
        this.d.stats.errors++;
        queue.forget(key);
        ctx.log.error(
          { err: logged(o) },
          "reconcile failed permanently; waiting for the object to change",
        );
        return this.fail(key, ctx, o.failure);
      case "temporary":
      case "error": {
        this.d.stats.errors++;
        metrics?.retried();
        const delay =
          o.kind === "temporary" && o.delayMs !== undefined
            ? (queue.addAfter(key, o.delayMs), o.delayMs)
            : queue.retry(key);
        ctx.log.warn(
          { err: logged(o), retryInMs: delay, attempt: ctx.attempt + 1 },
          "reconcile failed; will retry",
        );
        return this.fail(key, ctx, o.failure);
      }
      default: {
        const never: never = o;
        return never;
      }
    }
  }

  private async fail(key: string, ctx: ReconcileContext<T>, f: Failure): Promise<void> {
    await this.report(key, ctx, f);
    await ctx.event({ type: "Warning", reason: f.reason, note: f.message, action: "Reconcile" });
  }

  /** The outcome as the `Reconciled` condition (outcome.ts); kinds without status: nothing. */
  private async report(key: string, ctx: ReconcileContext<T>, f: Failure | undefined) {
    const { spec } = this.d;
    if (spec.reportStatus === false) return;
    const current = this.d.view.get(key);
    if (!current || current.metadata.deletionTimestamp) return;
    const conditions = outcomeConditions(current.status, f);
    if (!conditions) return;
    const after = await this.d
      .write<ApiObject>(this.refOf(current), { status: { conditions } }, "status")
      .catch((e: unknown) => {
        ctx.log.debug({ err: e }, "could not report the reconcile outcome in status");
      });
    // A status schema without `conditions` makes the API server drop them silently: the
    // object would never show Reconciled or Conflict. Say so once, with the fix.
    if (after && !(after.status as { conditions?: unknown } | undefined)?.conditions) {
      if (!this.conditionsPruned)
        ctx.log.warn(
          `the ${spec.for.kind} status schema drops status.conditions, so Reconciled and Conflict never show on the object: add \`conditions: k8s.conditions()\` to its status`,
        );
      this.conditionsPruned = true;
    }
  }

  private refOf(obj: T): NamedRef {
    const { apiVersion, kind } = this.d.spec.for;
    return { apiVersion, kind, name: obj.metadata.name!, namespace: obj.metadata.namespace };
  }
}

/** A failure the code named is logged by its message; anything else with its stack. */
function logged(o: { failure: Failure; error: unknown }): unknown {
  return o.failure.named ? { reason: o.failure.reason, message: o.failure.message } : o.error;
}

function metricOf(o: Outcome): "success" | "error" | "requeue_after" {
  return o.kind === "done" ? "success" : o.kind === "requeue-after" ? "requeue_after" : "error";
}
