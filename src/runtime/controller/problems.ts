/**
 * What a controller tells the health endpoint, decided from its informers' stats and its
 * in-flight reconciles at a given `now` (pure): why it is unhealthy (/healthz), and what it
 * still waits for before it is ready (/readyz).
 */
import type { InformerStats } from "../watch/informer.js";

export interface WatchedCache {
  readonly name: string;
  readonly hasSynced: boolean;
  readonly stats: Pick<InformerStats, "startedAt" | "lastProgressAt" | "lastError">;
}

export interface ProblemLimits {
  /** A synced watch silent this long is stalled. */
  stallAfterMs: number;
  /** A reconcile running this long is stuck. */
  stuckAfterMs: number;
  /** A cache not synced this long after it started is a fault, not a wait. */
  syncTimeoutMs: number;
}

/**
 * Why this controller is unhealthy, if it is: an informer that synced and then heard
 * nothing (no list, event or bookmark) for `stallAfterMs`, a cache not synced after
 * `syncTimeoutMs` (with the list's last error), or a reconcile running longer than
 * `stuckAfterMs`.
 */
export function controllerProblems(
  c: { name: string; kind: string; caches: readonly WatchedCache[]; inFlight: Map<string, number> },
  now: number,
  o: ProblemLimits,
): string[] {
  const out: string[] = [];
  for (const i of c.caches) {
    const trying = now - i.stats.startedAt;
    // A list that keeps failing (a missing RBAC rule, a kind not served) retries forever by
    // design; past the timeout that is a fault the probe must show, with the last error.
    if (!i.hasSynced && i.stats.startedAt > 0 && trying > o.syncTimeoutMs)
      out.push(
        `controller ${c.name}: cache of ${i.name} not synced after ${Math.round(trying / 1000)} s${
          i.stats.lastError ? `: ${i.stats.lastError}` : ""
        }`,
      );
    const silent = now - i.stats.lastProgressAt;
    if (i.hasSynced && silent > o.stallAfterMs)
      out.push(
        `controller ${c.name}: watch of ${i.name} stalled (nothing heard for ${Math.round(silent / 1000)} s)`,
      );
  }
  for (const [key, since] of c.inFlight)
    if (now - since > o.stuckAfterMs)
      out.push(
        `controller ${c.name}: reconcile of ${c.kind} ${key} running for ${Math.round((now - since) / 1000)} s`,
      );
  return out;
}

/**
 * Why this controller is not ready yet, or undefined once every cache has synced: the caches
 * still listing, each with the error its last list failed with (a CRD not installed yet, a
 * missing RBAC rule), so /readyz names what the operator waits for.
 */
export function notSynced(c: {
  name: string;
  caches: readonly WatchedCache[];
}): string | undefined {
  const waiting = c.caches.filter((i) => !i.hasSynced);
  if (!waiting.length) return undefined;
  const each = waiting.map((i) => `${i.name}${i.stats.lastError ? ` (${i.stats.lastError})` : ""}`);
  return `controller ${c.name}: waiting for the cache of ${each.join(", ")} to sync`;
}
