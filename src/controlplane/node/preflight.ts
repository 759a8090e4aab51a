/**
 * Whether a real node can run on this machine. `nodeUnavailable()` answers with one line
 * saying why not (or undefined); the decision is a pure function of the facts gathered, so
 * it is unit-tested on every platform.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

export interface HostFacts {
  platform: NodeJS.Platform;
  /** Effective uid; undefined where there is none (Windows). */
  uid: number | undefined;
  /** Filesystem types the kernel knows (`/proc/filesystems`). */
  filesystems: string[];
  /** cgroup v1 controllers mounted under /sys/fs/cgroup, or "unified" for a v2-only host. */
  cgroups: string[];
  /** The `ip` command (iproute2) runs. */
  ipCommand: boolean;
  /** The `nft` command (nftables) runs: kube-proxy and the node's firewall need it. */
  nftCommand: boolean;
}

/** The cgroup v1 controllers the kubelet needs (or a cgroup v2 host). */
const NEEDED_CGROUPS = ["cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer"];

export function decideNodeUnavailable(f: HostFacts): string | undefined {
  const no = (why: string) => `a node cannot run here: ${why}`;
  if (f.platform !== "linux")
    return no(`it needs Linux (this is ${f.platform}); run Capstan in a Linux VM for a node`);
  if (f.uid !== 0)
    return no("it must run as root (containers, mounts, cgroups and the pod bridge need it)");
  if (!f.filesystems.includes("overlay"))
    return no("the kernel lacks overlayfs, which containerd's snapshotter needs");
  if (!f.cgroups.includes("unified")) {
    const lacking = NEEDED_CGROUPS.filter((c) => !f.cgroups.includes(c));
    if (lacking.length) return no(`cgroup controllers ${lacking.join(", ")} are not mounted`);
  }
  if (!f.ipCommand) return no("the `ip` command (iproute2) is missing; install iproute2");
  if (!f.nftCommand)
    return no(
      "the `nft` command is missing (kube-proxy and the node's firewall need it); install nftables",
    );
  return undefined;
}

function cgroupControllers(): string[] {
  if (existsSync("/sys/fs/cgroup/cgroup.controllers")) return ["unified"];
  try {
    return readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" "))
      .filter((p) => p[2] === "cgroup")
      .flatMap((p) => (p[3] ?? "").split(","));
  } catch {
    return [];
  }
}

export function hostFacts(): HostFacts {
  const linux = process.platform === "linux";
  const read = (f: string) => (linux && existsSync(f) ? readFileSync(f, "utf8") : "");
  return {
    platform: process.platform,
    uid: process.getuid?.(),
    filesystems: read("/proc/filesystems")
      .split("\n")
      .map((l) => l.trim().split(/\s+/).pop() ?? ""),
    cgroups: linux ? cgroupControllers() : [],
    ipCommand: linux && spawnSync("ip", ["-V"], { stdio: "ignore" }).status === 0,
    nftCommand: linux && spawnSync("nft", ["--version"], { stdio: "ignore" }).status === 0,
  };
}

/** One line saying why a node cannot run on this machine, or undefined when it can. */
export const nodeUnavailable = (): string | undefined => decideNodeUnavailable(hostFacts());
