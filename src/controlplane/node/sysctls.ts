/**
 * The host sysctls the kubelet sets to its own values when it starts (setupKernelTunables),
 * recorded before the first node starts and restored after the last one stops.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cgroupHierarchies, rmdirIfEmpty } from "./host.js";

export const KUBELET_SYSCTLS = [
  "vm/overcommit_memory",
  "vm/panic_on_oom",
  "kernel/panic",
  "kernel/panic_on_oops",
  "kernel/keys/root_maxkeys",
  "kernel/keys/root_maxbytes",
];

export function readSysctls(names = KUBELET_SYSCTLS): Record<string, string> {
  return Object.fromEntries(
    names.map((n) => [n, readFileSync(`/proc/sys/${n}`, "utf8").trim()] as const),
  );
}

/** The host's own values, recorded by the first node to start and restored by the last to
 * stop: a second node would otherwise record the first kubelet's values as the host's. On
 * tmpfs, like the values themselves, which a reboot resets. */
const HOST_SYSCTLS = "/run/capstan/node-sysctls.json";

export function recordSysctls(): void {
  if (existsSync(HOST_SYSCTLS)) return;
  mkdirSync(path.dirname(HOST_SYSCTLS), { recursive: true });
  writeFileSync(HOST_SYSCTLS, JSON.stringify(readSysctls(), null, 2));
}

/** Restore the recorded values unless another node still runs (it restores them later). */
export function restoreSysctls(otherNodeRuns: boolean): void {
  if (otherNodeRuns || !existsSync(HOST_SYSCTLS)) return;
  const saved = JSON.parse(readFileSync(HOST_SYSCTLS, "utf8")) as Record<string, string>;
  for (const [name, value] of Object.entries(saved)) {
    if (readFileSync(`/proc/sys/${name}`, "utf8").trim() !== value)
      writeFileSync(`/proc/sys/${name}`, value);
  }
  rmSync(HOST_SYSCTLS, { force: true });
  rmdirIfEmpty(path.dirname(HOST_SYSCTLS));
}

/** Whether a node other than the one with cgroup `root` runs: each has a /capstan-* cgroup. */
export function otherNodeRuns(root: string): boolean {
  const h = cgroupHierarchies()[0];
  if (!h) return false;
  return readdirSync(h).some((n) => n.startsWith("capstan-") && `/${n}` !== root);
}
