/**
 * Node benchmark: what a real node adds to the local control plane. Warm start-to-ready with
 * and without a node (both run the scheduler, so the difference is the node: cgroups,
 * bridge, containerd, image import, kubelet → Node Ready), Pod create → Succeeded (median of
 * several busybox Pods) and the idle memory of kubelet, containerd and kube-proxy. Writes
 * bench/results/node.{json,md}. Linux and root only.
 *
 *   npm run bench:node -- [--runs 5] [--pods 7]
 */
import { barChartSvg } from "./lib/chart.js";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import {
  ensureBinaries,
  ensureNodeBinaries,
  nodeUnavailable,
  readNodePin,
  startControlPlane,
  type ControlPlane,
} from "../src/controlplane/index.js";
import { packageRoot } from "../src/controlplane/paths.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, pods: { type: "string", default: "7" } },
});
const why = nodeUnavailable();
if (why) throw new Error(why);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const log = (l: string) => process.stderr.write(`${l}\n`);

async function starts(node: boolean): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const t0 = performance.now();
    const cp = await startControlPlane({ scheduler: true, node });
    out.push(performance.now() - t0);
    await cp.stop();
    log(`${node ? "with" : "without"} node, run ${i + 1}: ${out.at(-1)!.toFixed(0)} ms`);
  }
  return out;
}

const kubectl = (cp: ControlPlane, args: string[], input?: string) =>
  execFileSync(path.join(cp.bin, "kubectl"), ["--kubeconfig", cp.kubeconfig, ...args], {
    input,
    encoding: "utf8",
  });

async function podRuns(cp: ControlPlane): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < Number(values.pods); i++) {
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

await ensureBinaries();
await ensureNodeBinaries();
const without = await starts(false);
const withNode = await starts(true);
const cp = await startControlPlane({ node: true });
const pods = await podRuns(cp);
kubectl(cp, ["delete", "pods", "--all", "--wait=true"]);
await sleep(10_000);
const memory = {
  kubelet: rssMB(cp.pids.kubelet!),
  containerd: rssMB(cp.pids.containerd!),
  kubeProxy: rssMB(cp.pids["kube-proxy"]!),
};
await cp.stop();

const result = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version },
  pin: readNodePin(),
  startToReadyMs: {
    withoutNode: { median: median(without), samples: without },
    withNode: { median: median(withNode), samples: withNode },
    nodeShare: median(withNode) - median(without),
  },
  podCreateToSucceededMs: { median: median(pods), samples: pods },
  idleRssMB: memory,
};
const dir = path.join(packageRoot(), "bench", "results");
writeFileSync(path.join(dir, "node.json"), JSON.stringify(result, null, 2) + "\n");
const ms = (x: number) => `${x.toFixed(0)} ms`;
const md = [
  `# Local node (kubelet ${result.pin.kubernetes}, containerd ${result.pin.containerd}, runc ${result.pin.runc})`,
  "",
  `${result.machine.cpus} CPUs, Node ${result.machine.node}, ${result.date}.`,
  "",
  "| figure | median | min | max |",
  "| --- | --- | --- | --- |",
  `| control plane + scheduler, start to ready | ${ms(median(without))} | ${ms(Math.min(...without))} | ${ms(Math.max(...without))} |`,
  `| … with a node, start to Node Ready | ${ms(median(withNode))} | ${ms(Math.min(...withNode))} | ${ms(Math.max(...withNode))} |`,
  `| busybox Pod create → Succeeded | ${ms(median(pods))} | ${ms(Math.min(...pods))} | ${ms(Math.max(...pods))} |`,
  "",
  `The node adds ${ms(result.startToReadyMs.nodeShare)} to the start. Idle RSS: kubelet ` +
    `${memory.kubelet.toFixed(0)} MB, containerd ${memory.containerd.toFixed(0)} MB, ` +
    `kube-proxy ${memory.kubeProxy.toFixed(0)} MB.`,
  "",
  "![chart](node.svg)",
  "",
  "Reproduce: `npm run bench:node`.",
  "",
].join("\n");
writeFileSync(path.join(dir, "node.md"), md);
writeFileSync(
  path.join(dir, "node.svg"),
  barChartSvg({
    title: "Local cluster with a real node (median)",
    unit: "ms",
    labels: [
      "control plane + scheduler ready",
      "… with a node: Node Ready",
      "Pod create → Succeeded",
    ],
    series: [{ name: "median", values: [median(without), median(withNode), median(pods)] }],
  }),
);
process.stdout.write(md);
