/**
 * Which handlers a cause runs, and with what: the other pure half of the decision (kopf
 * selects handlers by cause the same way). Handlers run in the order they were registered;
 * a handler that already succeeded for this change (`done`, by `progressKey`) is skipped, so
 * a retry after a failure runs only what is left.
 *
 * - create: create handlers (diff: the whole spec added), and field handlers whose field is set;
 * - update: update handlers (old/new essence, diff), field handlers whose field changed, and
 *   resume handlers when the object is first seen by this process;
 * - resume: resume handlers;
 * - delete: delete handlers;
 * - noop, free, gone: nothing.
 *
 * Field handlers watch the essence: a path under `spec` or `metadata.labels/annotations`.
 */
import { deepEqual } from "../../core/equal.js";
import { diff, getPath, type DiffItem } from "./diff.js";
import { asObject, type Stored } from "./essence.js";
import { matches, type Filters } from "./filters.js";
import type { Cause } from "./causes.js";
import type { EntryKind } from "./types.js";

/** What the plan needs of a registered handler. */
export interface Planned<T> {
  kind: EntryKind;
  id: string;
  opts: Filters<T> & { field?: string };
}

export interface Invocation<E> {
  entry: E;
  old?: unknown;
  new?: unknown;
  diff: DiffItem[];
}

/** The key under which a handler's success for the current change is remembered. */
export const progressKey = (e: { kind: string; id: string }): string => `${e.kind}:${e.id}`;

/** Whether the handler's filters accept the object (a field handler's field is its trigger). */
export function applicable<T>(obj: T, e: Planned<T>): boolean {
  if (e.kind !== "field") return matches(obj as never, e.opts);
  const { field: _f, value: _v, ...rest } = e.opts;
  return matches(obj as never, rest);
}

function fieldChange(field: string, last: Stored | undefined, now: Stored) {
  const path = field.split(".");
  const old = last ? getPath(asObject(last), path) : undefined;
  const next = getPath(asObject(now), path);
  if (deepEqual(old, next)) return undefined;
  return { old, new: next, diff: diff(old, next) };
}

export function plan<T, E extends Planned<T>>(
  cause: Cause,
  entries: readonly E[],
  obj: T,
  done: ReadonlySet<string> = new Set(),
): Invocation<E>[] {
  const out: Invocation<E>[] = [];
  for (const entry of entries) {
    if (done.has(progressKey(entry)) || !applicable(obj, entry)) continue;
    const call = invocation(cause, entry);
    if (call) out.push({ entry, ...call });
  }
  return out;
}

function invocation<T>(cause: Cause, e: Planned<T>): Omit<Invocation<never>, "entry"> | undefined {
  switch (cause.reason) {
    case "create":
      if (e.kind === "create") return { diff: cause.diff };
      if (e.kind === "field") return fieldChange(e.opts.field!, undefined, cause.now);
      return undefined;
    case "update":
      if (e.kind === "update") return { old: cause.old, new: cause.now, diff: cause.diff };
      if (e.kind === "field") return fieldChange(e.opts.field!, cause.old, cause.now);
      if (e.kind === "resume" && cause.resume) return { diff: [] };
      return undefined;
    case "resume":
      return e.kind === "resume" ? { diff: [] } : undefined;
    case "delete":
      return e.kind === "delete" ? { diff: [] } : undefined;
    case "noop":
    case "free":
    case "gone":
      return undefined;
    default: {
      const never: never = cause;
      return never;
    }
  }
}
