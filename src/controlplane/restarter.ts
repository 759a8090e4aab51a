/**
 * Carries out the restart policy (restart-policy.ts) against a running cluster's processes:
 * feeds each component's exits, timers and health checks to its state machine and performs
 * the effects it asks for — kill, wait, respawn, log, answer, give up.
 *
 * Runs in the supervisor once the control plane is ready; exits during start-up are
 * runCluster's to report.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RunningCluster } from "./cluster.js";
import type { Component } from "./component.js";
import { ControlPlaneError } from "./errors.js";
import {
  crashedMessage,
  gaveUpMessage,
  initialState,
  step,
  type ComponentEvent,
  type ComponentState,
  type Effect,
  type RestartPolicy,
} from "./restart-policy.js";

export interface RestarterOptions {
  policy: RestartPolicy;
  /** How long a respawned component has to become healthy before it is killed. */
  healthTimeoutMs?: number;
  log(line: string): void;
  /** A component runs and is healthy again after a crash or a requested restart. */
  onRecovered(name: string, pid: number, requested: boolean): void;
  /** A component's restarts are exhausted: the caller stops the control plane. */
  onGiveUp(error: ControlPlaneError): void;
}

export interface Restarter {
  /** Kill `name` as a crash would, start it again after `downMs`; resolves with the new pid
   * once it is healthy. */
  restart(name: string, downMs: number): Promise<number>;
  /** The control plane is being stopped: exits from now on are expected. */
  stop(): void;
}

export function superviseRestarts(cluster: RunningCluster, opts: RestarterOptions): Restarter {
  const states = new Map<string, ComponentState>();
  const requests = new Map<number, { resolve(pid: number): void; reject(e: Error): void }>();
  let nextRequest = 0;
  const current = (name: string) => cluster.components.find((c) => c.name === name)!;

  const dispatch = (name: string, event: ComponentEvent) => {
    const proc = current(name);
    const { state, effects } = step(states.get(name)!, event, Date.now(), opts.policy);
    states.set(name, state);
    for (const effect of effects) perform(proc, effect);
  };
  const watch = (c: Component) =>
    void c.exited.then((exit) => {
      if (current(c.name) === c) dispatch(c.name, { type: "exited", exit });
    });
  const awaitHealthy = async (c: Component) => {
    const deadline = Date.now() + (opts.healthTimeoutMs ?? 60_000);
    for (;;) {
      const ok = await cluster.healthy(c.name);
      if (!c.alive || current(c.name) !== c) return; // its exit is reported by `watch`
      if (ok) return dispatch(c.name, { type: "healthy" });
      if (Date.now() > deadline) return dispatch(c.name, { type: "unhealthy" });
      await sleep(200);
    }
  };

  function perform(proc: Component, e: Effect): void {
    const who = { name: proc.name, pid: proc.pid, logFile: cluster.logFile(proc.name) };
    switch (e.type) {
      case "kill":
        opts.log(
          e.why === "requested"
            ? `${who.name} (pid ${who.pid}): restart requested; killing it`
            : `${who.name} (pid ${who.pid}) was not healthy within ` +
                `${(opts.healthTimeoutMs ?? 60_000) / 1000} s; killing it; its log: ${who.logFile}`,
        );
        void proc.kill();
        return;
      case "wait":
        setTimeout(() => dispatch(proc.name, { type: "waited" }), e.ms);
        return;
      case "spawn": {
        const c = cluster.respawn(proc.name);
        watch(c);
        void awaitHealthy(c);
        return;
      }
      case "crashed":
        opts.log(crashedMessage(who, e));
        return;
      case "recovered":
        opts.log(`${who.name} is running and healthy again (pid ${who.pid})`);
        opts.onRecovered(who.name, who.pid, e.requested);
        return;
      case "answer": {
        const r = requests.get(e.id);
        requests.delete(e.id);
        if (e.error === undefined) r?.resolve(proc.pid);
        else r?.reject(new ControlPlaneError("restart", e.error, { component: proc.name }));
        return;
      }
      case "give-up":
        opts.onGiveUp(
          new ControlPlaneError("restart", gaveUpMessage(who, e, opts.policy), {
            component: who.name,
            logTail: proc.lastLines(),
          }),
        );
        return;
      default: {
        const never: never = e;
        return never;
      }
    }
  }

  for (const c of cluster.components) {
    states.set(c.name, initialState());
    watch(c);
  }
  return {
    restart: (name, downMs) =>
      new Promise<number>((resolve, reject) => {
        if (!states.has(name))
          return reject(new ControlPlaneError("restart", `no component named ${name}`));
        const id = nextRequest++;
        requests.set(id, { resolve, reject });
        dispatch(name, { type: "restart", id, downMs });
      }),
    stop: () => {
      for (const name of states.keys()) dispatch(name, { type: "stop" });
    },
  };
}
