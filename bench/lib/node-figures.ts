/**
 * What a real node adds to the local control plane, measured the same way by
 * `bench:controlplane` and `bench:node`: warm start-to-ready with and without a node (both
 * run the scheduler, so the difference is the node: cgroups, bridge, containerd, image
 * import, kubelet → Node Ready), busybox Pod create → Succeeded (median of several), the
 * idle memory of kubelet, containerd and kube-proxy, and optionally the cold build of the node's binaries.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ensureBinaries,
  ensureNodeBinaries,
  startControlPlane,
  type ControlPlane,
} from "../../src/controlplane/index.js";

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const log = (l: string) => process.stderr.write(`${l}\n`);

export interface NodeFigures {
  startToReadyMs: { withoutNode: number[]; withNode: number[]; nodeShare: number };
  podCreateToSucceededMs: number[];
  idleRssMB: { kubelet: number; containerd: number; kubeProxy: number };
  coldBuildSeconds?: number;
}

async function starts(node: boolean, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const cp = await startControlPlane({ scheduler: true, node });
    out.push(performance.now() - t0);
    await cp.stop();
    log(`${node ? "with" : "without"} node, run ${i + 1}/${runs}: ${out.at(-1)!.toFixed(0)} ms`);
  }
  return out;
}

const kubectl = (cp: ControlPlane, args: string[], input?: string) =>
  execFileSync(path.join(cp.bin, "kubectl"), ["--kubeconfig", cp.kubeconfig, ...args], {
    input,
    encoding: "utf8",
  });

async function podRuns(cp: ControlPlane, pods: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < pods; i++) {
    const name = `bench-${i}`;
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: {
        restartPolicy: "Never",
        containers: [
          { name: "c", image: "busybox:1.36", imagePullPolicy: "IfNotPresent", command: ["true"] },
        ],
      },
    };
    const t0 = performance.now();
    kubectl(cp, ["create", "-f", "-"], JSON.stringify(pod));
    while (kubectl(cp, ["get", "pod", name, "-o", "jsonpath={.status.phase}"]) !== "Succeeded")
      await sleep(50);
    out.push(performance.now() - t0);
    log(`Pod ${name} create → Succeeded: ${out.at(-1)!.toFixed(0)} ms`);
  }
  return out;
}

const rssMB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

/** Seconds `build` takes from nothing: empty Go module and build caches, a fresh Capstan cache. */
export async function coldBuildSeconds(
  label: string,
  build: (progress: (l: string) => void) => Promise<unknown>,
): Promise<number> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "capstan-cold-"));
  const saved = { ...process.env };
  Object.assign(process.env, {
    GOCACHE: path.join(tmp, "gocache"),
    GOMODCACHE: path.join(tmp, "gomodcache"),
    CAPSTAN_CACHE_DIR: path.join(tmp, "capstan"),
  });
  try {
    const t0 = performance.now();
    await build((l) => log(`[${label}] ${l}`));
    return (performance.now() - t0) / 1000;
  } finally {
    process.env = saved;
    spawnSync("chmod", ["-R", "u+w", tmp]); // Go marks module files read-only
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function measureNode(opts: {
  runs: number;
  pods: number;
  cold: boolean;
}): Promise<NodeFigures> {
  await ensureBinaries();
  await ensureNodeBinaries();
  const withoutNode = await starts(false, opts.runs);
  const withNode = await starts(true, opts.runs);
  const cp = await startControlPlane({ node: true });
  let pods: number[];
  let idleRssMB: NodeFigures["idleRssMB"];
  try {
    pods = await podRuns(cp, opts.pods);
    kubectl(cp, ["delete", "pods", "--all", "--wait=true"]);
    await sleep(10_000); // let kubelet and containerd settle before reading their idle memory
    idleRssMB = {
      kubelet: rssMB(cp.pids.kubelet!),
      containerd: rssMB(cp.pids.containerd!),
      kubeProxy: rssMB(cp.pids["kube-proxy"]!),
    };
  } finally {
    await cp.stop();
  }
  return {
    startToReadyMs: { withoutNode, withNode, nodeShare: median(withNode) - median(withoutNode) },
    podCreateToSucceededMs: pods,
    idleRssMB,
    ...(opts.cold
      ? {
          coldBuildSeconds: await coldBuildSeconds("cold node build", (progress) =>
            ensureNodeBinaries({ progress }),
          ),
        }
      : {}),
  };
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
const row = (label: string, xs: number[]) =>
  `| ${label} | ${ms(median(xs))} | ${ms(Math.min(...xs))} | ${ms(Math.max(...xs))} |`;

/** The figures as Markdown table rows and a closing paragraph. */
export function nodeMarkdown(f: NodeFigures): string[] {
  return [
    "| figure | median | min | max |",
    "| --- | --- | --- | --- |",
    row("control plane + scheduler, start to ready", f.startToReadyMs.withoutNode),
    row("… with a node, start to Node Ready", f.startToReadyMs.withNode),
    row("busybox Pod create → Succeeded", f.podCreateToSucceededMs),
    "",
    `The node adds ${ms(f.startToReadyMs.nodeShare)} to the start. Idle RSS: kubelet ` +
      `${f.idleRssMB.kubelet.toFixed(0)} MB, containerd ${f.idleRssMB.containerd.toFixed(0)} MB, ` +
      `kube-proxy ${f.idleRssMB.kubeProxy.toFixed(0)} MB.` +
      (f.coldBuildSeconds === undefined
        ? ""
        : ` Cold build of the node's binaries (empty Go caches): ${f.coldBuildSeconds.toFixed(0)} s.`),
  ];
}
