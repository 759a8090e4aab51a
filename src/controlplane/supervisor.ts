/**
 * The supervisor: a small Node process that owns the control-plane processes.
 *
 * Why a separate process: if a test run is killed with SIGKILL it cannot clean up, and its
 * children would live on. The supervisor outlives it just long enough to notice (IPC
 * disconnect, or its parent pid changing) and stop everything it started.
 *
 * Once the control plane is ready, a component that exits is restarted by the restart
 * policy (restart-policy.ts); only when its restarts are exhausted does the supervisor stop
 * everything, keeping the data, and record why in state.json. Each restart is logged to
 * stderr (`<dir>/supervisor.log` for `capstan cluster up`).
 *
 * Protocol over the IPC channel:
 *   parent → supervisor  { type: "stop", keepData? } | { type: "restart", component, downMs? }
 *   supervisor → parent  { type: "ready", info } | { type: "failed", error } | { type: "stopped" }
 *                        | { type: "restarted", … } | { type: "restart-failed", … } | { type: "gave-up", error }
 */
import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { errorToData, type ControlPlaneErrorData } from "./errors.js";
import {
  runCluster,
  type ClusterInfo,
  type ClusterOptions,
  type RunningCluster,
} from "./cluster.js";
import { superviseRestarts, type Restarter } from "./restarter.js";
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from "./restart-policy.js";

export interface SupervisorConfig extends ClusterOptions {
  /** Stop when the parent goes away (library mode). Off for `capstan cluster up`. */
  watchParent: boolean;
  keepData?: boolean;
  /** Changes to DEFAULT_RESTART_POLICY. */
  restarts?: Partial<RestartPolicy>;
}

export type SupervisorMessage =
  | { type: "ready"; info: ClusterInfo }
  | { type: "failed"; error: ControlPlaneErrorData }
  | { type: "stopped" }
  | { type: "restarted"; component: string; pid: number; requested: boolean }
  | { type: "restart-failed"; component: string; error: ControlPlaneErrorData }
  | { type: "gave-up"; error: ControlPlaneErrorData };

export type ParentMessage =
  { type: "stop"; keepData?: boolean } | { type: "restart"; component: string; downMs?: number };

export interface StateFile extends ClusterInfo {
  supervisorPid: number;
  startedAt: string;
  version?: string;
  /** Why the supervisor stopped the control plane on its own: a component kept crashing. */
  failure?: { component: string; message: string; at: string };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as SupervisorConfig;
  const send = (m: SupervisorMessage) => {
    if (process.connected) process.send?.(m);
  };
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  let cluster: RunningCluster | undefined;
  let restarter: Restarter | undefined = undefined; // set once the control plane is ready
  let stopping: Promise<void> | undefined;
  // A shutdown during the start cancels it: the start undoes what it began (a node's bridge,
  // firewall and cgroups included), then fails, and main() exits.
  const starting = new AbortController();
  const shutdown = (keepData = config.keepData ?? false, code = 0) =>
    (stopping ??= (async () => {
      restarter?.stop();
      if (!cluster) return starting.abort();
      await cluster.stop({ keepData });
      send({ type: "stopped" });
      process.exit(code);
    })());

  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
    process.on(sig, () => void shutdown());
  process.on("message", (m: ParentMessage) => {
    switch (m.type) {
      case "stop":
        void shutdown(m.keepData);
        return;
      case "restart": {
        const failed = (e: unknown) =>
          send({ type: "restart-failed", component: m.component, error: errorToData(e) });
        if (!restarter) return failed(new Error("the control plane is not running"));
        restarter.restart(m.component, m.downMs ?? 0).catch(failed);
        return;
      }
      default: {
        const never: never = m;
        return never;
      }
    }
  });
  if (config.watchParent) {
    const parent = process.ppid;
    process.on("disconnect", () => void shutdown());
    setInterval(() => {
      if (process.ppid !== parent) void shutdown();
    }, 500).unref();
  }

  try {
    cluster = await runCluster(config, starting.signal);
  } catch (e) {
    send({ type: "failed", error: errorToData(e) });
    process.exit(1);
  }
  if (starting.signal.aborted) {
    // Shut down after the start's last check: stop what it started.
    stopping = undefined;
    return void shutdown();
  }
  const running = cluster;
  const startedAt = new Date().toISOString();
  // Written whole and renamed into place: `capstan cluster status` may read it at any time.
  const writeState = (failure?: StateFile["failure"]) => {
    const state: StateFile = { ...running.info, supervisorPid: process.pid, startedAt, failure };
    const file = path.join(running.info.dir, "state.json");
    writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
    renameSync(`${file}.tmp`, file);
  };
  for (const note of running.notes) log(note);
  writeState();
  send({ type: "ready", info: running.info });
  restarter = superviseRestarts(running, {
    policy: { ...DEFAULT_RESTART_POLICY, ...config.restarts },
    log,
    onRecovered(component, pid, requested) {
      writeState();
      send({ type: "restarted", component, pid, requested });
    },
    onGiveUp(error) {
      // A half-alive control plane would only produce confusing failures later.
      log(error.message);
      writeState({
        component: error.component!,
        message: error.detail,
        at: new Date().toISOString(),
      });
      send({ type: "gave-up", error: errorToData(error) });
      void shutdown(true, 1);
    },
  });
  // Keep the event loop alive while the components run.
  setInterval(() => undefined, 1 << 30);
}

void main();
