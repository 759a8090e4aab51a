/**
 * The runtime's retries (informer relists, waiting for the API server) use the client's one
 * backoff: exponential with full jitter, kube-rs' watcher defaults (800 ms doubling to 30 s),
 * reset after a success. Only the options object is the runtime's.
 */
import { exponentialBackoff, type Backoff } from "../client/backoff.js";

export type { Backoff };

/** Exponential backoff bounds: first delay and cap, in ms (default 800 ms and 30 s). */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export function backoffFrom(opts: BackoffOptions = {}): Backoff {
  return exponentialBackoff(opts.initialMs ?? 800, opts.maxMs ?? 30_000);
}
