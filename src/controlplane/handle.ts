/**
 * `startControlPlane()`: the library entry point used by tests, the demo and `capstan dev`.
 *
 * Guarantees: when the promise resolves, the API is ready (`/readyz` ok) and the `default`
 * namespace and service account exist. Every process it started is stopped by `stop()`,
 * and also — through the supervisor — when the calling process exits, is interrupted or is
 * killed outright. Caveat: a SIGKILL leaves the temporary data directory behind.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBinaries, readPin } from "./binaries.js";
import type { ClusterInfo } from "./cluster.js";
import { ControlPlaneError, errorFromData } from "./errors.js";
import type { ParentMessage, SupervisorConfig, SupervisorMessage } from "./supervisor.js";

export interface StartOptions {
  /** Data directory; a fresh temporary one by default (removed on stop). */
  dir?: string;
  /** Keep the data directory on stop. */
  keepData?: boolean;
  /** Run kube-controller-manager (default true). */
  controllerManager?: boolean;
  /** kube-controller-manager's `--controllers` list. */
  controllers?: string[];
  /** Also run kube-scheduler (Pods get bound only if some node exists). */
  scheduler?: boolean;
  apiserverExtraArgs?: string[];
  readyTimeoutMs?: number;
  /** Build progress lines (default: stderr). */
  progress?: (line: string) => void;
}

export interface ControlPlane extends ClusterInfo {
  /** Kubernetes version the binaries were built from, e.g. `v1.34.4`. */
  version: string;
  /**
   * Kill one component as a crash would (SIGKILL) and start it again after `downMs`;
   * resolves once it is healthy. For tests of what an operator does when, say,
   * kube-apiserver goes away mid-run.
   */
  restart(
    component: "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler",
    opts?: { downMs?: number },
  ): Promise<void>;
  /** Stop every process; remove the data unless `keepData`. Safe to call twice. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

const supervisorPath = () => {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), `supervisor${path.extname(here)}`);
};

/** The caller's Node flags that the supervisor needs too: module loaders (tsx when running
 * from source) and source maps — not `--eval`, `--input-type` or the test runner's flags. */
function loaderArgs(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^--(import|loader|experimental-loader|require)$/.test(a) || a === "-r") {
      out.push(a, argv[++i]!);
    } else if (
      /^--(import|loader|experimental-loader|require)=/.test(a) ||
      a === "--enable-source-maps"
    ) {
      out.push(a);
    }
  }
  return out;
}

/** Fork the supervisor and wait for its verdict. */
export function forkSupervisor(
  config: SupervisorConfig,
  opts: { detached: boolean },
): Promise<{ child: ChildProcess; info: ClusterInfo }> {
  const log = opts.detached ? openSync(path.join(config.dir, "supervisor.log"), "a") : "inherit";
  const child = fork(supervisorPath(), [JSON.stringify(config)], {
    detached: opts.detached,
    execArgv: loaderArgs(),
    stdio: ["ignore", log, log, "ipc"],
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(
        new ControlPlaneError("start", `the supervisor exited (${code}) before the API was ready`),
      );
    child.once("exit", onExit);
    child.on("message", (m: SupervisorMessage) => {
      switch (m.type) {
        case "ready":
          child.off("exit", onExit);
          resolve({ child, info: m.info });
          return;
        case "failed":
          child.off("exit", onExit);
          reject(errorFromData(m.error));
          return;
        case "stopped":
        case "restarted":
        case "restart-failed":
          return; // handled by the requests that asked for them
        default: {
          const never: never = m;
          return never;
        }
      }
    });
  });
}

export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  const bin = await ensureBinaries({ progress: opts.progress });
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), "capstan-cp-"));
  const config: SupervisorConfig = {
    dir,
    bin,
    controllers: opts.controllers,
    controllerManager: opts.controllerManager,
    scheduler: opts.scheduler,
    apiserverExtraArgs: opts.apiserverExtraArgs,
    readyTimeoutMs: opts.readyTimeoutMs,
    watchParent: true,
    keepData: opts.keepData,
  };
  const { child, info } = await forkSupervisor(config, { detached: false }).catch((e: unknown) => {
    // The error carries the failing component's last log lines; the directory is ours to remove.
    if (!opts.dir && !opts.keepData) rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  // The IPC channel alone must not keep the caller's process alive.
  child.unref();
  child.channel?.unref();
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  let stopped: Promise<void> | undefined;
  return {
    ...info,
    version: readPin().kubernetes,
    restart: (component, o = {}) =>
      new Promise<void>((resolve, reject) => {
        const onMessage = (m: SupervisorMessage) => {
          if ((m.type !== "restarted" && m.type !== "restart-failed") || m.component !== component)
            return;
          child.off("message", onMessage);
          if (m.type === "restarted") {
            info.pids[component] = m.pid;
            resolve();
          } else reject(errorFromData(m.error));
        };
        child.on("message", onMessage);
        const msg: ParentMessage = { type: "restart", component, downMs: o.downMs };
        child.send(msg);
      }),
    stop: (o = {}) =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.ref(); // keep the caller alive until the supervisor has cleaned up
          const msg: ParentMessage = { type: "stop", keepData: o.keepData ?? opts.keepData };
          if (child.connected) child.send(msg);
          else child.kill("SIGTERM");
          await exited;
        }
      })()),
  };
}
