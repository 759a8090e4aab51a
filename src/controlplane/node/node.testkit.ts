// What a node has on the host while a Pod runs, and which of it is still there later: the
// node's teardown tests look for every kind of leftover by its own signal, not by asking
// the code under test.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";
import { eventually, kubectlOk, type TestControlPlane } from "../../testing/index.js";
import { KUBELET_SYSCTLS } from "./sysctls.js";

export interface NodeEvidence {
  /** Processes whose command line names the state dir (containerd, kubelet, shims), and the
   * processes in the node's cgroups (containers), each with its command line. */
  processes: { pid: number; cmdline: string }[];
  mounts: string[];
  links: string[];
  cgroups: string[];
}

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return undefined;
  }
};

function cgroupDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    out.push(d);
    for (const e of readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(path.join(d, e.name));
  };
  for (const h of readdirSync("/sys/fs/cgroup")) {
    const d = path.join("/sys/fs/cgroup", h, root);
    if (existsSync(d)) walk(d);
  }
  return out;
}

/** Everything the node in `clusterDir` has on the host right now. */
export function nodeEvidence(clusterDir: string): NodeEvidence {
  const state = path.join(clusterDir, "node");
  const record = JSON.parse(readFileSync(path.join(state, "node.json"), "utf8")) as {
    bridge: string;
    cgroupRoot: string;
  };
  const cgroups = cgroupDirs(record.cgroupRoot);
  const inCgroups = cgroups.flatMap((d) =>
    readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number),
  );
  const naming = readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => cmdline(pid)?.includes(`${state}/`));
  const brif = `/sys/class/net/${record.bridge}/brif`;
  return {
    processes: [...new Set([...naming, ...inCgroups])].map((pid) => ({
      pid,
      cmdline: cmdline(pid) ?? "",
    })),
    mounts: readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[1] ?? "")
      .filter((p) => p.startsWith(`${state}/`)),
    links: [record.bridge, ...(existsSync(brif) ? readdirSync(brif) : [])],
    cgroups,
  };
}

/** What of `seen` is still on the host. */
export function stillThere(seen: NodeEvidence): NodeEvidence {
  const mounts = new Set(
    readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[1]),
  );
  return {
    processes: seen.processes.filter((p) => cmdline(p.pid) === p.cmdline),
    mounts: seen.mounts.filter((m) => mounts.has(m)),
    links: seen.links.filter((l) => existsSync(`/sys/class/net/${l}`)),
    cgroups: seen.cgroups.filter((d) => existsSync(d)),
  };
}

// ip_forward too: the bridge plugin would turn it on with a gateway. And whatever kube-proxy
// may set: conntrack sizes and timeouts (every netfilter sysctl but the live count),
// route_localnet, forwarding on all interfaces, the bridge netfilter switches.
const WATCHED_SYSCTLS = [
  ...KUBELET_SYSCTLS,
  "net/ipv4/ip_forward",
  "net/ipv4/conf/all/forwarding",
  "net/ipv4/conf/default/forwarding",
  "net/ipv4/conf/all/route_localnet",
  "net/bridge/bridge-nf-call-iptables",
  "net/bridge/bridge-nf-call-ip6tables",
];
const NETFILTER = "/proc/sys/net/netfilter";
const CONNTRACK_HASHSIZE = "/sys/module/nf_conntrack/parameters/hashsize";

const readIf = (f: string) => (existsSync(f) ? readFileSync(f, "utf8").trim() : "absent");

export const sysctls = () => ({
  ...Object.fromEntries(WATCHED_SYSCTLS.map((n) => [n, readIf(`/proc/sys/${n}`)])),
  ...Object.fromEntries(
    (existsSync(NETFILTER) ? readdirSync(NETFILTER, { withFileTypes: true }) : [])
      .filter((e) => e.isFile() && e.name !== "nf_conntrack_count")
      .map((e) => [`net/netfilter/${e.name}`, readIf(path.join(NETFILTER, e.name))]),
  ),
  hashsize: readIf(CONNTRACK_HASHSIZE),
});

/** The host's whole nftables ruleset, as `nft` prints it (the firewall, kube-proxy's tables). */
export const nftRuleset = () => execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" });

/** Create a Pod that keeps running (so a container, its shim, a veth and mounts exist) and
 * wait until it runs. */
export async function runSleepingPod(cp: Pick<TestControlPlane, "bin" | "kubeconfig">) {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "sleeper", namespace: "default" },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: "c",
          image: "busybox:1.36",
          imagePullPolicy: "IfNotPresent",
          command: ["sleep", "3600"],
        },
      ],
    },
  };
  await kubectlOk(cp, ["create", "-f", "-"], { input: JSON.stringify(pod) });
  await eventually(
    async () => {
      const phase = await kubectlOk(cp, [
        "get",
        "pod",
        "sleeper",
        "-o",
        "jsonpath={.status.phase}",
      ]);
      if (phase !== "Running")
        throw new Error(`Pod default/sleeper is ${phase || "not scheduled"}`);
    },
    { timeoutMs: 60_000, what: "Pod default/sleeper Running" },
  );
}

/** Resolves once Pod default/<name> has Succeeded; fails at once if it Failed. */
export async function succeeded(cp: Parameters<typeof kubectlOk>[0], name: string): Promise<void> {
  await eventually(
    async () => {
      const phase = await kubectlOk(cp, ["get", "pod", name, "-o", "jsonpath={.status.phase}"]);
      if (phase === "Failed")
        throw new assert.AssertionError({ message: `Pod default/${name} failed` });
      if (phase !== "Succeeded")
        throw new Error(`Pod default/${name} is ${phase || "unscheduled"}`);
    },
    { timeoutMs: 60_000, what: `Pod default/${name} Succeeded` },
  );
}
