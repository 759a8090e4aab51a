/**
 * Leader election on a coordination.k8s.io/v1 Lease, with controller-runtime's defaults
 * (15 s lease, 10 s renew deadline, 2 s retry period).
 *
 * The protocol as a state machine:
 *   follower ──(lease free or expired, our update wins)──► leader
 *   leader ──(renewed within renewDeadline)──► leader
 *   leader ──(renew failed past renewDeadline, or stop)──► follower / released
 *
 * Guarantees:
 * - At most one holder at a time, as far as the API server's optimistic concurrency can
 *   ensure: every acquire and renew is a PUT carrying the resourceVersion it read.
 * - `isLeader()` turns false as soon as the last successful renew is older than
 *   `renewDeadline`, even if this process was paused (SIGSTOP, GC, a frozen VM) and never
 *   noticed losing the lease; writes are fenced on it (see `fence`). Because renewDeadline <
 *   leaseDuration, the old leader stops writing before anyone else may acquire.
 * - On `release()` (clean shutdown) the lease is given up at once, and a standby takes it
 *   within milliseconds: every candidate watches its Lease and tries at once when it sees
 *   the holder cleared (or the Lease deleted), not on its next retry. The retry period stays
 *   the fallback — for an expired lease (a killed holder writes nothing to watch), and
 *   whenever the watch is down or forbidden.
 * Assumptions: clocks on candidates advance at similar rates (expiry is judged by the local
 *   time at which a lease change was observed, as client-go does, not by comparing clocks).
 */
import type { KubeClient } from "../../client/client.js";
import { ForbiddenError, NotFoundError } from "../../client/errors.js";
import type { NamedRef } from "../kind.js";
import { sleep } from "../sleep.js";
import { brand } from "../../core/brand.js";

/** A `LeaderElector`'s Lease, identity, timings (controller-runtime's defaults) and callbacks. */
export interface LeaseOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Called when this replica becomes the leader. */
  onStarted?: () => void;
  /** Called when this replica stops leading. */
  onStopped?: () => void;
}

interface LeaseObject {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

type State =
  | { role: "follower"; observedRv?: string; observedAt: number }
  | { role: "leader"; renewedAt: number }
  | { role: "stopped" };

const microTime = () => new Date().toISOString().replace(/Z$/, "000Z");

/** Competes for a `coordination.k8s.io/v1` Lease; `isLeader()` is false as soon as the last renew is older than the renew deadline. */
export class LeaderElector {
  private state: State = { role: "follower", observedAt: 0 };
  private readonly duration: number;
  private readonly deadline: number;
  private readonly retry: number;
  /** Set when the watch saw the Lease released; consumed by the next pause. */
  private released = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: LeaseOptions,
  ) {
    this.duration = opts.leaseDurationMs ?? 15_000;
    this.deadline = opts.renewDeadlineMs ?? 10_000;
    this.retry = opts.retryPeriodMs ?? 2_000;
  }

  /** True only while our last renew is fresher than the renew deadline. */
  isLeader(): boolean {
    return this.state.role === "leader" && Date.now() - this.state.renewedAt < this.deadline;
  }

  /** Throws unless we lead: call before every write a leader-only controller makes. */
  fence(): void {
    if (!this.isLeader()) throw new NotLeaderError(this.opts.identity);
  }

  /** Campaign and renew until `signal` aborts; then release the lease. */
  async run(signal: AbortSignal): Promise<void> {
    // `leading` is what we last announced; `isLeader()` is judged by the clock, so a process
    // that wakes from a pause finds it already false and must still announce the loss.
    let leading = false;
    const watching = this.watchReleases(signal);
    while (!signal.aborted) {
      await this.tick().catch(() => undefined);
      const isLeader = this.isLeader();
      if (!leading && isLeader) {
        leading = true;
        this.opts.onStarted?.();
      } else if (leading && !isLeader) {
        leading = false;
        if (this.state.role === "leader") this.state = { role: "follower", observedAt: 0 };
        this.opts.onStopped?.();
      }
      await this.pause(signal);
    }
    await this.release(leading);
    await watching;
  }

