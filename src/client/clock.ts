/**
 * Time as a dependency. The watcher's backoff, the token bucket and the runtime's queue read
 * the time and set timers only through a `Clock`, so their tests run on a fake one
 * (`fakeClock()` in capstan/testing) deterministically, as kube-rs pauses tokio's time.
 */

export interface Clock {
  /** Milliseconds since the epoch (or since any fixed origin, for a fake clock). */
  now(): number;
  /**
   * Call `fn` after `ms`; the returned function cancels it. With `keepAlive: false` a
   * pending timer does not keep the process running (a delayed re-queue, not a retry).
   */
  setTimer(fn: () => void, ms: number, opts?: { keepAlive?: boolean }): () => void;
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms, opts) {
    const t = setTimeout(fn, ms);
    if (opts?.keepAlive === false) t.unref();
    return () => clearTimeout(t);
  },
};

/** Wait `ms` on `clock`, or less if `signal` aborts first; never rejects. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const cancel = clock.setTimer(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
