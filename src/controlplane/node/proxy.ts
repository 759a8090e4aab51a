/**
 * What kube-proxy needs from the node beyond its configuration (config.ts): a PATH that keeps
 * its clean-up of other proxy modes away from the host's rules, and a signal that it has
 * written its rules once.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";

/**
 * A PATH holding `nft` alone. Before it starts, kube-proxy in nftables mode tidies up after
 * the other modes as best it can: with `modprobe` it would load ip_vs and flush every IPVS
 * rule on the host, with `iptables` delete every iptables-mode kube-proxy's chains. Finding
 * neither, it leaves the host's other rules alone.
 */
export function kubeProxyPath(state: string): string {
  const dir = path.join(state, "kube-proxy-path");
  const nft = spawnSync("sh", ["-c", "command -v nft"], { encoding: "utf8" }).stdout.trim();
  mkdirSync(dir, { recursive: true });
  symlinkSync(nft || "/usr/sbin/nft", path.join(dir, "nft"));
  return dir;
}

/** kube-proxy's /healthz answers 200 from the start; its `lastUpdated` is set once its
 * rules are written (the zero time before). */
export async function kubeProxySynced(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(2000),
  });
  const body = (await res.json()) as { lastUpdated?: string };
  return !!body.lastUpdated && !body.lastUpdated.startsWith("0001-");
}
