/**
 * kopf's handler API on the level-triggered engine: create / update / delete / resume /
 * field / timer / daemon / event handlers, compiled into one `ControllerSpec`.
 *
 * How a cycle decides what to run: the object's "essence" (spec, labels, annotations) is
 * compared with the last handled essence, kept in the annotation `LAST_HANDLED`:
 * none → create; different → update (with a diff) and the field handlers whose field
 * changed; equal → nothing. The first time this process sees an object that was handled
 * before, resume handlers run too. When every handler succeeded, ONE write stores the new
 * essence and the handlers' return values (`status.<handler id>`):
 *   - no return values: a merge patch of the annotation;
 *   - return values: a status patch carrying them and the essence (`status.capstan.lastHandled`),
 *     which then stays the object's diff base (status is read before the annotation). If the
 *     kind's status schema prunes `status.capstan`, the kind falls back to the annotation
 *     (two writes per cycle with return values; logged once).
 * An object that has not changed costs no write at all, so restarting over converged objects
 * sends zero PATCH/PUT requests.
 *
 * Caveat: progress within one change is kept in memory. If the operator restarts after
 * handler A succeeded but before B did, A runs again: handlers must be idempotent (they
 * must be anyway; an API write can succeed and its response be lost).
 */
import { ABSENT, labelSelectorOf, matches, type Filters, type MetaMatch } from "./filters.js";
import { diff, deepEqual, getPath, type DiffItem } from "./diff.js";
import {
  done,
  requeueAfter,
  type ControllerSpec,
  type ApiObject,
  type ReconcileContext,
  type ReconcileResult,
} from "../controller/reconcile.js";
import { HandlerTimeoutError } from "../errors.js";
import { kindRefOf, type KindRef } from "../kind.js";
import type { SpecOf } from "../controller/typed.js";

export const LAST_HANDLED = "capstan.dev/last-handled-configuration";

/** The diff base kept in status (see the header), if any. */
function statusBase(obj: ApiObject): string | undefined {
  const v = (obj.status as { capstan?: { lastHandled?: unknown } } | undefined)?.capstan
    ?.lastHandled;
  return typeof v === "string" ? v : undefined;
}

/** What a handler receives; `I` types `ctx.patchStatus` (see ReconcileContext). */
export interface HandlerArgs<T extends ApiObject, I = T> {
  obj: T;
  spec: SpecOf<T>;
  /** Field handlers: the field's value before and after; update handlers: see UpdateArgs. */
  old?: unknown;
  new?: unknown;
  diff: DiffItem[];
  ctx: ReconcileContext<T, I>;
  log: ReconcileContext<T>["log"];
  signal: AbortSignal;
  retry: number;
}

/** The part of an object whose change is an update: spec, labels, annotations. */
export interface Essence<T> {
  /** `null` for an object without one (the stored essence is JSON). */
  spec: undefined extends SpecOf<T> ? SpecOf<T> | null : SpecOf<T>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** An update handler's arguments: the essence before and after the change. */
export type UpdateArgs<T extends ApiObject, I = T> = HandlerArgs<T, I> & {
  old: Essence<T>;
  new: Essence<T>;
};

export type Handler<T extends ApiObject, I = T, A = HandlerArgs<T, I>> = (
  args: A,
) => Promise<unknown> | unknown;

interface Options<T> extends Filters<T> {
  id?: string;
  timeoutMs?: number;
}

type Entry<T extends ApiObject, I> =
  | {
      kind: "create" | "update" | "resume" | "delete";
      id: string;
      fn: Handler<T, I>;
      opts: Options<T>;
    }
  | { kind: "field"; id: string; fn: Handler<T, I>; opts: Options<T> & { field: string } }
  | {
      kind: "timer";
      id: string;
      fn: Handler<T, I>;
      opts: Options<T> & { intervalMs: number; idleMs?: number };
    }
  | { kind: "daemon"; id: string; fn: Handler<T, I>; opts: Options<T> };

interface ObjectState {
  seen: boolean;
  /** Handlers done for the essence being handled (JSON of it), so retries skip them. */
  progress: { target: string; done: Set<string> };
  changedAt: number;
  timers: Map<string, number>;
  daemons: Map<string, { abort: AbortController; done: Promise<void> }>;
}

type Stored = Essence<unknown>;

function essenceOf(obj: ApiObject & { spec?: unknown }): Stored {
  const annotations = { ...(obj.metadata?.annotations ?? {}) };
  delete annotations[LAST_HANDLED];
  delete annotations["kubectl.kubernetes.io/last-applied-configuration"];
  return { spec: obj.spec ?? null, labels: { ...(obj.metadata?.labels ?? {}) }, annotations };
}

/** What every handler of a cycle receives, whatever its cause. */
function baseArgs<T extends ApiObject & { spec?: unknown }, I>(
  obj: T,
  ctx: ReconcileContext<T, I>,
): Omit<HandlerArgs<T, I>, "diff"> {
  const spec = obj.spec as SpecOf<T>;
  return { obj, spec, ctx, log: ctx.log, signal: ctx.signal, retry: ctx.attempt };
}

export class Handlers<T extends ApiObject & { spec?: unknown }, I = T> {
  private readonly entries: Entry<T, I>[] = [];
  private readonly objects = new Map<string, ObjectState>();
  private n = 0;
  /** False once the API server pruned `status.capstan` for this kind. */
  private statusKeepsBase = true;

