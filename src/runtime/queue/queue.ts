/**
 * The work queue between the cache and reconcile.
 *
 * Guarantees (the same as client-go's workqueue, which controller-runtime and kube-rs share):
 * - A key is queued at most once: adding a queued key is a no-op (its priority may rise).
 * - A key is never processed twice at once: a key added while it is being processed is
 *   marked dirty and processed again after the current run finishes.
 * - At most `concurrency` keys are processed at a time.
 * - Fresh changes (`priority: "high"`) are taken before the initial-list and resync backlog
 *   (`"low"`), as controller-runtime's priority queue does, so a restart over 10,000
 *   objects does not delay the one a user just edited.
 * - `retry(key)` re-adds after a per-key exponential backoff (base·2^failures, capped), never
 *   sooner than an overall token bucket allows; `forget(key)` resets the key's failures.
 * - `addAfter(key, ms)` re-adds later; the earliest pending time wins.
 */
import { EventEmitter } from "node:events";
import { TokenBucket, type RateLimit } from "../../client/backoff.js";
import { systemClock, type Clock } from "../../client/clock.js";

export type Priority = "high" | "low";

export interface QueueOptions {
  concurrency?: number;
  /** First retry delay; doubles per failure. Default 5 ms (client-go). */
  baseDelayMs?: number;
  /** Retry delay cap. Default 1000 s (client-go). */
  maxDelayMs?: number;
  /** Overall retry rate limit: tokens per second and bucket size. Default 10/s, burst 100. */
  rateLimit?: RateLimit;
  /** Time for delays, backoff and the rate limit (a fake clock in tests). */
  clock?: Clock;
}

export interface QueueStats {
  depth: number;
  processing: number;
  waiting: number;
}

type Worker = (key: string) => Promise<void>;

export class WorkQueue extends EventEmitter {
  readonly concurrency: number;
  private readonly base: number;
  private readonly max: number;
  private readonly high: string[] = [];
  private readonly low: string[] = [];
  private readonly queued = new Map<string, { priority: Priority; since: number }>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Map<string, Priority>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; cancel: () => void }>();
  private readonly bucket: TokenBucket;
  private readonly clock: Clock;
  private worker: Worker | undefined;
  private closed = false;
  private idle: (() => void)[] = [];

  constructor(opts: QueueOptions = {}) {
    super();
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.base = opts.baseDelayMs ?? 5;
    this.max = opts.maxDelayMs ?? 1_000_000;
    this.clock = opts.clock ?? systemClock;
    this.bucket = new TokenBucket(opts.rateLimit ?? { perSecond: 10, burst: 100 }, this.clock);
  }

  /** Queue a key now. */
  add(key: string, priority: Priority = "high"): void {
    if (this.closed) return;
    if (this.processing.has(key)) {
      const prev = this.dirty.get(key);
      this.dirty.set(key, prev === "high" || priority === "high" ? "high" : "low");
      return;
    }
    const q = this.queued.get(key);
    if (q) {
      if (priority === "high" && q.priority === "low") {
        this.low.splice(this.low.indexOf(key), 1);
        this.high.push(key);
        q.priority = "high";
      }
      return;
    }
    this.queued.set(key, { priority, since: this.clock.now() });
    (priority === "high" ? this.high : this.low).push(key);
    this.pump();
  }

  /** Queue a key after `ms`; an earlier pending time for the same key wins. */
  addAfter(key: string, ms: number, priority: Priority = "high"): void {
    if (this.closed) return;
    if (ms <= 0) return this.add(key, priority);
    const at = this.clock.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    pending?.cancel();
    const cancel = this.clock.setTimer(
      () => {
        this.timers.delete(key);
        this.add(key, priority);
      },
      ms,
      { keepAlive: false },
    );
    this.timers.set(key, { at, cancel });
  }

  /** Re-queue a failed key with backoff; returns the delay used. */
  retry(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.max(Math.min(this.base * 2 ** n, this.max), this.bucket.take());
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded (or gave up): its next failure starts from the base delay again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times in a row `key` has failed (0 after a success). */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Drop a pending delayed add (the object is gone). */
  cancel(key: string): void {
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  /** Keys queued, being processed, and waiting for a delayed add. */
  stats(): QueueStats {
    return { depth: this.queued.size, processing: this.processing.size, waiting: this.timers.size };
  }

  /** Start processing with `worker`. Errors thrown by the worker are emitted as "failure". */
  start(worker: Worker): void {
    this.worker = worker;
    this.pump();
  }

  /** Stop taking keys; resolve when in-flight work finishes (or after `timeoutMs`). */
  async shutdown(timeoutMs = 30_000): Promise<boolean> {
    this.closed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    if (this.processing.size === 0) return true;
    let cancel = () => {};
    const drained = await Promise.race([
      new Promise<boolean>((r) => this.idle.push(() => r(true))),
      new Promise<boolean>((r) => (cancel = this.clock.setTimer(() => r(false), timeoutMs))),
    ]);
    cancel();
    return drained;
  }

  private next(): string | undefined {
    return this.high.shift() ?? this.low.shift();
  }

  private pump(): void {
    if (!this.worker || this.closed) return;
    while (this.processing.size < this.concurrency) {
      const key = this.next();
      if (key === undefined) return;
      const q = this.queued.get(key)!;
      this.queued.delete(key);
      this.processing.add(key);
      this.emit("dequeue", key, this.clock.now() - q.since);
      void this.runOne(key);
    }
  }

  private async runOne(key: string): Promise<void> {
    try {
      await this.worker!(key);
    } catch (e) {
      this.emit("failure", e, key);
    } finally {
      this.processing.delete(key);
      const again = this.dirty.get(key);
      this.dirty.delete(key);
      if (this.closed) {
        if (this.processing.size === 0) for (const r of this.idle.splice(0)) r();
      } else {
        if (again) this.add(key, again);
        this.pump();
      }
    }
  }
}
