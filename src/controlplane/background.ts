/**
 * The background cluster behind `capstan cluster up|status|down`: one per state directory,
 * owned by a detached supervisor whose pid and component pids are recorded in `state.json`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureBinaries, readPin } from "./binaries.js";
import { ControlPlaneError } from "./errors.js";
import { forkSupervisor, type StartOptions } from "./handle.js";
import { defaultStateDir } from "./paths.js";
import type { StateFile } from "./supervisor.js";

export type ClusterStatus =
  | { state: "stopped"; dir: string }
  | { state: "running"; dir: string; info: StateFile; ready: boolean }
  | { state: "stale"; dir: string; info: StateFile };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A pid may have been reused since we recorded it: only treat it as ours if its command
 * line is the binary we started. */
function ours(pid: number, binaryName: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    return path.basename(cmd) === binaryName;
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

async function apiReady(info: StateFile): Promise<boolean> {
  const { probe } = await import("./probe.js");
  const pki = (n: string) => readFileSync(path.join(info.dir, "pki", n), "utf8");
  try {
    const r = await probe(`${info.server}/readyz`, {
      ca: pki("ca.crt"),
      cert: pki("admin.crt"),
      key: pki("admin.key"),
    });
    return r.status === 200;
  } catch {
    return false;
  }
}

export async function clusterStatus(dir = defaultStateDir()): Promise<ClusterStatus> {
  const info = readState(dir);
  if (!info) return { state: "stopped", dir };
  if (!alive(info.supervisorPid)) return { state: "stale", dir, info };
  return { state: "running", dir, info, ready: await apiReady(info) };
}

/** Start the background cluster, or return the one already running. */
export async function clusterUp(
  opts: Omit<StartOptions, "dir"> & { dir?: string } = {},
): Promise<{ info: StateFile; started: boolean; version: string }> {
  const dir = opts.dir ?? defaultStateDir();
  const version = readPin().kubernetes;
  const current = await clusterStatus(dir);
  if (current.state === "running") return { info: current.info, started: false, version };
  if (current.state === "stale") await clusterDown({ dir });
  const bin = await ensureBinaries({ progress: opts.progress });
  mkdirSync(dir, { recursive: true });
  const { child } = await forkSupervisor(
    {
      dir,
      bin,
      controllers: opts.controllers,
      scheduler: opts.scheduler,
      apiserverExtraArgs: opts.apiserverExtraArgs,
      readyTimeoutMs: opts.readyTimeoutMs,
      watchParent: false,
      // The supervisor never removes the data itself here: `clusterDown` decides.
      keepData: true,
    },
    { detached: true },
  );
  child.disconnect();
  child.unref();
  const info = readState(dir);
  if (!info) throw new ControlPlaneError("state", `the supervisor did not write ${dir}/state.json`);
  return { info, started: true, version };
}

/** Stop the background cluster and every process it started; remove its data unless kept. */
export async function clusterDown(
  opts: { dir?: string; keepData?: boolean } = {},
): Promise<boolean> {
  const dir = opts.dir ?? defaultStateDir();
  const info = readState(dir);
  if (!info) return false;
  if (alive(info.supervisorPid)) {
    process.kill(info.supervisorPid, "SIGTERM");
    for (let i = 0; i < 200 && alive(info.supervisorPid); i++) await sleep(100);
  }
  // Whatever the supervisor could not stop (it was killed, say) is stopped here.
  for (const [name, pid] of Object.entries(info.pids)) {
    if (alive(pid) && ours(pid, name)) process.kill(pid, "SIGKILL");
  }
  if (!opts.keepData) rmSync(dir, { recursive: true, force: true });
  else rmSync(path.join(dir, "state.json"), { force: true });
  return true;
}
