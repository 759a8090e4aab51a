/**
 * Warm-up benchmark: what one request costs a fresh Node process, block by block, as V8
 * compiles the hot paths — the reason Capstan's per-object CPU at N = 1,000 is higher than
 * at 10,000 in the operator benchmark (docs/benchmarks.md).
 *
 *   npm run bench:warmup -- [--blocks 10] [--block-size 1000] [--concurrency 16] [--repeat 3]
 *
 * Each run is a fresh process (worker.ts) sending blocks of server-side applies; Capstan's
 * client and bare `https.request` alternate, and each block's figure is the median over the
 * runs. Writes bench/results/warmup.{json,md,svg}.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { KubeClient } from "../../src/client/index.js";
import { startControlPlane } from "../../src/controlplane/index.js";
import { packageRoot } from "../../src/controlplane/paths.js";
import { barChartSvg } from "../lib/chart.js";
import { nodeScript, runJsonScript } from "../lib/script.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    blocks: { type: "string", default: "10" },
    "block-size": { type: "string", default: "1000" },
    concurrency: { type: "string", default: "16" },
    repeat: { type: "string", default: "3" },
  },
});
const BLOCKS = Number(values.blocks);
const SIZE = Number(values["block-size"]);
const CONCURRENCY = Number(values.concurrency);
const REPEAT = Number(values.repeat);
const VARIANTS = ["capstan", "node-https"] as const;
type Block = { cpuUsPerRequest: number; ms: number };

const workerCommand = nodeScript(here, "worker");
const worker = (variant: string, kubeconfig: string, ns: string): Promise<Block[]> =>
  runJsonScript<Block[]>(
    [...workerCommand, variant, kubeconfig, ns, `${BLOCKS}`, `${SIZE}`, `${CONCURRENCY}`],
    { label: variant, timeoutMs: 900_000 },
  );
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

process.stderr.write("starting the local control plane…\n");
const cp = await startControlPlane();
const runs: Record<string, Block[][]> = { capstan: [], "node-https": [] };
try {
  const kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  const ns = "bench-warmup";
  await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  // The ConfigMaps exist before any run, so every block updates: each run does the same work.
  for (let i = 0; i < 200; i++)
    await kube.apply(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `warm-${i}`, namespace: ns } },
      { fieldManager: "warmup", force: true },
    );
  for (let r = 0; r < REPEAT; r++)
    for (const v of r % 2 ? [...VARIANTS].reverse() : VARIANTS) {
      process.stderr.write(`run ${r + 1}/${REPEAT}: ${v}, ${BLOCKS} × ${SIZE} requests…\n`);
      runs[v]!.push(await worker(v, cp.kubeconfig, ns));
    }
} finally {
  await cp.stop();
}

const perBlock = (v: string) =>
  Array.from({ length: BLOCKS }, (_, b) => median(runs[v]!.map((run) => run[b]!.cpuUsPerRequest)));
const capstan = perBlock("capstan");
const bare = perBlock("node-https");
const range = (b: number) =>
  `${(b * SIZE + 1).toLocaleString("en")}–${((b + 1) * SIZE).toLocaleString("en")}`;
const labels = Array.from({ length: BLOCKS }, (_, b) => `requests ${range(b)}`);
const out = path.join(packageRoot(), "bench", "results");
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  settings: { blocks: BLOCKS, blockSize: SIZE, concurrency: CONCURRENCY, repeat: REPEAT },
};
writeFileSync(
  path.join(out, "warmup.json"),
  `${JSON.stringify({ ...meta, runs, medians: { capstan, "node-https": bare } }, null, 2)}\n`,
);
const f = (x: number) => x.toFixed(0);
/** Warmed up: the median of the later half of the blocks. */
const steady = median(capstan.slice(Math.floor(BLOCKS / 2)));
writeFileSync(
  path.join(out, "warmup.md"),
  [
    "# Warm-up: CPU per request in a fresh Node process",
    "",
    `Server-side applies of small ConfigMaps at concurrency ${CONCURRENCY}, ${BLOCKS} blocks of ${SIZE} in one fresh process; CPU = user + system time of the process over each block, median of ${REPEAT} runs per variant (alternating). \`node-https\` is bare \`https.request\` over the same connection: Node's own cost. ${meta.date}; ${meta.cpus} CPUs (${meta.cpu}); Node ${meta.node}.`,
    "",
    "| requests | capstan µs/request | node-https µs/request | capstan / node-https | capstan vs warmed up |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...capstan.map(
      (c, b) =>
        `| ${range(b)} | ${f(c)} | ${f(bare[b]!)} | ${(c / bare[b]!).toFixed(2)}× | ${(c / steady).toFixed(2)}× |`,
    ),
    "",
    `Warmed up: the median of the later half of the blocks, ${f(steady)} µs/request.`,
    "",
    "Reproduce: `npm run bench:warmup` (options: `--blocks`, `--block-size`, `--concurrency`, `--repeat`).",
    "",
  ].join("\n"),
);
writeFileSync(
  path.join(out, "warmup.svg"),
  barChartSvg({
    title: "CPU per request as a fresh Node process warms up (lower is better)",
    unit: "µs",
    labels,
    series: [
      { name: "capstan", values: capstan },
      { name: "node-https", values: bare },
    ],
  }),
);
process.stderr.write(
  `capstan µs/request by block: ${capstan.map(f).join(" ")}\nnode-https: ${bare.map(f).join(" ")}\n`,
);
