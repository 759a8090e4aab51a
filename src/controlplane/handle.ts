/**
 * `startControlPlane()`: the library entry point used by tests, the demo and `capstan dev`.
 *
 * Guarantees: when the promise resolves, the API is ready (`/readyz` ok) and the `default`
 * namespace and service account exist. A component that crashes later is restarted with
 * the same data, port and certificates (restart-policy.ts); if it keeps crashing, every
 * process is stopped and `stopped` resolves with the reason. Every process it started is
 * stopped by `stop()`, and also — through the supervisor — when the calling process exits,
 * is interrupted or is killed outright. Caveat: a SIGKILL leaves the temporary data
 * directory behind.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBinaries, readPin } from "./binaries.js";
import type { ClusterInfo } from "./cluster.js";
import { ControlPlaneError, errorFromData } from "./errors.js";
import { ensureNodeBinaries } from "./node/binaries.js";
import { nodeUnavailable } from "./node/preflight.js";
import type { RestartPolicy } from "./restart-policy.js";
import type { ParentMessage, SupervisorConfig, SupervisorMessage } from "./supervisor.js";

export interface StartOptions {
  /** Data directory; a fresh temporary one by default (removed on stop). A directory that
   * already holds a cluster is resumed on its data. */
  dir?: string;
  /** Keep the data directory on stop. */
  keepData?: boolean;
  /** Run kube-controller-manager (default true). */
  controllerManager?: boolean;
  /** kube-controller-manager's `--controllers` list. */
  controllers?: string[];
  /** Also run kube-scheduler (Pods get bound only if some node exists). */
  scheduler?: boolean;
  /**
   * Also run a real node — containerd, runc, CNI and the kubelet, built once per pin — so
   * that Pods run; resolves once the Node is Ready. Linux and root only: elsewhere this
   * fails at once, in one line saying why. Implies `scheduler`.
   */
  node?: boolean;
  apiserverExtraArgs?: string[];
  readyTimeoutMs?: number;
  /** Changes to how crashed components are restarted (DEFAULT_RESTART_POLICY: 5 restarts
   * within 10 min, backoff from 1 s doubling to 30 s). */
  restarts?: Partial<RestartPolicy>;
  /** Build progress lines (default: stderr; one updating line on a terminal). */
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
    component:
      | "etcd"
      | "kube-apiserver"
      | "kube-controller-manager"
      | "kube-scheduler"
      | "containerd"
      | "kubelet"
      | "kube-proxy",
    opts?: { downMs?: number },
  ): Promise<void>;
  /** Stop every process; remove the data unless `keepData`. Safe to call twice. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /**
   * Resolves once the supervisor has stopped every process: with `undefined` after `stop()`,
   * with the error naming the component, its exit and its log when one kept crashing.
   */
  stopped: Promise<ControlPlaneError | undefined>;
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
        case "gave-up":
          return; // handled by startControlPlane once it is ready
        default: {
          const never: never = m;
          return never;
        }
      }
    });
  });
}

/** The node's binaries when a node is asked for, after checking this machine can run one. */
export async function nodeOption(
  opts: Pick<StartOptions, "node" | "progress" | "controllerManager">,
): Promise<SupervisorConfig["node"]> {
  if (!opts.node) return undefined;
  const why =
    nodeUnavailable() ??
    (opts.controllerManager === false
      ? "a node needs kube-controller-manager: its node-lifecycle controller removes the " +
        "not-ready taint the kubelet registers with"
      : undefined);
  if (why) throw new ControlPlaneError("start", why, { component: "node" });
  return { bin: await ensureNodeBinaries({ progress: opts.progress }) };
}

export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  const node = await nodeOption(opts);
  const bin = await ensureBinaries({ progress: opts.progress });
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), "capstan-cp-"));
  const config: SupervisorConfig = {
    dir,
    bin,
    controllers: opts.controllers,
    controllerManager: opts.controllerManager,
    scheduler: opts.scheduler,
    node,
    apiserverExtraArgs: opts.apiserverExtraArgs,
    readyTimeoutMs: opts.readyTimeoutMs,
    restarts: opts.restarts,
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
  let failure: ControlPlaneError | undefined;
  child.on("message", (m: SupervisorMessage) => {
    if (m.type === "restarted") info.pids[m.component] = m.pid;
    if (m.type === "gave-up") failure = errorFromData(m.error);
  });
  const stoppedPromise = new Promise<ControlPlaneError | undefined>((r) =>
    child.once("exit", () => r(failure)),
  );
  let stopped: Promise<void> | undefined;
  return {
    ...info,
    version: readPin().kubernetes,
    stopped: stoppedPromise,
    restart: (component, o = {}) =>
      new Promise<void>((resolve, reject) => {
        const onMessage = (m: SupervisorMessage) => {
          if (m.type === "restarted" && m.component === component && m.requested) resolve();
          else if (m.type === "restart-failed" && m.component === component)
            reject(errorFromData(m.error));
          else return;
          child.off("message", onMessage);
        };
        child.on("message", onMessage);
        const msg: ParentMessage = { type: "restart", component, downMs: o.downMs };
        child.send(msg);
      }),
    stop: (o = {}) =>
      (stopped ??= (async () => {
        const keepData = o.keepData ?? opts.keepData;
        if (child.exitCode === null && child.signalCode === null) {
          child.ref(); // keep the caller alive until the supervisor has cleaned up
          const msg: ParentMessage = { type: "stop", keepData };
          if (child.connected) child.send(msg);
          else child.kill("SIGTERM");
          await stoppedPromise;
        } else if (!keepData) {
          // It gave up on a crashing component and kept the data for its logs; the caller
          // now says it is done with them.
          rmSync(dir, { recursive: true, force: true });
        }
      })()),
  };
}