  private readonly eventHandlers: ((
    type: "ADDED" | "MODIFIED" | "DELETED",
    obj: T,
  ) => void | Promise<void>)[] = [];

  readonly kind: KindRef;

  constructor(
    kind: KindRef,
    readonly name: string,
    /** Label filter for every handler of this set: sent to the API server as labelSelector. */
    private readonly labels?: MetaMatch,
  ) {
    this.kind = kindRefOf(kind);
  }

  /** Every change as it arrives, not level-based (kopf's on.event); errors are logged, not retried. */
  event(
    fn: (args: { type: "ADDED" | "MODIFIED" | "DELETED"; obj: T }) => void | Promise<void>,
    opts: Filters<T> = {},
  ): this {
    this.eventHandlers.push((type, obj) => {
      if (matches(obj, opts)) return fn({ type, obj });
    });
    return this;
  }

  private add(e: Omit<Entry<T, I>, "id"> & { opts: { id?: string } }): this {
    this.entries.push({
      ...e,
      id: e.opts.id ?? `${e.kind}${this.n++ ? `-${this.n - 1}` : ""}`,
    } as Entry<T, I>);
    return this;
  }
  create(fn: Handler<T, I>, opts: Options<T> = {}) {
    return this.add({ kind: "create", fn, opts });
  }
  update(fn: Handler<T, I, UpdateArgs<T, I>>, opts: Options<T> = {}) {
    // The cycle passes the essence before and after as old/new to update handlers.
    return this.add({ kind: "update", fn: fn as Handler<T, I>, opts });
  }
  resume(fn: Handler<T, I>, opts: Options<T> = {}) {
    return this.add({ kind: "resume", fn, opts });
  }
  delete(fn: Handler<T, I>, opts: Options<T> = {}) {
    return this.add({ kind: "delete", fn, opts });
  }
  field(field: string, fn: Handler<T, I>, opts: Options<T> = {}) {
    return this.add({ kind: "field", fn, opts: { ...opts, field, value: undefined } });
  }
  timer(fn: Handler<T, I>, opts: Options<T> & { intervalMs: number; idleMs?: number }) {
    return this.add({ kind: "timer", fn, opts });
  }
  daemon(fn: Handler<T, I>, opts: Options<T> = {}) {
    return this.add({ kind: "daemon", fn, opts });
  }

  private state(key: string): ObjectState {
    let s = this.objects.get(key);
    if (!s) {
      s = {
        seen: false,
        progress: { target: "", done: new Set() },
        changedAt: Date.now(),
        timers: new Map(),
        daemons: new Map(),
      };
      this.objects.set(key, s);
    }
    return s;
  }

