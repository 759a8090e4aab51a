/**
 * Whether a Deployment's rollout is done, and one progress line that says where it stands —
 * pure functions of the Deployment and its Pods, for `capstan deploy --local`.
 *
 * Ready means what `kubectl rollout status` means: the controller has seen the latest spec
 * (observedGeneration), every replica runs the new template (updatedReplicas), none of an
 * older one is left (replicas), and all are available. A Pod that is not ready is described
 * by the first thing that holds it back: its container's waiting reason (ErrImageNeverPull,
 * CrashLoopBackOff, …), a failed readiness probe, or its phase and scheduling condition.
 */
import type { Deployment } from "kubernetes-types/apps/v1.js";
import type { Pod } from "kubernetes-types/core/v1.js";

export interface Rollout {
  ready: boolean;
  /** e.g. `1/2 ready; printer-operator-5d…-x2: ContainerCreating`. */
  line: string;
}

export function rolloutState(d: Deployment, pods: readonly Pod[]): Rollout {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const seen = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1);
  const ready =
    seen &&
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want;
  const count = `${s.readyReplicas ?? 0}/${want} ready`;
  if (ready) return { ready, line: count };
  const waiting = pods
    .filter((p) => !p.metadata?.deletionTimestamp && !podReady(p))
    .map((p) => `${p.metadata?.name}: ${podHoldup(p)}`)
    .sort();
  const why = !seen
    ? ["the controller has not seen the new spec yet"]
    : waiting.length
      ? waiting
      : ["every Pod is ready; the Deployment's status has not caught up yet"];
  return { ready, line: `${count}; ${why.join("; ")}` };
}

export const podReady = (p: Pod): boolean =>
  p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** What keeps a Pod from being ready, in a few words. */
export function podHoldup(p: Pod): string {
  const st = p.status;
  for (const c of [...(st?.initContainerStatuses ?? []), ...(st?.containerStatuses ?? [])]) {
    const w = c.state?.waiting;
    const t = c.state?.terminated ?? (c.restartCount ? c.lastState?.terminated : undefined);
    const ended = t
      ? `; exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ""}, ${c.restartCount ?? 0} restarts`
      : "";
    if (w && w.reason !== "ContainerCreating" && w.reason !== "PodInitializing")
      return `${w.reason ?? "waiting"}${w.message ? ` (${w.message.split("\n")[0]})` : ""}${ended}`;
    if (c.state?.terminated) return `terminated${ended}`;
    if (w) return w.reason ?? "waiting";
    if (c.state?.running && !c.ready) return `running, not ready yet${ended}`;
  }
  const unscheduled = st?.conditions?.find((c) => c.type === "PodScheduled" && c.status !== "True");
  if (unscheduled) return `not scheduled${unscheduled.message ? ` (${unscheduled.message})` : ""}`;
  return st?.phase ?? "Pending";
}
