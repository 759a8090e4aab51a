/**
 * What a node changes on the host outside its state directory, and how each change is
 * undone: the pod bridge, the cgroups that hold the pods, processes (containerd, kubelet,
 * shims, containers), mounts and files in fixed host paths (the sysctls: sysctls.ts). Every
 * undoing function here is idempotent, so a teardown can run again after an interrupted one.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ControlPlaneError } from "../errors.js";

/** Run `ip` without a shell; throw with its message unless `allowFail`. */
export function ip(args: string[], allowFail = false): string {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0 && !allowFail)
    throw new ControlPlaneError("start", `ip ${args.join(" ")} failed: ${r.stderr.trim()}`, {
      component: "node",
    });
  return r.stdout ?? "";
}

const linkExists = (name: string) => existsSync(`/sys/class/net/${name}`);

/** The first free `capstanN` and its /24 (10.244.N.0/24), so that nodes of several local
 * clusters can run side by side. */
export function pickBridge(): { bridge: string; bridgeIp: string; subnet: string } {
  for (let n = 0; n < 250; n++) {
    if (!linkExists(`capstan${n}`))
      return { bridge: `capstan${n}`, bridgeIp: `10.244.${n}.1`, subnet: `10.244.${n}.0/24` };
  }
  throw new ControlPlaneError("start", "no free capstanN bridge name", { component: "node" });
}

export function createBridge(name: string, bridgeIp: string): void {
  ip(["link", "add", "name", name, "type", "bridge"]);
  ip(["addr", "add", `${bridgeIp}/24`, "dev", name]);
  // A Pod's connection to a Service backed by another Pod comes in on the bridge and, once
  // kube-proxy has rewritten its destination, goes out on it again: forwarded. This switch
  // covers only packets arriving on this bridge (not the host's ip_forward) and goes with it.
  writeFileSync(`/proc/sys/net/ipv4/conf/${name}/forwarding`, "1");
  ip(["link", "set", name, "up"]);
}

/** Delete the bridge and any veth still attached to it. */
export function deleteBridge(name: string): void {
  if (!linkExists(name)) return;
  const brif = `/sys/class/net/${name}/brif`;
  for (const veth of existsSync(brif) ? readdirSync(brif) : []) ip(["link", "del", veth], true);
  ip(["link", "del", name], true);
}

/** Mount points of every cgroup hierarchy: each v1 controller's (and the hybrid v2 mount),
 * or the v2 root. */
export function cgroupHierarchies(): string[] {
  if (existsSync("/sys/fs/cgroup/cgroup.controllers")) return ["/sys/fs/cgroup"];
  // With v1 hierarchies, runc also mirrors each container's cgroup in the hybrid v2 mount.
  return mounts()
    .filter((m) => m.type === "cgroup" || m.type === "cgroup2")
    .map((m) => m.point);
}

export function createCgroups(root: string): void {
  for (const h of cgroupHierarchies()) {
    const dir = path.join(h, root);
    mkdirSync(dir, { recursive: true });
    // A v1 cpuset cgroup starts with no CPUs and no memory nodes: nothing could run in it.
    for (const f of ["cpuset.cpus", "cpuset.mems"]) {
      const parent = path.join(h, f);
      if (existsSync(parent) && readFileSync(path.join(dir, f), "utf8").trim() === "")
        writeFileSync(path.join(dir, f), readFileSync(parent, "utf8"));
    }
  }
}

/** Every cgroup directory under `root` in every hierarchy, deepest first. */
function cgroupDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) walk(path.join(dir, e.name));
    out.push(dir);
  };
  for (const h of cgroupHierarchies()) if (existsSync(path.join(h, root))) walk(path.join(h, root));
  return out;
}

export function cgroupPids(root: string): number[] {
  const pids = new Set<number>();
  for (const dir of cgroupDirs(root)) {
    for (const l of readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n"))
      if (l) pids.add(Number(l));
  }
  return [...pids];
}

/** SIGKILL every process in the cgroups (the pods' containers), then remove the cgroups. */
export async function removeCgroups(root: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const pids = cgroupPids(root);
    if (pids.length === 0) break;
    for (const pid of pids) kill(pid);
    await sleep(50);
  }
  for (const dir of cgroupDirs(root)) {
    try {
      rmdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
}

const kill = (pid: number) => {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
};

/** Processes whose command line names a path under `dir` (containerd, kubelet, shims). */
export function processesUnder(dir: string): number[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  const out: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0");
      if (argv.some((a) => a.includes(prefix))) out.push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** The Unix socket paths a process has open (a killed shim leaves its socket file behind). */
function socketPaths(pid: number): string[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    }
  } catch {
    return [];
  }
  return readFileSync("/proc/net/unix", "utf8")
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && inodes.has(f[6]!) && f[7]!.startsWith("/"))
    .map((f) => f[7]!);
}

/** SIGKILL the processes, wait until they are gone, and remove the sockets they listened on
 * outside `keepUnder` (containerd's shims bind theirs under /run/containerd/s). */
export async function killProcesses(pids: number[], keepUnder: string): Promise<void> {
  const sockets = pids.flatMap(socketPaths).filter((s) => !s.startsWith(keepUnder));
  for (const pid of pids) kill(pid);
  for (let i = 0; i < 100 && pids.some((p) => existsSync(`/proc/${p}/cmdline`) && !zombie(p)); i++)
    await sleep(50);
  for (const s of sockets) rmSync(s, { force: true });
}

const zombie = (pid: number) => {
  try {
    return /^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
};

interface Mount {
  point: string;
  type: string;
}

/** /proc/mounts, with its octal escapes (`\040` for a space) decoded. */
export function mounts(): Mount[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(" "))
    .map((f) => ({ point: unescape(f[1]!), type: f[2]! }));
}

export const mountsUnder = (dir: string) =>
  mounts()
    .map((m) => m.point)
    .filter((p) => p.startsWith(`${dir}/`));

/** Unmount everything under `dir`, deepest first (lazily if a mount is still busy). */
export function unmountUnder(dir: string): void {
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir).sort((a, b) => b.length - a.length);
    if (points.length === 0) return;
    for (const p of points) {
      if (spawnSync("umount", [p], { stdio: "ignore" }).status !== 0)
        spawnSync("umount", ["-l", p], { stdio: "ignore" });
    }
  }
}

/** Files a node leaves in fixed host paths: CNI's result cache for its network and the
 * kubelet's /var/log/containers links into its pod logs. */
export function removeHostFiles(network: string, stateDir: string): void {
  const results = "/var/lib/cni/results";
  if (existsSync(results))
    for (const f of readdirSync(results))
      if (f.startsWith(`${network}-`)) rmSync(path.join(results, f), { force: true });
  // Made by containerd's shims for their sockets (removed above); a system containerd's
  // files keep them from being removed.
  for (const d of ["/run/containerd/s", "/run/containerd"]) rmdirIfEmpty(d);
  const links = "/var/log/containers";
  if (!existsSync(links)) return;
  for (const f of readdirSync(links)) {
    const p = path.join(links, f);
    try {
      if (readlinkSync(p).startsWith(`${stateDir}/`)) rmSync(p, { force: true });
    } catch {
      // not a link
    }
  }
}

export function rmdirIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // missing, or not empty: someone else's
  }
}
