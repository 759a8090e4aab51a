/**
 * What ends an operator's run: the caller's signal, SIGTERM/SIGINT when asked, and a lost
 * leader lease. Each aborts the run's one AbortController, which every watch, request and
 * reconcile of the run listens to; a lost lease is also kept, for `run()` to reject with.
 */
import { setMaxListeners } from "node:events";
import type { KubeClient } from "../../client/client.js";
import {
  LeadershipLostError,
  setUpLeadership,
  type LeaderElectionOptions,
  type Leadership,
} from "../leader/leadership.js";
import type { Logger } from "../log.js";
import type { OperatorMetrics } from "./metrics.js";

/** The run's abort controller, and `dispose()` to stop listening to process signals. */
export interface Stopper {
  readonly abort: AbortController;
  dispose(): void;
}

/** An abort controller that `signal` and, with `handleSignals`, SIGTERM/SIGINT abort. */
export function stopOn(
  opts: { signal?: AbortSignal; handleSignals?: boolean },
  log: Logger,
): Stopper {
  const abort = new AbortController();
  // Every watch (kinds × namespaces) and every request in flight listens to this one
  // signal; past Node's default of 10 it would warn of a leak that is not one.
  setMaxListeners(0, abort.signal);
  opts.signal?.addEventListener("abort", () => abort.abort(), { once: true });
  const onSignal = (sig: NodeJS.Signals) => {
    log.info({ signal: sig }, "stopping: no new work, finishing what is in flight");
    abort.abort();
  };
  if (opts.handleSignals) {
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }
  return {
    abort,
    dispose() {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    },
  };
}

/** A run's leadership, and the error of losing it while running, if it was lost. */
export interface RunLeadership {
  readonly leadership: Leadership;
  lost(): LeadershipLostError | undefined;
}

/**
 * Leader election for a run: the `leader` metric and a log line on each change; losing
 * the lease while running aborts the run (as controller-runtime exits) — not when the run
 * is already stopping and released it.
 */
export function leadRun(
  le: LeaderElectionOptions,
  client: KubeClient,
  run: { abort: AbortController; metrics: OperatorMetrics; log: Logger },
): RunLeadership {
  const lease = `${le.namespace}/${le.name}`;
  let lost: LeadershipLostError | undefined;
  const leadership: Leadership = setUpLeadership(le, client, {
    onStarted: () => {
      run.metrics.leader.set({ name: lease }, 1);
      run.log.info({ lease, identity: leadership.identity }, "became the leader");
    },
    onLost: () => {
      run.metrics.leader.set({ name: lease }, 0);
      if (run.abort.signal.aborted) return;
      lost = new LeadershipLostError(leadership.identity, lease);
      run.log.error({ lease }, lost.message);
      run.abort.abort();
    },
  });
  run.metrics.leader.set({ name: lease }, 0);
  return { leadership, lost: () => lost };
}
