/**
 * The node's nftables: the firewall that keeps kube-apiserver (listening on every address, so
 * that Pods reach it through the `kubernetes` Service) and the node's bridge answering
 * loopback and the bridge only, and the ownership of kube-proxy's tables.
 *
 * Guarantees: the firewall table exists before kube-apiserver starts listening on every
 * address (cluster.ts) and is deleted by the node's teardown, which runs only once every
 * process of the cluster is gone. kube-proxy's tables (`ip kube-proxy`, `ip6 kube-proxy`,
 * names fixed in kube-proxy) are claimed by one node per host, recorded in
 * `/run/capstan/kube-proxy.json` before kube-proxy starts, and deleted by that node's teardown.
 * Caveat: a second local cluster's node on the same host is refused rather than sharing
 * them: both clusters' Services use the same range, and two kube-proxies would overwrite each
 * other's table.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ControlPlaneError } from "../errors.js";
import { rmdirIfEmpty } from "./host.js";

export interface FirewallLayout {
  /** The table's name (`inet` family), unique per node: `capstan-<id>`. */
  table: string;
  bridge: string;
  /** The pod range on the bridge, whose first address is the host's own. */
  subnet: string;
  apiserverPort: number;
}

/**
 * The firewall as an nft script. Anything reaching the apiserver's port or the bridge's range
 * on another interface than loopback or the bridge is rejected (a reset or an ICMP error, so a
 * client learns it at once), and nothing is forwarded between the bridge and any other
 * interface: Pods reach each other, Services and this host, never another machine.
 */
export function firewallRules(f: FirewallLayout): string {
  const local = `{ "lo", "${f.bridge}" }`;
  return [
    `table inet ${f.table} {`,
    "  chain input {",
    "    type filter hook input priority filter - 10; policy accept;",
    `    iifname != ${local} tcp dport ${f.apiserverPort} reject with tcp reset`,
    `    iifname != ${local} ip daddr ${f.subnet} reject`,
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter - 10; policy accept;",
    `    iifname "${f.bridge}" oifname != "${f.bridge}" drop`,
    `    oifname "${f.bridge}" iifname != "${f.bridge}" drop`,
    "  }",
    "}",
    "",
  ].join("\n");
}

function nft(args: string[], input?: string): { ok: boolean; stderr: string } {
  const r = spawnSync("nft", args, { input, encoding: "utf8" });
  return { ok: r.status === 0, stderr: (r.stderr ?? r.error?.message ?? "").trim() };
}

export function installFirewall(f: FirewallLayout): void {
  const r = nft(["-f", "-"], firewallRules(f));
  if (!r.ok)
    throw new ControlPlaneError("start", `nft: adding table inet ${f.table} failed: ${r.stderr}`, {
      component: "node",
    });
}

/** Delete an nftables table; a missing one is fine (teardown runs again after interruptions). */
export const deleteTable = (family: string, table: string) =>
  void nft(["delete", "table", family, table]);

const tableExists = (family: string, table: string) => nft(["list", "table", family, table]).ok;

/** Who has kube-proxy's tables on this host: a node's state directory. On tmpfs, like the
 * tables themselves, which a reboot clears. */
const KUBE_PROXY_OWNER = "/run/capstan/kube-proxy.json";
const KUBE_PROXY_TABLES = [
  ["ip", "kube-proxy"],
  ["ip6", "kube-proxy"],
] as const;

const owner = (): string | undefined => {
  try {
    return (JSON.parse(readFileSync(KUBE_PROXY_OWNER, "utf8")) as { state: string }).state;
  } catch {
    return undefined;
  }
};

/** Take kube-proxy's tables for the node in `state`, or say whose they are. A recorded owner
 * whose state directory is gone was torn down without releasing them: its tables go. */
export function claimKubeProxyTables(state: string): void {
  const held = owner();
  if (held && held !== state && existsSync(held))
    throw new ControlPlaneError(
      "start",
      `the node of the local cluster in ${path.dirname(held)} runs kube-proxy on this host, and ` +
        `two clusters' Services would collide (the same Service range, kube-proxy's fixed ` +
        `nftables table): stop it first (\`capstan cluster down --dir ${path.dirname(held)}\`)`,
      { component: "node" },
    );
  if (!held && KUBE_PROXY_TABLES.some(([family, t]) => tableExists(family, t)))
    throw new ControlPlaneError(
      "start",
      "an nftables table `kube-proxy` exists that no local cluster made: this host seems to " +
        "run another cluster's kube-proxy, whose rules a local node would overwrite",
      { component: "node" },
    );
  for (const [family, t] of KUBE_PROXY_TABLES) deleteTable(family, t);
  mkdirSync(path.dirname(KUBE_PROXY_OWNER), { recursive: true });
  writeFileSync(KUBE_PROXY_OWNER, JSON.stringify({ state }));
}

/** Delete kube-proxy's tables if the node in `state` holds them (after kube-proxy exited). */
export function releaseKubeProxyTables(state: string): void {
  if (owner() !== state) return;
  for (const [family, t] of KUBE_PROXY_TABLES) deleteTable(family, t);
  rmSync(KUBE_PROXY_OWNER, { force: true });
  rmdirIfEmpty(path.dirname(KUBE_PROXY_OWNER));
}
