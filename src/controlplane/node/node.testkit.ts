// What a node has on the host while a Pod runs, and which of it is still there later: the
// node's teardown tests look for every kind of leftover by its own signal, not by asking
// the code under test.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
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

// ip_forward too: the bridge plugin would turn it on with a gateway.
const WATCHED_SYSCTLS = [...KUBELET_SYSCTLS, "net/ipv4/ip_forward"];

export const sysctls = () =>
  Object.fromEntries(
    WATCHED_SYSCTLS.map((n) => [n, readFileSync(`/proc/sys/${n}`, "utf8").trim()]),
  );

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
