/**
 * The handler API's types: what a handler receives, its options, and a registered handler
 * (an entry) with its id.
 */
import type { ApiObject, ReconcileContext } from "../controller/reconcile.js";
import type { SpecOf } from "../controller/typed.js";
import type { DiffItem } from "./diff.js";
import type { Essence } from "./essence.js";
import type { Filters } from "./filters.js";

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

/** An update handler's arguments: the essence before and after the change. */
export type UpdateArgs<T extends ApiObject, I = T> = HandlerArgs<T, I> & {
  old: Essence<T>;
  new: Essence<T>;
};

/** A handler: gets the object, its spec, diff, ctx and logger; a returned value goes to status under its id. */
export type Handler<T extends ApiObject, I = T, A = HandlerArgs<T, I>> = (
  args: A,
) => Promise<unknown> | unknown;

/** A handler's id (default: the function's name), filters, retries and timeout. */
export interface HandlerOptions<T> extends Filters<T> {
  /**
   * The handler's id: the key of its return value in status, and the name every failure
   * log, Event and condition gives. Default: the function's name (kopf's `create_fn`).
   */
  id?: string;
  timeoutMs?: number;
}

export type TimerOptions<T> = HandlerOptions<T> & { intervalMs: number; idleMs?: number };

export type Entry<T extends ApiObject, I> =
  | {
      kind: "create" | "update" | "resume" | "delete";
      id: string;
      fn: Handler<T, I>;
      opts: HandlerOptions<T>;
    }
  | { kind: "field"; id: string; fn: Handler<T, I>; opts: HandlerOptions<T> & { field: string } }
  | { kind: "timer"; id: string; fn: Handler<T, I>; opts: TimerOptions<T> }
  | { kind: "daemon"; id: string; fn: Handler<T, I>; opts: HandlerOptions<T> };

export type EntryKind = Entry<ApiObject, unknown>["kind"];
