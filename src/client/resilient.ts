/**
 * The watch that never silently stops: reconnects whenever a stream ends (server timeout),
 * stalls (inactivity watchdog) or fails (connection reset, 5xx), resuming from the last
 * resourceVersion it saw — bookmarks included — after a jittered exponential backoff
 * (800 ms doubling to 30 s; reset by any event). Only GoneError (410: the resourceVersion
 * is too old) and authorization failures reach the caller: the first means "relist".
 */
import { randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { TypeRef } from "../core/object.js";
import type { KubeClient, WatchOptions } from "./client.js";
import {
  ApiError,
  ClientError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  UnauthorizedError,
} from "./errors.js";
import type { WatchEvent, WatchState } from "./watch.js";

export interface Backoff {
  next(): number;
  reset(): void;
}

export function exponentialBackoff(initialMs = 800, maxMs = 30_000): Backoff {
  let attempt = 0;
  return {
    next() {
      const cap = Math.min(maxMs, initialMs * 2 ** attempt++);
      return Math.floor(cap / 2) + randomInt(0, Math.floor(cap / 2) + 1);
    },
    reset() {
      attempt = 0;
    },
  };
}

const fatal = (e: unknown) =>
  e instanceof GoneError ||
  e instanceof ForbiddenError ||
  e instanceof UnauthorizedError ||
  e instanceof NotFoundError ||
  (e instanceof ClientError && (e.step === "input" || e.step === "discovery"));

export async function* resilientWatch<T>(
  client: KubeClient,
  ref: TypeRef & { namespace?: string; name?: string },
  opts: WatchOptions & { onReconnect?: (e: unknown, delayMs: number) => void } = {},
): AsyncGenerator<WatchEvent<T>> {
  const state: WatchState = opts.state ?? {
    resourceVersion: opts.resourceVersion,
    initialEventsEnded: false,
  };
  const backoff = exponentialBackoff();
  while (!opts.signal?.aborted) {
    let failure: unknown;
    try {
      for await (const ev of client.watchOnce<typeof ref, T>(ref, { ...opts, state })) {
        backoff.reset();
        yield ev;
      }
    } catch (e) {
      if (opts.signal?.aborted) return;
      if (fatal(e) || (e instanceof ApiError && e.code < 500 && e.code !== 429)) throw e;
      failure = e;
    }
    // A stream the server closed at its timeout resumes at once; a failure backs off.
    if (failure !== undefined) {
      const delay = backoff.next();
      opts.onReconnect?.(failure, delay);
      await sleep(delay, undefined, { signal: opts.signal }).catch(() => undefined);
    }
    // A streaming list that was interrupted before its end must not be resumed as a watch.
    if (opts.sendInitialEvents && !state.initialEventsEnded) state.resourceVersion = undefined;
  }
}