  /** Wait one retry period, or less when the Lease is seen released meanwhile. */
  private async pause(signal: AbortSignal): Promise<void> {
    if (this.released) {
      this.released = false;
      return;
    }
    const woken = new AbortController();
    this.wake = () => woken.abort();
    await sleep(this.retry, AbortSignal.any([signal, woken.signal]));
    this.wake = undefined;
    this.released = false;
  }

  /**
   * Watch the Lease and cut the current pause short when it is released (holder cleared)
   * or deleted. Reconnects on its own; a watch that is forbidden (an RBAC rule without
   * `watch`) is given up, leaving the retry period to find the release.
   */
  private async watchReleases(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        for await (const ev of this.client.watch<NamedRef, LeaseObject>(this.ref(), { signal })) {
          const free = ev.type === "DELETED" || !ev.object.spec?.holderIdentity;
          if (ev.type === "BOOKMARK" || !free || this.state.role !== "follower") continue;
          this.released = true;
          this.wake?.();
        }
      } catch (e) {
        if (e instanceof ForbiddenError) return;
      }
      await sleep(this.retry, signal);
    }
  }

  private ref() {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      namespace: this.opts.namespace,
      name: this.opts.name,
    };
  }

  private async tick(): Promise<void> {
    const lease = await this.read();
    const now = Date.now();
    if (!lease) {
      await this.client.create<LeaseObject>({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec: this.holding(0, microTime()),
      });
      this.state = { role: "leader", renewedAt: now };
      return;
    }
    const ours = lease.spec.holderIdentity === this.opts.identity;
    const rv = lease.metadata.resourceVersion;
    switch (this.state.role) {
      case "stopped":
        return;
      case "follower":
        if (rv !== this.state.observedRv)
          this.state = { role: "follower", observedRv: rv, observedAt: now };
        break;
      case "leader":
        break;
      default: {
        const never: never = this.state;
        return never;
      }
    }
    const free = !lease.spec.holderIdentity;
    if (this.state.role === "leader" && !ours && !free) {
      // Someone else holds it now (we were paused past expiry): step down at once.
      this.state = { role: "follower", observedRv: rv, observedAt: now };
      return;
    }
    const expired = this.state.role === "follower" && now - this.state.observedAt > this.duration;
    if (!ours && !free && !expired) return;
    const transitions = (lease.spec.leaseTransitions ?? 0) + (ours ? 0 : 1);
    const acquire = ours && lease.spec.acquireTime ? lease.spec.acquireTime : microTime();
    await this.client.replace<LeaseObject>({ ...lease, spec: this.holding(transitions, acquire) });
    this.state = { role: "leader", renewedAt: now };
  }

  /** The Lease, or undefined when there is none yet. */
  private async read(): Promise<LeaseObject | undefined> {
    try {
      return await this.client.get<NamedRef, LeaseObject>(this.ref());
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  private holding(transitions: number, acquireTime: string): LeaseObject["spec"] {
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.duration / 1000),
      acquireTime,
      renewTime: microTime(),
      leaseTransitions: transitions,
    };
  }

  /** Give the lease up (if we hold it) so a standby can take over immediately. */
  async release(announced = true): Promise<void> {
    const was = this.isLeader();
    this.state = { role: "stopped" };
    if (!was) return;
    const lease = await this.read().catch(() => undefined);
    if (lease?.spec.holderIdentity !== this.opts.identity) return;
    await this.client
      .replace<LeaseObject>({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: null,
          renewTime: null,
          acquireTime: null,
          leaseDurationSeconds: 1,
        },
      })
      .catch(() => undefined);
    if (announced) this.opts.onStopped?.();
  }
}

/** A write refused because this replica is not (or no longer surely) the leader. */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
  constructor(identity: string) {
    super(`${identity} is not the leader (or its lease is no longer fresh): refusing to write`);
  }
}

brand({ NotLeaderError });
