/**
 * Undoing a node (node.ts): what it changed on the host is recorded in `node.json` before the
 * change, and `teardownNode()` reads that record back. Kept apart from node.ts so that
 * `cluster down` can run it without loading the PKI code.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import {
  deleteBridge,
  killProcesses,
  processesUnder,
  removeCgroups,
  removeHostFiles,
  unmountUnder,
} from "./host.js";
import { deleteTable, releaseKubeProxyTables } from "./firewall.js";
import { otherNodeRuns, restoreSysctls } from "./sysctls.js";

export const RECORD = "node.json";

export const nodeStateDir = (clusterDir: string) => path.join(clusterDir, "node");

/** What the node changed on the host, recorded before the change, read back by teardown. */
export interface NodeRecord {
  bridge: string;
  cgroupRoot: string;
  network: string;
  /** The `inet` nftables table guarding kube-apiserver's port and the bridge (firewall.ts). */
  firewall: string;
}

function readRecord(state: string): NodeRecord | undefined {
  try {
    return JSON.parse(readFileSync(path.join(state, RECORD), "utf8")) as NodeRecord;
  } catch {
    return undefined;
  }
}

/** Undo everything a node did on the host, then delete its state directory. Idempotent.
 * Run it only once kube-apiserver has stopped: it removes the firewall in front of it. */
export async function teardownNode(state: string): Promise<void> {
  if (!existsSync(state)) return;
  const record = readRecord(state);
  // kubelet, kube-proxy and containerd first, so that nothing starts a container or writes
  // a rule again; then the shims.
  await killProcesses(processesUnder(state), state);
  releaseKubeProxyTables(state);
  if (record) await removeCgroups(record.cgroupRoot);
  unmountUnder(state);
  if (record) {
    deleteBridge(record.bridge);
    restoreSysctls(otherNodeRuns(record.cgroupRoot));
    removeHostFiles(record.network, state);
    // Records from before the firewall existed lack it.
    if (record.firewall) deleteTable("inet", record.firewall);
  }
  rmSync(state, { recursive: true, force: true });
}
