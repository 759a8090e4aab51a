/**
 * The supervisor: a small Node process that owns the control-plane processes.
 *
 * Why a separate process: if a test run is killed with SIGKILL it cannot clean up, and its
 * children would live on. The supervisor outlives it just long enough to notice (IPC
 * disconnect, or its parent pid changing) and stop everything it started.
 *
 * Protocol over the IPC channel:
 *   parent → supervisor  { type: "stop", keepData? }
 *   supervisor → parent  { type: "ready", info } | { type: "failed", error } | { type: "stopped" }
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Component } from "./component.js";
import { errorToData, type ControlPlaneErrorData } from "./errors.js";
import {
  runCluster,
  type ClusterInfo,
  type ClusterOptions,
  type RunningCluster,
} from "./cluster.js";

export interface SupervisorConfig extends ClusterOptions {
  /** Stop when the parent goes away (library mode). Off for `capstan cluster up`. */
  watchParent: boolean;
  keepData?: boolean;
}

export type SupervisorMessage =
  | { type: "ready"; info: ClusterInfo }
  | { type: "failed"; error: ControlPlaneErrorData }
  | { type: "stopped" }
  | { type: "restarted"; component: string; pid: number }
  | { type: "restart-failed"; component: string; error: ControlPlaneErrorData };

export type ParentMessage =
  { type: "stop"; keepData?: boolean } | { type: "restart"; component: string; downMs?: number };

export interface StateFile extends ClusterInfo {
  supervisorPid: number;
  startedAt: string;
  version?: string;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as SupervisorConfig;
  const send = (m: SupervisorMessage) => {
    if (process.connected) process.send?.(m);
  };
  let cluster: RunningCluster | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (keepData = config.keepData ?? false) =>
    (stopping ??= (async () => {
      await cluster?.stop({ keepData });
      send({ type: "stopped" });
      process.exit(0);
    })());

  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
    process.on(sig, () => void shutdown());
  const restarting = new Set<string>();
  const watchExit = (c: Component) =>
    void c.exited.then(() => {
      if (stopping || restarting.has(c.name)) return;
      process.stderr.write(`${c.name} exited unexpectedly; stopping the control plane\n`);
      process.stderr.write(c.lastLines().join("\n") + "\n");
      void shutdown(true);
    });
  process.on("message", (m: ParentMessage) => {
    switch (m.type) {
      case "stop":
        void shutdown(m.keepData);
        return;
      case "restart":
        restarting.add(m.component);
        void cluster!.restart(m.component, { downMs: m.downMs }).then(
          (c) => {
            restarting.delete(m.component);
            watchExit(c);
            send({ type: "restarted", component: m.component, pid: c.pid });
          },
          (e: unknown) =>
            send({ type: "restart-failed", component: m.component, error: errorToData(e) }),
        );
        return;
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
    cluster = await runCluster(config);
  } catch (e) {
    send({ type: "failed", error: errorToData(e) });
    process.exit(1);
  }
  const state: StateFile = {
    ...cluster.info,
    supervisorPid: process.pid,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(path.join(cluster.info.dir, "state.json"), JSON.stringify(state, null, 2));
  send({ type: "ready", info: cluster.info });
  // A component that dies on its own takes the cluster down with it: a half-alive control
  // plane would only produce confusing failures later.
  for (const c of cluster.components) watchExit(c);
  // Keep the event loop alive while the components run.
  setInterval(() => undefined, 1 << 30);
}

void main();
