/**
 * What runs beside the handling cycles, per object: daemons (one long-running call per
 * object and daemon, its signal aborted when the object goes or the operator stops) and
 * timers (a call every `intervalMs`, not before the object was left unchanged `idleMs`).
 * Timers run inside the reconcile, which is requeued for the next one due; a timer that
 * fails fails that reconcile (retried, named like any handler). A daemon's failure is logged
 * with its id; it is started again by the object's next reconcile.
 */
import {
  requeueAfter,
  done,
  type ApiObject,
  type ReconcileContext,
  type ReconcileResult,
} from "../controller/reconcile.js";
import type { SpecOf } from "../controller/typed.js";
import { callHandler } from "./call.js";
import { applicable } from "./plan.js";
import type { Entry, HandlerArgs } from "./types.js";

/** An object's in-memory state in a handler set. */
export interface ObjectState {
  /** Handled once by this process (a later cycle is not "initial"). */
  seen: boolean;
  /** Handlers done for the essence being handled (JSON of it), so retries skip them. */
  progress: { target: string; done: Set<string> };
  changedAt: number;
  timers: Map<string, number>;
  daemons: Map<string, { abort: AbortController; done: Promise<void> }>;
}

export function newObjectState(): ObjectState {
  return {
    seen: false,
    progress: { target: "", done: new Set() },
    changedAt: Date.now(),
    timers: new Map(),
    daemons: new Map(),
  };
}

export function startDaemons<T extends ApiObject & { spec?: unknown }, I>(
  entries: readonly Entry<T, I>[],
  obj: T,
  ctx: ReconcileContext<T, I>,
  st: ObjectState,
): void {
  for (const e of entries) {
    if (e.kind !== "daemon" || st.daemons.has(e.id) || !applicable(obj, e)) continue;
    const abort = new AbortController();
    const log = ctx.log.child({ daemon: e.id });
    const args = {
      obj,
      spec: obj.spec as SpecOf<T>,
      ctx,
      log,
      signal: abort.signal,
      retry: 0,
      diff: [],
    };
    const run = Promise.resolve()
      .then(() => e.fn(args as HandlerArgs<T, I>))
      .then(
        () => log.info(`daemon ${e.id} exited`),
        (err: unknown) => !abort.signal.aborted && log.error({ err }, `daemon ${e.id} failed`),
      )
      .then(() => void (abort.signal.aborted || st.daemons.delete(e.id)));
    st.daemons.set(e.id, { abort, done: run });
  }
}

/** Stop the object's daemons and wait for them to return. */
export async function stopDaemons(st: ObjectState): Promise<void> {
  const all = [...st.daemons.values()];
  for (const d of all) d.abort.abort();
  await Promise.all(all.map((d) => d.done));
}

/** Run the timers that are due; the result requeues the object for the next one. */
export async function runTimers<T extends ApiObject, I>(
  entries: readonly Entry<T, I>[],
  obj: T,
  st: ObjectState,
  base: Omit<HandlerArgs<T, I>, "diff">,
): Promise<ReconcileResult> {
  let next = Infinity;
  const now = Date.now();
  for (const e of entries) {
    if (e.kind !== "timer" || !applicable(obj, e)) continue;
    const idleUntil = st.changedAt + (e.opts.idleMs ?? 0);
    let due = st.timers.get(e.id) ?? Math.max(now + e.opts.intervalMs, idleUntil);
    if (due <= now && idleUntil <= now) {
      await callHandler(e, { ...base, diff: [] });
      due = now + e.opts.intervalMs;
    } else if (idleUntil > due) due = idleUntil;
    st.timers.set(e.id, due);
    next = Math.min(next, due);
  }
  return Number.isFinite(next) ? requeueAfter(Math.max(1, next - Date.now())) : done();
}
