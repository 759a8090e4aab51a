/**
 * How an operator is configured (`new Operator(options)`) and the start-up step `run()`
 * accepts. Types only: operator.ts reads them.
 */
import type { KubeClient } from "../../client/client.js";
import type { LeaderElectionOptions } from "../leader/leadership.js";
import type { Logger } from "../log.js";
import type { WatchTuning } from "../watch/source.js";
import type { WebhookServeOptions } from "../webhooks/options.js";
import type { OperatorMetrics } from "./metrics.js";

/** The health endpoint's port and the limits after which /healthz fails. */
export interface HealthOptions {
  /** 0 picks a free port (see `Operator.healthPort`). */
  port: number;
  host?: string;
  /** A synced watch silent this long fails /healthz (default 5 min: bookmarks come each minute). */
  stallAfterMs?: number;
  /** A reconcile running this long fails /healthz (default 10 min). */
  stuckAfterMs?: number;
  /**
   * A cache not synced this long after start fails /healthz, naming the list's last error —
   * a Forbidden names the missing RBAC rule (default 2 min, controller-runtime's
   * CacheSyncTimeout).
   */
  syncTimeoutMs?: number;
}

/** An operator's client, name, namespaces, health endpoint, leader election, metrics and watch tuning. */
export interface OperatorOptions {
  /**
   * Every read and write of the operator goes through this client (given to reconcile
   * functions and handlers as `ctx.client`); while it runs, the operator intercepts it.
   */
  client: KubeClient;
  /** The field manager of every write the operator makes (default: the client's). */
  name?: string;
  log?: Logger;
  /** Namespaces to watch (default: all). */
  namespaces?: string[];
  drainTimeoutMs?: number;
  /** Serve /healthz, /readyz and /metrics. */
  health?: HealthOptions;
  /** Reconcile only while holding this Lease. */
  leaderElection?: LeaderElectionOptions;
  /** The registry to record into (default: a new one per operator). */
  metrics?: OperatorMetrics;
  /** Watch stream timeouts (default: the client's). */
  watch?: WatchTuning;
  /** Serve the admission handlers (`op.admission`) and, with `register`, register them. */
  webhooks?: WebhookServeOptions;
}

/**
 * Work before the controllers start, such as waiting for the API server or a CRD. It tells
 * /readyz what it is waiting for, and stops when `signal` aborts.
 */
export type Startup = (s: {
  signal: AbortSignal;
  waitingFor(reason: string): void;
}) => Promise<void>;
