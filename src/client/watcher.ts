/**
 * The watcher: Capstan's one list/watch/relist cycle, as kube-rs' watcher `State`. Both
 * `client.watch()` (no list: it starts watching) and the runtime's informer (it lists
 * first) run it.
 *
 *   list  ──listed (all pages)──────► watch(list's rv)
 *   list  ──failed──────────────────► backoff ──waited──► list
 *   watch ──ended (server timeout)──► watch(last rv seen)
 *   watch ──failed (stall, reset, …)► backoff ──waited──► watch(last rv seen)
 *   watch ──410 Gone────────────────► list, or failed when the source cannot list
 *   any   ──a fatal failure─────────► failed: the watcher throws it
 *
 * Guarantees: a watch resumes from the last resourceVersion it saw, bookmarks included; a
 * streaming list (`sendInitialEvents`) cut before its initial-events-end bookmark starts
 * over rather than resume as a plain watch; a 410 relists when the source can list, and
 * otherwise ends the watch with the GoneError (the caller relists); failures wait a
 * jittered exponential backoff (reset by a completed list or any event), except those the
 * caller calls fatal, which end it. `transition` is the whole protocol, pure; `watcher`
 * runs it against a source, sleeping on an injected clock.
 */
import type { Backoff } from "./backoff.js";
import { exponentialBackoff } from "./backoff.js";
import { sleep, systemClock, type Clock } from "./clock.js";
import {
  ApiError,
  ClientError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  UnauthorizedError,
} from "./errors.js";
import { advance, type WatchEvent, type WatchState } from "./watch.js";

/** The watcher's state machine: list, watch from a position, back off, or failed. */
export type WatcherState =
  | { phase: "list" }
  | { phase: "watch"; from: WatchState }
  | { phase: "backoff"; delayMs: number; then: WatcherState }
  | { phase: "failed"; error: unknown };

/** What running a phase came to; `at` is how far a watch got, `progressed` if any event came. */
export type Outcome =
  | { type: "listed"; resourceVersion: string }
  | { type: "ended"; at: WatchState; progressed: boolean }
  | { type: "failed"; error: unknown; at?: WatchState; progressed?: boolean }
  | { type: "waited" };

export interface Policy {
  /** The source can list: a 410 relists instead of ending the watch. */
  canList: boolean;
  /** Watches start with a streaming list (sendInitialEvents) until its initial-events-end. */
  streamingList: boolean;
  /** Failures that end the watch instead of being retried. */
  fatal(e: unknown): boolean;
  backoff: Backoff;
}

export function transition(s: WatcherState, o: Outcome, p: Policy): WatcherState {
  const retry = (then: WatcherState, error: unknown): WatcherState =>
    p.fatal(error)
      ? { phase: "failed", error }
      : { phase: "backoff", delayMs: p.backoff.next(), then };
  switch (s.phase) {
    case "list":
      if (o.type === "listed") {
        p.backoff.reset();
        return {
          phase: "watch",
          from: { resourceVersion: o.resourceVersion, initialEventsEnded: true },
        };
      }
      if (o.type === "failed") return retry(s, o.error);
      break;
    case "watch": {
      if (o.type !== "ended" && o.type !== "failed") break;
      if (o.progressed) p.backoff.reset();
      const at = o.at ?? s.from;
      // A streaming list interrupted before its end starts over, not resumes as a watch.
      const from = p.streamingList && !at.initialEventsEnded ? START : at;
      if (o.type === "ended") return { phase: "watch", from };
      if (o.error instanceof GoneError)
        return p.canList ? { phase: "list" } : { phase: "failed", error: o.error };
      return retry({ phase: "watch", from }, o.error);
    }
    case "backoff":
      if (o.type === "waited") return s.then;
      break;
    case "failed":
      return s;
    default: {
      const never: never = s;
      return never;
    }
  }
  throw new Error(`watcher: outcome "${o.type}" in phase "${s.phase}"`);
}

const START: WatchState = Object.freeze({ resourceVersion: undefined, initialEventsEnded: false });