  private async call(e: Entry<T, I>, args: HandlerArgs<T, I>): Promise<unknown> {
    if (!e.opts.timeoutMs) return e.fn(args);
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve(e.fn({ ...args, signal: AbortSignal.any([args.signal, abort.signal]) })),
        new Promise((_r, reject) => {
          timer = setTimeout(() => {
            abort.abort();
            reject(
              new HandlerTimeoutError(`handler ${e.id} timed out after ${e.opts.timeoutMs} ms`),
            );
          }, e.opts.timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private applicable(obj: T, e: Entry<T, I>): boolean {
    const { field: _f, value: _v, ...rest } = e.opts as Filters<T>;
    return e.kind === "field" ? matches(obj, rest) : matches(obj, e.opts);
  }

  private async reconcile(obj: T, ctx: ReconcileContext<T, I>): Promise<ReconcileResult> {
    const st = this.state(ctx.key);
    const inStatus = statusBase(obj);
    const raw = inStatus ?? obj.metadata?.annotations?.[LAST_HANDLED];
    let last: Stored | undefined;
    try {
      last = raw ? (JSON.parse(raw) as Stored) : undefined;
    } catch {
      ctx.log.warn(`ignoring an unreadable ${LAST_HANDLED} annotation`);
    }
    const now = essenceOf(obj);
    const target = JSON.stringify(now);
    if (st.progress.target !== target) st.progress = { target, done: new Set() };
    const changes = last ? diff(last, now) : [];
    if (changes.length) st.changedAt = Date.now();
    const causes = new Set<Entry<T, I>["kind"]>();
    if (!last) causes.add("create");
    else if (changes.length) causes.add("update");
    if (last && !st.seen) causes.add("resume");
    const base = baseArgs(obj, ctx);
    const results: Record<string, unknown> = {};
    for (const e of this.entries) {
      if (st.progress.done.has(e.id) || !this.applicable(obj, e)) continue;
      let args: HandlerArgs<T, I> | undefined;
      if (e.kind === "create" && causes.has("create"))
        args = { ...base, diff: diff(undefined, now.spec) };
      else if (e.kind === "update" && causes.has("update"))
        args = { ...base, old: last, new: now, diff: changes };
      else if (e.kind === "resume" && causes.has("resume")) args = { ...base, diff: [] };
      else if (e.kind === "field") {
        const path = e.opts.field.split(".");
        const o = last
          ? getPath(
              { spec: last.spec, metadata: { labels: last.labels, annotations: last.annotations } },
              path,
            )
          : undefined;
        const n = getPath(obj, path);
        if ((last || n !== undefined) && !deepEqual(o, n))
          args = { ...base, old: o, new: n, diff: diff(o, n) };
      }
      if (!args) continue;
      const r = await this.call(e, args);
      if (r !== undefined) results[e.id] = r;
      st.progress.done.add(e.id);
    }
    st.seen = true;
    await this.store(obj, ctx, { base: !last || changes.length ? target : undefined, results });
    this.startDaemons(obj, ctx, st);
    return this.runTimers(obj, ctx, st, base);
  }

  /** The one write of a handling cycle (see the header); none when nothing changed. */
  private async store(
    obj: T,
    ctx: ReconcileContext<T, I>,
    w: { base?: string; results: Record<string, unknown> },
  ): Promise<void> {
    const ref = { ...this.kind, name: obj.metadata!.name!, namespace: obj.metadata?.namespace };
    const hasResults = Object.keys(w.results).length > 0;
    const annotate = (base: string) =>
      ctx.client.patch(ref, { metadata: { annotations: { [LAST_HANDLED]: base } } });
    if (this.statusKeepsBase && (hasResults || statusBase(obj) !== undefined)) {
      const current = (obj.status ?? {}) as Record<string, unknown>;
      if (!w.base && Object.entries(w.results).every(([k, v]) => deepEqual(current[k], v))) return;
      const status = { ...w.results, ...(w.base ? { capstan: { lastHandled: w.base } } : {}) };
      const after = await ctx.client.patch<typeof ref, T>(
        ref,
        { status },
        { subresource: "status" },
      );
      if (w.base && statusBase(after) !== w.base) {
        this.statusKeepsBase = false;
        ctx.log.info(
          `the ${this.kind.kind} status schema prunes status.capstan; keeping the last handled state in the ${LAST_HANDLED} annotation instead`,
        );
        await annotate(w.base);
      }
      return;
    }
    if (w.base) await annotate(w.base);
    // Return values go where the handler ids say, whatever T's status type is.
    if (hasResults) await (ctx as ReconcileContext<ApiObject>).patchStatus(w.results);
  }

  private startDaemons(obj: T, ctx: ReconcileContext<T, I>, st: ObjectState): void {
    for (const e of this.entries) {
      if (e.kind !== "daemon" || st.daemons.has(e.id) || !this.applicable(obj, e)) continue;
      const abort = new AbortController();
      const log = ctx.log.child({ daemon: e.id });
      const run = Promise.resolve()
        .then(() =>
          e.fn({
            obj,
            spec: obj.spec as SpecOf<T>,
            ctx,
            log,
            signal: abort.signal,
            retry: 0,
            diff: [],
          }),
        )
        .then(
          () => log.info("daemon exited"),
          (err: unknown) => !abort.signal.aborted && log.error({ err }, "daemon failed"),
        )
        .then(() => void (abort.signal.aborted || st.daemons.delete(e.id)));
      st.daemons.set(e.id, { abort, done: run });
    }
  }

  private async runTimers(
    obj: T,
    ctx: ReconcileContext<T, I>,
    st: ObjectState,
    base: Omit<HandlerArgs<T, I>, "diff">,
  ): Promise<ReconcileResult> {
    let next = Infinity;
    const now = Date.now();
    for (const e of this.entries) {
      if (e.kind !== "timer" || !this.applicable(obj, e)) continue;
      const idleUntil = st.changedAt + (e.opts.idleMs ?? 0);
      let due = st.timers.get(e.id) ?? Math.max(now + e.opts.intervalMs, idleUntil);
      if (due <= now && idleUntil <= now) {
        await this.call(e, { ...base, diff: [] });
        due = now + e.opts.intervalMs;
      } else if (idleUntil > due) due = idleUntil;
      st.timers.set(e.id, due);
      next = Math.min(next, due);
    }
    return Number.isFinite(next) ? requeueAfter(Math.max(1, next - Date.now())) : done();
  }

  private async cleanup(obj: T, ctx: ReconcileContext<T, I>): Promise<void> {
    const st = this.state(ctx.key);
    for (const d of st.daemons.values()) d.abort.abort();
    await Promise.all([...st.daemons.values()].map((d) => d.done));
    for (const e of this.entries) {
      if (e.kind !== "delete" || st.progress.done.has(`delete:${e.id}`) || !this.applicable(obj, e))
        continue;
      await this.call(e, { ...baseArgs(obj, ctx), diff: [] });
      st.progress.done.add(`delete:${e.id}`);
    }
    this.objects.delete(ctx.key);
  }

  /** An object gone without cleanup (no finalizer): drop its in-memory state and daemons. */
  private forget(obj: T): void {
    const key = obj.metadata?.namespace
      ? `${obj.metadata.namespace}/${obj.metadata.name}`
      : `${obj.metadata?.name}`;
    const st = this.objects.get(key);
    if (!st) return;
    for (const d of st.daemons.values()) d.abort.abort();
    this.objects.delete(key);
  }

  /** Stop every daemon (on operator shutdown). */
  async stop(): Promise<void> {
    const all = [...this.objects.values()].flatMap((s) => [...s.daemons.values()]);
    for (const d of all) d.abort.abort();
    await Promise.all(all.map((d) => d.done));
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
        if (type === "DELETED") this.forget(obj);
        // Each handler on its own: one that throws or rejects must not skip the others. The
        // controller logs what comes back rejected; there is no retry by design.
        const outcomes = this.eventHandlers.map((h) => {
          try {
            return Promise.resolve(h(type, obj));
          } catch (e) {
            return Promise.reject(e);
          }
        });
        return Promise.all(outcomes).then(() => undefined);
      },
      ...(needsCleanup
        ? { cleanup: (obj: T, ctx: ReconcileContext<T, I>) => this.cleanup(obj, ctx) }
        : {}),
      ...extra,
    };
  }
}

export { ABSENT };
