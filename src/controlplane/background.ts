/**
 * The background cluster behind `capstan cluster up|status|down`: one per state directory,
 * owned by a detached supervisor whose pid and component pids are recorded in `state.json`.
 *
 * Guarantees: `clusterUp` never deletes data. On a directory whose supervisor is gone (it
 * was killed, or gave up on a crashing component) it stops the processes left behind and
 * resumes the cluster on its etcd data and certificates; if that fails, the data stays and
 * the error names the commands to retry or to delete it. Only `clusterDown` deletes, and it
 * reports what it stopped and deleted.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureBinaries, readPin } from "./binaries.js";
import { holdsCluster, recordedServer } from "./clusterdir.js";
import { ControlPlaneError } from "./errors.js";
import { forkSupervisor, nodeOption, type StartOptions } from "./handle.js";
import { nodeStateDir, teardownNode } from "./node/teardown.js";
import { defaultStateDir } from "./paths.js";
import type { StateFile } from "./supervisor.js";

/** A background cluster's state, as `capstan cluster status` shows it. */
export type ClusterStatus =
  | { state: "stopped"; dir: string; hasData: boolean }
  | { state: "running"; dir: string; info: StateFile; ready: boolean; nodeReady?: boolean }
  /** Its supervisor is gone without stopping it (killed): processes may be left behind. */
  | { state: "stale"; dir: string; info: StateFile }
  /** Its supervisor gave up on a component that kept crashing and stopped everything. */
  | { state: "failed"; dir: string; info: StateFile; failure: NonNullable<StateFile["failure"]> };

/** What the directory holds besides processes, for messages that say what is kept or deleted. */
export const DATA_DESCRIPTION = "etcd data, certificates, kubeconfigs and logs";

/** Alive and not a zombie: an orphan killed here is reaped by init, maybe not at once. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** A pid may have been reused since we recorded it: only treat it as ours if it runs the
 * binary we started, for this directory. */
function ours(pid: number, binaryName: string, dir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return path.basename(argv[0] ?? "") === binaryName && argv.some((a) => a.includes(dir));
  } catch {
    return false;
  }
}

function readState(dir: string): StateFile | undefined {
  const f = path.join(dir, "state.json");
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, "utf8")) as StateFile;
  } catch (e) {
    throw new ControlPlaneError("state", `cannot read ${f}`, { cause: e });
  }
}

/** GET `apiPath` with the admin identity; undefined when the API does not answer. */
async function adminGet(info: StateFile, apiPath: string) {
  const { probe } = await import("./probe.js");
  const pki = (n: string) => readFileSync(path.join(info.dir, "pki", n), "utf8");
  try {
    return await probe(`${info.server}${apiPath}`, {
      ca: pki("ca.crt"),
      cert: pki("admin.crt"),
      key: pki("admin.key"),
    });
  } catch {
    return undefined;
  }
}

const apiReady = async (info: StateFile) => (await adminGet(info, "/readyz"))?.status === 200;

async function nodeReady(info: StateFile, name: string): Promise<boolean> {
  const r = await adminGet(info, `/api/v1/nodes/${name}`);
  if (r?.status !== 200) return false;
  const node = JSON.parse(r.body) as {
    status?: { conditions?: { type: string; status: string }[] };
  };
  return !!node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
}

/** The state of the background cluster in `dir` (default: the per-user state directory). */
export async function clusterStatus(dir = defaultStateDir()): Promise<ClusterStatus> {
  const info = readState(dir);
  if (!info) return { state: "stopped", dir, hasData: holdsCluster(dir) };
  if (alive(info.supervisorPid)) {
    const ready = await apiReady(info);
    if (!info.node) return { state: "running", dir, info, ready };
    return { state: "running", dir, info, ready, nodeReady: await nodeReady(info, info.node) };
  }
  if (info.failure) return { state: "failed", dir, info, failure: info.failure };
  return { state: "stale", dir, info };
}

/** The recorded component processes that still run, for this directory. */
const liveComponents = (info: StateFile) =>
  Object.entries(info.pids)
    .filter(([name, pid]) => alive(pid) && ours(pid, name, info.dir))
    .map(([name, pid]) => ({ name, pid }));

/** SIGKILL processes a dead supervisor left running (they hold the ports and etcd's
 * data-dir lock) and wait until they are gone. */
async function killLeftovers(left: { pid: number }[]): Promise<void> {
  for (const { pid } of left) process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100 && left.some((p) => alive(p.pid)); i++) await sleep(50);
}

