/**
 * Control-plane benchmark: warm start-to-ready (median of several runs) of the full local
 * control plane, against envtest's setup (etcd + kube-apiserver only) measured in the same
 * run as the baseline; with `--cold`, the build from nothing (empty Go module and build
 * caches) too. Where a node can run (Linux, root), the node's figures as well
 * (bench/lib/node-figures.ts): start to Node Ready, Pod create → Succeeded, the idle memory of
 * kubelet + containerd and, with `--cold`, the node binaries' cold build; `--no-node` skips them.
 * Writes bench/results/controlplane.{json,md,svg}.
 *
 *   npm run bench:controlplane -- [--runs 7] [--pods 7] [--cold] [--no-node]
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  ensureBinaries,
  nodeUnavailable,
  readNodePin,
  readPin,
  startControlPlane,
} from "../src/controlplane/index.js";
import { packageRoot } from "../src/controlplane/paths.js";
import { barChartSvg } from "./lib/chart.js";
import { coldBuildSeconds, measureNode, median, nodeMarkdown } from "./lib/node-figures.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    pods: { type: "string", default: "7" },
    cold: { type: "boolean", default: false },
    "no-node": { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
async function timeStarts(label: string, controllerManager: boolean): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const cp = await startControlPlane({ controllerManager });
    out.push(performance.now() - t0);
    await cp.stop();
    process.stderr.write(`${label} run ${i + 1}/${runs}: ${out.at(-1)!.toFixed(0)} ms\n`);
  }
  return out;
}

await ensureBinaries();
const full = await timeStarts("full control plane", true);
const envtest = await timeStarts("etcd + kube-apiserver", false);
const cold = values.cold
  ? await coldBuildSeconds("cold build", (progress) => ensureBinaries({ progress }))
  : undefined;
const noNodeWhy = values["no-node"] ? "--no-node" : nodeUnavailable();
const node = noNodeWhy
  ? undefined
  : await measureNode({ runs: Math.min(runs, 5), pods: Number(values.pods), cold: values.cold });
const result = {
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  pin: readPin(),
  runs,
  startToReadyMs: {
    full: { median: median(full), samples: full },
    etcdAndApiserver: { median: median(envtest), samples: envtest },
  },
  ratioFullToApiserverOnly: median(full) / median(envtest),
  coldBuildSeconds: cold,
  node: node ? { pin: readNodePin(), ...node } : { skipped: noNodeWhy },
};
const dir = path.join(packageRoot(), "bench", "results");
writeFileSync(path.join(dir, "controlplane.json"), JSON.stringify(result, null, 2) + "\n");
const md = [
  `# Local control plane (${result.pin.kubernetes}, etcd ${result.pin.etcd})`,
  "",
  `${result.machine.cpus} CPUs, Node ${result.machine.node}, ${runs} runs each, ${result.date}.`,
  "",
  "| setup | median start-to-ready | min | max |",
  "| --- | --- | --- | --- |",
  `| etcd + kube-apiserver + kube-controller-manager (ready = default service account exists) | ${median(full).toFixed(0)} ms | ${Math.min(...full).toFixed(0)} ms | ${Math.max(...full).toFixed(0)} ms |`,
  `| etcd + kube-apiserver only, envtest's setup (ready = /readyz and default namespace) | ${median(envtest).toFixed(0)} ms | ${Math.min(...envtest).toFixed(0)} ms | ${Math.max(...envtest).toFixed(0)} ms |`,
  "",
  `Full control plane / apiserver-only: ${result.ratioFullToApiserverOnly.toFixed(2)}×.`,
  cold === undefined
    ? ""
    : `\nCold build (empty Go module and build caches): ${cold.toFixed(0)} s.`,
  "",
  ...(node
    ? [
        `## With a real node (kubelet, containerd ${readNodePin().containerd})`,
        "",
        ...nodeMarkdown(node),
      ]
    : [`No node figures: ${noNodeWhy}.`]),
  "",
  "![chart](controlplane.svg)",
  "",
  "Reproduce: `npm run bench:controlplane -- --cold`.",
  "",
].join("\n");
writeFileSync(path.join(dir, "controlplane.md"), md);
writeFileSync(
  path.join(dir, "controlplane.svg"),
  barChartSvg({
    title: "Local control plane (median)",
    unit: "ms",
    labels: [
      "full control plane",
      "etcd + apiserver (envtest)",
      ...(node ? ["control plane + scheduler + node: Node Ready", "Pod create → Succeeded"] : []),
    ],
    series: [
      {
        name: "median",
        values: [
          median(full),
          median(envtest),
          ...(node
            ? [median(node.startToReadyMs.withNode), median(node.podCreateToSucceededMs)]
            : []),
        ],
      },
    ],
  }),
);
process.stdout.write(md);
