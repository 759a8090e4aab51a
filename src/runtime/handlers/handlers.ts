/**
 * kopf's handler API on the level-triggered engine: create / update / delete / resume /
 * field / timer / daemon / event handlers, compiled into one `ControllerSpec`.
 *
 * A handling cycle: the object's essence is compared with the last handled one
 * (essence.ts), which gives one cause (causes.ts, pure); the cause selects the handlers to
 * run (plan.ts, pure); they run in order, each named by its id (ids.ts) in any failure;
 * when all succeeded, ONE write stores the new essence and their return values (store.ts).
 * An object that has not changed costs no write at all, so restarting over converged
 * objects sends zero PATCH/PUT requests. Timers and daemons: background.ts.
 *
 * Caveat: progress within one change is kept in memory. If the operator restarts after
 * handler A succeeded but before B did, A runs again: handlers must be idempotent (they
 * must be anyway; an API write can succeed and its response be lost).
 */
import { labelSelectorOf, matches, type Filters, type MetaMatch } from "./filters.js";
import { detectCause, observe, type Cause } from "./causes.js";
import { HandlerIds, named } from "./ids.js";
import { plan, progressKey } from "./plan.js";
import { baseArgs, callHandler } from "./call.js";
import { HandledStore } from "./store.js";
import {
  newObjectState,
  runTimers,
  startDaemons,
  stopDaemons,
  type ObjectState,
} from "./background.js";
import type {
  Entry,
  Handler,
  HandlerArgs,
  HandlerOptions,
  TimerOptions,
  UpdateArgs,
} from "./types.js";
import {
  done,
  type ControllerSpec,
  type ApiObject,
  type ReconcileContext,
  type ReconcileResult,
} from "../controller/reconcile.js";
import { kindRefOf, type KindRef } from "../kind.js";

export { LAST_HANDLED, type Essence } from "./essence.js";
export type { Handler, HandlerArgs, HandlerOptions, UpdateArgs } from "./types.js";

type EventType = "ADDED" | "MODIFIED" | "DELETED";

/**
 * The kopf-style handler set of one kind, as `op.on(Kind)` returns it: register handlers by
 * cause, each with an id and filters; the operator runs it as a reconcile.
 */
export class Handlers<T extends ApiObject & { spec?: unknown }, I = T> {
  private readonly entries: Entry<T, I>[] = [];
  private readonly objects = new Map<string, ObjectState>();
  private readonly ids: HandlerIds;
  private readonly store: HandledStore;
  private readonly eventHandlers: ((type: EventType, obj: T) => void | Promise<void>)[] = [];

  readonly kind: KindRef;

  constructor(
    kind: KindRef,
    readonly name: string,
    /** Label filter for every handler of this set: sent to the API server as labelSelector. */
    private readonly labels?: MetaMatch,
  ) {
    this.kind = kindRefOf(kind);
    this.ids = new HandlerIds(`handlers ${name} (${this.kind.kind})`);
    this.store = new HandledStore(this.kind);
  }

  /** Every change as it arrives, not level-based (kopf's on.event); errors are logged, not retried. */
  event(
    fn: (args: { type: EventType; obj: T }) => void | Promise<void>,
    opts: Filters<T> & { id?: string } = {},
  ): this {
    const id = this.ids.next("event", fn, opts);
    this.eventHandlers.push(async (type, obj) => {
      if (!matches(obj, opts)) return;
      try {
        await fn({ type, obj });
      } catch (e) {
        throw named(id, e);
      }
    });
    return this;
  }

  private add(e: Omit<Entry<T, I>, "id">): this {
    const id = this.ids.next(e.kind, e.fn, e.opts as { id?: string; field?: string });
    this.entries.push({ ...e, id } as Entry<T, I>);
    return this;
  }
  /** Run `fn` once when an object is first seen (kopf `@on.create`); its id defaults to its name. */
  create(fn: Handler<T, I>, opts: HandlerOptions<T> = {}) {
    return this.add({ kind: "create", fn, opts });
  }
  /** Run `fn` when an object's essence (spec, labels, annotations) changed; gets `old`, `new`, `diff`. */
  update(fn: Handler<T, I, UpdateArgs<T, I>>, opts: HandlerOptions<T> = {}) {
    // The cycle passes the essence before and after as old/new to update handlers.
    return this.add({ kind: "update", fn: fn as Handler<T, I>, opts });
  }
  /** Run `fn` for each existing object when the operator starts (kopf `@on.resume`). */
  resume(fn: Handler<T, I>, opts: HandlerOptions<T> = {}) {
    return this.add({ kind: "resume", fn, opts });
  }
  /** Run `fn` before an object goes away: a finalizer holds it until `fn` succeeds. */
  delete(fn: Handler<T, I>, opts: HandlerOptions<T> = {}) {
    return this.add({ kind: "delete", fn, opts });
  }
  /** Run `fn` when the value at `field` (a dotted path) changed; the diff is relative to it. */
  field(field: string, fn: Handler<T, I>, opts: HandlerOptions<T> = {}) {
    return this.add({ kind: "field", fn, opts: { ...opts, field, value: undefined } });
  }
  /** Run `fn` every `opts.intervalMs` while the object exists (kopf `@timer`). */
  timer(fn: Handler<T, I>, opts: TimerOptions<T>) {
    return this.add({ kind: "timer", fn, opts });
  }
  /** Run `fn` for as long as the object exists, aborted through its `signal` (kopf `@daemon`). */
  daemon(fn: Handler<T, I>, opts: HandlerOptions<T> = {}) {
    return this.add({ kind: "daemon", fn, opts });
  }

