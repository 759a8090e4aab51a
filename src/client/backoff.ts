/**
 * How long to wait: the one backoff (watch reconnects, informer relists, waiting for the
 * API server) and the one token bucket (the client's request rate limit, the work queue's
 * retry rate limit) of Capstan.
 */
import { randomInt } from "node:crypto";
import { systemClock, type Clock } from "./clock.js";

/** How long to wait before the next attempt after a failure; `reset()` after a success. */
export interface Backoff {
  /** The delay before the next attempt; each call counts one more failure. */
  next(): number;
  /** A success: the next failure waits the initial delay again. */
  reset(): void;
}

/**
 * Exponential with jitter, kube-rs' watcher defaults (800 ms doubling to 30 s): a delay
 * drawn from the upper half of the current cap, so reconnecting clients spread out.
 */
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

/** A token bucket's rate: `perSecond` tokens refilled, at most `burst` held. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** `burst` tokens, refilled at `perSecond`; a token taken from an empty bucket is a debt. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  /** Take a token: the milliseconds to wait before using it (0 when one was there). */
  take(): number {
    const { perSecond, burst } = this.limit;
    const now = this.clock.now();
    this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * perSecond);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / perSecond) * 1000);
  }
}