/** What `clusterUp` did: the running cluster and whether it was already running, started or resumed. */
export interface UpResult {
  info: StateFile;
  version: string;
  /** `running`: it already ran; `started`: a new cluster; `resumed`: on the existing data. */
  outcome: "running" | "started" | "resumed";
  /** On resume: the previous supervisor's record, when it left one. */
  previous?: StateFile;
  /** On resume: the server URL the cluster had; another if its port was taken meanwhile. */
  previousServer?: string;
}

/** Start the background cluster, return the one already running, or resume a stopped one. */
export async function clusterUp(
  opts: Omit<StartOptions, "dir"> & { dir?: string } = {},
): Promise<UpResult> {
  const dir = path.resolve(opts.dir ?? defaultStateDir());
  const version = readPin().kubernetes;
  const current = await clusterStatus(dir);
  if (current.state === "running") {
    if (opts.node && !current.info.node)
      throw new ControlPlaneError(
        "start",
        `the control plane in ${dir} already runs without a node; stop it with ` +
          `\`capstan cluster down --dir ${dir} --keep-data\`, then start it again with --node`,
      );
    return { info: current.info, outcome: "running", version };
  }
  const previous = current.state === "stopped" ? undefined : current.info;
  const node = await nodeOption(opts);
  if (previous) {
    await killLeftovers(liveComponents(previous));
    await teardownNode(nodeStateDir(dir));
    rmSync(path.join(dir, "state.json"), { force: true });
  }
  const previousServer = recordedServer(dir);
  const bin = await ensureBinaries({ progress: opts.progress });
  mkdirSync(dir, { recursive: true });
  const { child } = await forkSupervisor(
    {
      dir,
      bin,
      controllers: opts.controllers,
      scheduler: opts.scheduler,
      node,
      apiserverExtraArgs: opts.apiserverExtraArgs,
      readyTimeoutMs: opts.readyTimeoutMs,
      restarts: opts.restarts,
      watchParent: false,
      // The supervisor never removes the data itself here: `clusterDown` decides.
      keepData: true,
    },
    { detached: true },
  ).catch((e: unknown) => {
    if (!(e instanceof ControlPlaneError)) throw e;
    throw new ControlPlaneError(
      e.step,
      `${e.detail}\nNothing was deleted: ${dir} keeps its ${DATA_DESCRIPTION}. Once the cause is ` +
        `fixed, \`capstan cluster up --dir ${dir}\` tries again; \`capstan cluster down --dir ${dir}\` ` +
        `deletes it.`,
      { component: e.component, logTail: e.logTail, cause: e },
    );
  });
  child.disconnect();
  child.unref();
  const info = readState(dir);
  if (!info) throw new ControlPlaneError("state", `the supervisor did not write ${dir}/state.json`);
  const outcome = previousServer ? "resumed" : "started";
  return { info, outcome, previous, previousServer, version };
}

/** What `clusterDown` stopped and whether it deleted the data. */
export interface DownResult {
  dir: string;
  /** Processes stopped: the supervisor and whatever components it had left running. */
  stopped: { name: string; pid: number }[];
  /** `deleted` (the whole directory), `kept` (--keep-data) or `none` (no cluster there). */
  data: "deleted" | "kept" | "none";
}

/** Stop the background cluster and every process it started; delete its directory unless kept. */
export async function clusterDown(
  opts: { dir?: string; keepData?: boolean } = {},
): Promise<DownResult> {
  const dir = path.resolve(opts.dir ?? defaultStateDir());
  const info = readState(dir);
  const stopped: DownResult["stopped"] = [];
  if (info) {
    stopped.push(...liveComponents(info));
    if (alive(info.supervisorPid)) {
      // It stops its components itself, clients first and etcd last.
      process.kill(info.supervisorPid, "SIGTERM");
      for (let i = 0; i < 200 && alive(info.supervisorPid); i++) await sleep(100);
      stopped.push({ name: "supervisor", pid: info.supervisorPid });
    }
    // Whatever the supervisor could not stop (it was killed, say) is stopped here.
    await killLeftovers(liveComponents(info));
    await teardownNode(nodeStateDir(dir));
  }
  if (!info && !holdsCluster(dir)) return { dir, stopped, data: "none" };
  if (opts.keepData) {
    rmSync(path.join(dir, "state.json"), { force: true });
    return { dir, stopped, data: "kept" };
  }
  rmSync(dir, { recursive: true, force: true });
  return { dir, stopped, data: "deleted" };
}
