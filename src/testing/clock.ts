/**
 * A clock that moves only when the test says so (kube-rs pauses tokio's time): timing
 * tests of the queue, the backoff and the watcher run deterministically and at once.
 *
 *   const clock = fakeClock();
 *   const q = new WorkQueue({ clock });
 *   q.addAfter("ns/a", 1000);
 *   await clock.advance(999); // nothing yet
 *   await clock.advance(1);   // ns/a runs
 */
import type { Clock } from "../client/clock.js";

export interface FakeClock extends Clock {
  /**
   * Move time on by `ms`, firing every timer that falls due in order and letting the
   * promises they resolve settle before the next.
   */
  advance(ms: number): Promise<void>;
  /** Timers set and neither fired nor cancelled. */
  readonly pending: number;
  /** Resolves when a timer is set (a watcher starting to back off, a delayed re-queue). */
  nextTimer(): Promise<number>;
}

/** One turn of the event loop: pending promise callbacks and I/O run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

/** A clock that moves only on `advance(ms)`, starting at `start`. */
export function fakeClock(start = 0): FakeClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const waiters: ((ms: number) => void)[] = [];
  return {
    now: () => now,
    setTimer(fn, ms) {
      const id = seq++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      for (const w of waiters.splice(0)) w(ms);
      return () => void timers.delete(id);
    },
    get pending() {
      return timers.size;
    },
    nextTimer: () => new Promise((r) => waiters.push(r)),
    async advance(ms) {
      const until = now + ms;
      await settle();
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const e of timers) if (e[1].at <= until && (!due || e[1].at < due[1].at)) due = e;
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await settle();
      }
      now = until;
      await settle();
    },
  };
}