/** What a watcher reads: one watch stream at a time and, to relist, every object. */
export interface WatcherSource<T> {
  /** Every object (the source pages it); without it, a 410 ends the watch with GoneError. */
  list?(signal?: AbortSignal): Promise<{ items: T[]; resourceVersion: string }>;
  /** One stream from `from`, which the source may advance in place as events arrive. */
  watch(from: WatchState, signal?: AbortSignal): AsyncIterable<WatchEvent<T>>;
}

/** A complete list (the first, or after a 410), then the watch's events. */
export type WatcherEvent<T> =
  { type: "LISTED"; items: T[]; resourceVersion: string } | WatchEvent<T>;

/** Options of `watcher()`: abort signal, start position, streaming list, fatal failures, backoff, clock, state hook. */
export interface WatcherOptions {
  signal?: AbortSignal;
  /** Where a source without `list` starts; updated in place as the watch moves on. */
  position?: WatchState;
  streamingList?: boolean;
  /** Failures that end the watch; by default every failure is retried. */
  fatal?: (e: unknown) => boolean;
  backoff?: Backoff;
  clock?: Clock;
  /** Every state entered, with the failure that led there (logs, metrics, health). */
  onState?(s: WatcherState, failure?: { step: "list" | "watch"; error: unknown }): void;
}

/** Run the cycle until `signal` aborts (then it returns) or a fatal failure (it throws). */
export function watcher<T>(
  source: WatcherSource<T> & Required<Pick<WatcherSource<T>, "list">>,
  opts?: WatcherOptions,
): AsyncGenerator<WatcherEvent<T>>;
export function watcher<T>(
  source: WatcherSource<T>,
  opts?: WatcherOptions,
): AsyncGenerator<WatchEvent<T>>;
export async function* watcher<T>(
  source: WatcherSource<T>,
  opts: WatcherOptions = {},
): AsyncGenerator<WatcherEvent<T>> {
  const { signal, clock = systemClock } = opts;
  const position = opts.position ?? { ...START };
  const policy: Policy = {
    canList: source.list !== undefined,
    streamingList: opts.streamingList ?? false,
    fatal: opts.fatal ?? (() => false),
    backoff: opts.backoff ?? exponentialBackoff(),
  };
  let state: WatcherState = source.list
    ? { phase: "list" }
    : { phase: "watch", from: { ...position } };
  opts.onState?.(state);
  while (!signal?.aborted) {
    let outcome: Outcome;
    switch (state.phase) {
      case "list": {
        let listed;
        try {
          listed = await source.list!(signal);
        } catch (error) {
          outcome = { type: "failed", error };
          break;
        }
        yield { type: "LISTED", ...listed };
        outcome = { type: "listed", resourceVersion: listed.resourceVersion };
        break;
      }
      case "watch": {
        Object.assign(position, state.from);
        let progressed = false;
        try {
          for await (const ev of source.watch(position, signal)) {
            advance(position, ev);
            progressed = true;
            yield ev;
          }
          outcome = { type: "ended", at: { ...position }, progressed };
        } catch (error) {
          outcome = { type: "failed", error, at: { ...position }, progressed };
        }
        break;
      }
      case "backoff":
        await sleep(clock, state.delayMs, signal);
        outcome = { type: "waited" };
        break;
      case "failed":
        throw state.error;
      default: {
        const never: never = state;
        return never;
      }
    }
    if (signal?.aborted) return;
    const step = state.phase === "list" ? "list" : "watch";
    state = transition(state, outcome, policy);
    opts.onState?.(state, outcome.type === "failed" ? { step, error: outcome.error } : undefined);
  }
}

/**
 * For a watch that cannot list: failures that retrying would repeat (authorization, a kind
 * not served, bad input, any other 4xx but 429). GoneError is the transition's to handle.
 */
export function unrecoverable(e: unknown): boolean {
  return (
    e instanceof ForbiddenError ||
    e instanceof UnauthorizedError ||
    e instanceof NotFoundError ||
    (e instanceof ClientError && (e.step === "input" || e.step === "discovery")) ||
    (e instanceof ApiError && !(e instanceof GoneError) && e.code < 500 && e.code !== 429)
  );
}
