/**
 * Operator-wide hooks, kopf's "activities":
 *
 * - startup (`op.onStartup`): before any watch starts, in the order registered. The
 *   operator does not watch or reconcile until each has succeeded. A failure is logged
 *   naming the hook and retried with backoff (1 s doubling to 30 s, or a TemporaryError's
 *   delay); /readyz says which hook it waits for and its last error. A PermanentError, or
 *   running out of `retries`, ends `run()` with that error.
 * - cleanup (`op.onCleanup`): once as `run()` ends, after the controllers stopped and
 *   in-flight work finished, in the order registered, also when `run()` ends with an error.
 *   Each is bounded by `timeoutMs` (default 10 s); a failure is logged, not retried.
 * - probe (`op.probe`): on each GET /healthz, all at once, bounded by `timeoutMs`
 *   (default 1 s: keep the kubelet's probe timeout above it). A probe's return value shows
 *   in the body (`[+] probe <id>: <value>`); one that throws or times out fails /healthz
 *   naming it.
 *
 * Ids are the function's name or the `id` option, as for handlers.
 */
import { backoffFrom, type BackoffOptions } from "../backoff.js";
import { PermanentError, RuntimeError, TemporaryError } from "../errors.js";
import { withTimeout } from "../handlers/call.js";
import { HandlerIds } from "../handlers/ids.js";
import type { Logger } from "../log.js";
import { sleep } from "../sleep.js";
import { seconds } from "./startup.js";

/** What a hook receives. `retry` counts its failed attempts so far (startup hooks). */
export interface HookArgs {
  log: Logger;
  signal: AbortSignal;
  retry: number;
}
/** A lifecycle hook (`onStartup`, `onCleanup`, `probe`): gets a logger and an abort signal. */
export type Hook = (args: HookArgs) => unknown;

/** A hook's id and time limit. */
export interface HookOptions {
  /** Default: the function's name. */
  id?: string;
  timeoutMs?: number;
}
/** A startup hook's retries and backoff besides its id and time limit. */
export interface StartupHookOptions extends HookOptions {
  /** Failed attempts after which `run()` gives up (default: never). */
  retries?: number;
  backoff?: BackoffOptions;
}

/** One probe's answer on /healthz: its id, whether it passed, and its value or error. */
export interface ProbeResult {
  id: string;
  ok: boolean;
  detail: string;
}

interface Registered<O> {
  id: string;
  fn: Hook;
  opts: O;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function call(what: string, h: Registered<HookOptions>, args: HookArgs, timeoutMs?: number) {
  const ms = h.opts.timeoutMs ?? timeoutMs;
  if (!ms) return h.fn(args);
  return withTimeout(`${what} hook ${h.id}`, ms, (s) =>
    h.fn({ ...args, signal: AbortSignal.any([args.signal, s]) }),
  );
}

export class Activities {
  private readonly ids = new HandlerIds("operator");
  private readonly startups: Registered<StartupHookOptions>[] = [];
  private readonly cleanups: Registered<HookOptions>[] = [];
  private readonly probes: Registered<HookOptions>[] = [];

  addStartup(fn: Hook, opts: StartupHookOptions = {}): void {
    this.startups.push({ id: this.ids.next("startup", fn, opts), fn, opts });
  }
  addCleanup(fn: Hook, opts: HookOptions = {}): void {
    this.cleanups.push({ id: this.ids.next("cleanup", fn, opts), fn, opts });
  }
  addProbe(fn: Hook, opts: HookOptions = {}): void {
    this.probes.push({ id: this.ids.next("probe", fn, opts), fn, opts });
  }

  /**
   * Run the startup hooks (see the header); `waiting` is told what /readyz should say.
   * Resolves early, without error, when `signal` aborts.
   */
  async startUp(log: Logger, signal: AbortSignal, waiting: (why: string) => void): Promise<void> {
    for (const h of this.startups) {
      const backoff = backoffFrom({ initialMs: 1000, maxMs: 30_000, ...h.opts.backoff });
      const hookLog = log.child({ startup: h.id });
      for (let retry = 0; !signal.aborted; retry++) {
        if (retry === 0) waiting(`running startup hook ${h.id}`);
        try {
          await call("startup", h, { log: hookLog, signal, retry });
          break;
        } catch (e) {
          if (signal.aborted) return;
          const last = h.opts.retries !== undefined && retry >= h.opts.retries;
          if (e instanceof PermanentError || last) {
            hookLog.error({ err: e }, `startup hook ${h.id} failed; not starting`);
            throw new RuntimeError("startup", `hook ${h.id} failed: ${message(e)}`, { cause: e });
          }
          const delay =
            e instanceof TemporaryError && e.delayMs !== undefined ? e.delayMs : backoff.next();
          hookLog.warn(
            { err: e, attempt: retry + 1, retryInMs: delay },
            `startup hook ${h.id} failed; retrying in ${seconds(delay)}`,
          );
          waiting(`startup hook ${h.id} failed (attempt ${retry + 1}): ${message(e)}`);
          await sleep(delay, signal);
        }
      }
    }
  }

  /** Run the cleanup hooks once each (see the header); never throws. */
  async cleanUp(log: Logger): Promise<void> {
    for (const h of this.cleanups) {
      const hookLog = log.child({ cleanup: h.id });
      try {
        await call(
          "cleanup",
          h,
          { log: hookLog, signal: new AbortController().signal, retry: 0 },
          10_000,
        );
      } catch (e) {
        hookLog.error({ err: e }, `cleanup hook ${h.id} failed`);
      }
    }
  }

  /** Every probe's outcome, for /healthz (see the header). */
  probe(log: Logger): Promise<ProbeResult[]> {
    const signal = new AbortController().signal;
    return Promise.all(
      this.probes.map(async (h) => {
        try {
          const value = await call(
            "probe",
            h,
            { log: log.child({ probe: h.id }), signal, retry: 0 },
            1000,
          );
          return { id: h.id, ok: true, detail: value === undefined ? "ok" : JSON.stringify(value) };
        } catch (e) {
          return { id: h.id, ok: false, detail: message(e) };
        }
      }),
    );
  }

  get hasProbes(): boolean {
    return this.probes.length > 0;
  }
}
