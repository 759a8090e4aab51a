/**
 * Exponential backoff with full jitter, for reconnecting watches and retrying lists
 * (kube-rs' watcher defaults: 800 ms doubling to 30 s). Reset after a success.
 */
import { randomInt } from "node:crypto";

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export class Backoff {
  private attempt = 0;
  private readonly initial: number;
  private readonly max: number;

  constructor(opts: BackoffOptions = {}) {
    this.initial = opts.initialMs ?? 800;
    this.max = opts.maxMs ?? 30_000;
  }

  /** The next delay: uniformly random in [cap/2, cap], cap doubling per attempt. */
  next(): number {
    const cap = Math.min(this.max, this.initial * 2 ** this.attempt++);
    const half = Math.floor(cap / 2);
    return half + randomInt(0, Math.max(1, cap - half + 1));
  }

  reset(): void {
    this.attempt = 0;
  }
}
