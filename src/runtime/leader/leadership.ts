/**
 * What leader election means for a running operator (lease.ts has the protocol):
 *
 * - Standbys run their informers, so their caches stay warm, but take no work until they
 *   lead: a new leader starts reconciling at once, without a relist.
 * - Every write is fenced: the runtime's port and the client's transport both refuse to
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
import type { RuntimePort } from "../port.js";
import { brand } from "../../core/brand.js";

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
  /** The port to give controllers: its writes are fenced. */
  port: RuntimePort;
  /** Remove the client's fence (on stop). */
  unfence(): void;
}

export function defaultIdentity(): string {
  return process.env.POD_NAME || `${hostname()}_${randomUUID()}`;
}

export function setUpLeadership(
  opts: LeaderElectionOptions,
  port: RuntimePort,
  client: KubeClient | undefined,
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
  const elector = new LeaderElector(port, lease);
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`;
  const previous = client?.http.writeGuard;
  if (client) {
    client.http.writeGuard = (o) => {
      previous?.(o);
      if (!o.path.startsWith(leasePath)) elector.fence();
    };
  }
  const fenced =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      elector.fence();
      return f(...a);
    };
  return {
    elector,
    identity,
    leading,
    port: {
      ...port,
      mergePatch: fenced(port.mergePatch.bind(port)) as RuntimePort["mergePatch"],
      create: fenced(port.create.bind(port)) as RuntimePort["create"],
      replace: fenced(port.replace.bind(port)) as RuntimePort["replace"],
      events: {
        create: fenced(port.events.create.bind(port.events)),
        patchSeries: fenced(port.events.patchSeries.bind(port.events)),
      },
    },
    unfence: () => {
      if (client) client.http.writeGuard = previous;
    },
  };
}

brand({ LeadershipLostError });