  /** The ids of the registered handlers, in order (`create:create_fn`). */
  handlerIds(): string[] {
    return this.entries.map(progressKey);
  }

  private state(key: string): ObjectState {
    let s = this.objects.get(key);
    if (!s) this.objects.set(key, (s = newObjectState()));
    return s;
  }

  private async reconcile(obj: T, ctx: ReconcileContext<T, I>): Promise<ReconcileResult> {
    const st = this.state(ctx.key);
    // The controller hands a deleting object with our finalizer to cleanup, not here.
    const seen = observe(obj, { initial: !st.seen, finalizing: false });
    if (seen.unreadable)
      ctx.log.warn(`ignoring an unreadable last handled state in ${seen.unreadable}`);
    const cause = detectCause(seen);
    return this.act(cause, obj, ctx, st);
  }

  /** The effects of a cause (which handlers: plan.ts). */
  private async act(
    cause: Cause,
    obj: T,
    ctx: ReconcileContext<T, I>,
    st: ObjectState,
  ): Promise<ReconcileResult> {
    switch (cause.reason) {
      case "gone":
      case "free":
        this.forget(ctx.key);
        return done();
      case "delete":
        await stopDaemons(st);
        await this.runPlanned(cause, obj, ctx, st);
        this.objects.delete(ctx.key);
        return done();
      case "create":
      case "update":
      case "resume":
      case "noop": {
        const target = JSON.stringify(cause.now);
        if (st.progress.target !== target) st.progress = { target, done: new Set() };
        if (cause.reason === "update") st.changedAt = Date.now();
        const results = await this.runPlanned(cause, obj, ctx, st);
        st.seen = true;
        const changed = cause.reason === "create" || cause.reason === "update";
        await this.store.write(obj, ctx, { base: changed ? target : undefined, results });
        startDaemons(this.entries, obj, ctx, st);
        return runTimers(this.entries, obj, st, baseArgs(obj, ctx));
      }
      default: {
        const never: never = cause;
        return never;
      }
    }
  }

  /** Run the handlers the cause selects, in order; their return values by handler id. */
  private async runPlanned(
    cause: Cause,
    obj: T,
    ctx: ReconcileContext<T, I>,
    st: ObjectState,
  ): Promise<Record<string, unknown>> {
    const base = baseArgs(obj, ctx);
    const results: Record<string, unknown> = {};
    for (const { entry, ...args } of plan(cause, this.entries, obj, st.progress.done)) {
      const r = await callHandler(entry, { ...base, ...args } as HandlerArgs<T, I>);
      if (r !== undefined && entry.kind !== "delete") results[entry.id] = r;
      st.progress.done.add(progressKey(entry));
    }
    return results;
  }

  private async cleanup(obj: T, ctx: ReconcileContext<T, I>): Promise<void> {
    const st = this.state(ctx.key);
    // The controller calls cleanup only while the finalizer holds the object.
    const cause = detectCause(observe(obj, { initial: !st.seen, finalizing: true }));
    await this.act(cause, obj, ctx, st);
  }

  /** An object gone without cleanup (no finalizer): drop its in-memory state and daemons. */
  private forget(key: string): void {
    const st = this.objects.get(key);
    if (!st) return;
    for (const d of st.daemons.values()) d.abort.abort();
    this.objects.delete(key);
  }

  /** Stop every daemon (on operator shutdown). */
  async stop(): Promise<void> {
    await Promise.all([...this.objects.values()].map(stopDaemons));
  }

  /** The controller these handlers make. A finalizer is used when delete handlers or daemons exist. */
  spec(extra: Partial<ControllerSpec<T, I>> = {}): ControllerSpec<T, I> {
    const needsCleanup = this.entries.some((e) => e.kind === "delete" || e.kind === "daemon");
    return {
      name: this.name,
      for: this.kind,
      reconcile: (obj, ctx) => this.reconcile(obj, ctx),
      labelSelector: labelSelectorOf(this.labels),
      onEvent: (type, obj) => {
        if (type === "DELETED") this.forget(keyOf(obj));
        // Each handler on its own: one that rejects must not skip the others. The
        // controller logs what comes back rejected; there is no retry by design.
        return Promise.all(this.eventHandlers.map((h) => h(type, obj))).then(() => undefined);
      },
      ...(needsCleanup
        ? { cleanup: (obj: T, ctx: ReconcileContext<T, I>) => this.cleanup(obj, ctx) }
        : {}),
      ...extra,
    };
  }
}

function keyOf(obj: ApiObject): string {
  return obj.metadata?.namespace
    ? `${obj.metadata.namespace}/${obj.metadata.name}`
    : `${obj.metadata?.name}`;
}

export { ABSENT } from "./filters.js";
