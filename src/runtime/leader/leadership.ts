/**
 * What leader election means for a running operator (lease.ts has the protocol):
 *
 * - Standbys run their informers, so their caches stay warm, but take no work until they
 *   lead: a new leader starts reconciling at once, without a relist.
 * - Every write is fenced, once, by an interceptor on the operator's client: it refuses to
 *   write (NotLeaderError) unless the lease is fresh — whether the write comes from the
 *   runtime (status, finalizers, Events) or from user code through `ctx.client`. The only
 *   exempt path is the Lease itself.
 * - Losing the lease while running stops the operator with `LeadershipLostError` (as
 *   controller-runtime exits), so its supervisor restarts it as a clean standby.
 *
 * Caveat: a write already on the wire when the process was paused can still land; fencing
 * stops every write that starts after the lease went stale.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { KubeClient } from "../../client/client.js";
import { LeaderElector, type LeaseOptions } from "./lease.js";
import { isWrite } from "../../client/intercept.js";
import { brand } from "../../core/brand.js";

/** Leader election for an operator: the Lease's namespace and name, this replica's identity, and the timings. */
export interface LeaderElectionOptions {
  /** Namespace of the Lease (the operator's own). */
  namespace: string;
  /** Name of the Lease; every replica of one operator uses the same. */
  name: string;
  /** This replica's identity (default: $POD_NAME, else hostname_uuid as client-go does). */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/** The leader found its Lease taken: the operator stops so that a clean standby can take over. */
export class LeadershipLostError extends Error {
  override readonly name = "LeadershipLostError";
  constructor(identity: string, lease: string) {
    super(`${identity} lost the leader lease ${lease}; stopping so a new leader can take over`);
  }
}

export interface Leadership {
  elector: LeaderElector;
  identity: string;
  /** Resolves the first time this replica leads. */
  leading: Promise<void>;
  /** Remove the fence from the client (on stop). */
  unfence(): void;
}

export function defaultIdentity(): string {
  return process.env.POD_NAME || `${hostname()}_${randomUUID()}`;
}

/**
 * Campaign with `client`, and fence its writes from now on: one interceptor refuses every
 * write but the Lease's own while this replica does not hold a fresh lease.
 */
export function setUpLeadership(
  opts: LeaderElectionOptions,
  client: KubeClient,
  hooks: { onStarted(): void; onLost(): void },
): Leadership {
  const identity = opts.identity ?? defaultIdentity();
  let started!: () => void;
  const leading = new Promise<void>((r) => (started = r));
  const lease: LeaseOptions = {
    namespace: opts.namespace,
    name: opts.name,
    identity,
    leaseDurationMs: opts.leaseDurationMs,
    renewDeadlineMs: opts.renewDeadlineMs,
    retryPeriodMs: opts.retryPeriodMs,
    onStarted: () => {
      started();
      hooks.onStarted();
    },
    onStopped: () => hooks.onLost(),
  };
  const elector = new LeaderElector(client, lease);
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`;
  const unfence = client.intercept({
    before(req) {
      if (isWrite(req) && !req.path.startsWith(leasePath)) elector.fence();
    },
  });
  return { elector, identity, leading, unfence };
}

brand({ LeadershipLostError });
