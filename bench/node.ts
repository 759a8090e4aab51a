/**
 * Node benchmark alone (bench:controlplane includes the same figures): what a real node adds
 * to the local control plane (bench/lib/node-figures.ts). Writes bench/results/node.{json,md,svg}.
 * Linux and root only.
 *
 *   npm run bench:node -- [--runs 5] [--pods 7] [--cold]
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { nodeUnavailable, readNodePin } from "../src/controlplane/index.js";
import { packageRoot } from "../src/controlplane/paths.js";
import { barChartSvg } from "./lib/chart.js";
import { measureNode, median, nodeMarkdown } from "./lib/node-figures.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    pods: { type: "string", default: "7" },
    cold: { type: "boolean", default: false },
  },
});
const why = nodeUnavailable();
if (why) throw new Error(why);

const f = await measureNode({
  runs: Number(values.runs),
  pods: Number(values.pods),
  cold: values.cold,
});
const result = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version },
  pin: readNodePin(),
  ...f,
};
const dir = path.join(packageRoot(), "bench", "results");
writeFileSync(path.join(dir, "node.json"), JSON.stringify(result, null, 2) + "\n");
const md = [
  `# Local node (kubelet ${result.pin.kubernetes}, containerd ${result.pin.containerd}, runc ${result.pin.runc})`,
  "",
  `${result.machine.cpus} CPUs, Node ${result.machine.node}, ${result.date}.`,
  "",
  ...nodeMarkdown(f),
  "",
  "![chart](node.svg)",
  "",
  "Reproduce: `npm run bench:node` (or `npm run bench:controlplane`, which includes these).",
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
    series: [
      {
        name: "median",
        values: [
          median(f.startToReadyMs.withoutNode),
          median(f.startToReadyMs.withNode),
          median(f.podCreateToSucceededMs),
        ],
      },
    ],
  }),
);
process.stdout.write(md);
