/**
 * Calling one handler: the arguments every handler gets, its `timeoutMs` (the handler's
 * signal is aborted and the call fails with a HandlerTimeoutError, retried like any
 * failure), and its id in whatever it throws.
 */
import type { ApiObject, ReconcileContext } from "../controller/reconcile.js";
import type { SpecOf } from "../controller/typed.js";
import { HandlerTimeoutError } from "../errors.js";
import { named } from "./ids.js";
import type { HandlerArgs } from "./types.js";

/** What every handler of a cycle receives, whatever its cause. */
export function baseArgs<T extends ApiObject & { spec?: unknown }, I>(
  obj: T,
  ctx: ReconcileContext<T, I>,
): Omit<HandlerArgs<T, I>, "diff"> {
  const spec = obj.spec as SpecOf<T>;
  return { obj, spec, ctx, log: ctx.log, signal: ctx.signal, retry: ctx.attempt };
}

export async function callHandler<A extends { signal: AbortSignal }>(
  e: { id: string; fn: (args: A) => unknown; opts: { timeoutMs?: number } },
  args: A,
): Promise<unknown> {
  try {
    if (!e.opts.timeoutMs) return await e.fn(args);
    return await withTimeout(`handler ${e.id}`, e.opts.timeoutMs, (signal) =>
      e.fn({ ...args, signal: AbortSignal.any([args.signal, signal]) }),
    );
  } catch (err) {
    throw named(e.id, err);
  }
}

/** `run` given `ms`: its signal aborts and the call rejects with a HandlerTimeoutError after that. */
export async function withTimeout(
  what: string,
  ms: number,
  run: (signal: AbortSignal) => unknown,
): Promise<unknown> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(run(abort.signal)),
      new Promise((_r, reject) => {
        timer = setTimeout(() => {
          // Rejected before the abort: a handler that returns as soon as its signal aborts
          // must not win the race and count as a success.
          reject(new HandlerTimeoutError(`${what} timed out after ${ms} ms`));
          abort.abort();
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
