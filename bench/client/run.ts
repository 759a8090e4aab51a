/**
 * Client benchmark: Capstan's client side by side with @kubernetes/client-node 1.4 in the
 * same run, on one local control plane. Each measurement runs in its own process (worker.ts)
 * so memory figures are each library's own; each is repeated and the median kept; the two
 * libraries alternate so drift on this shared machine hits both alike.
 *
 *   npm run bench:client            (compiled; or: npx tsx bench/client/run.ts [--objects N] [--repeat R])
 *
 * Writes bench/results/client.{json,md,svg}.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { KubeClient } from "../../src/client/index.js";
import { startControlPlane } from "../../src/controlplane/index.js";
import { packageRoot } from "../../src/controlplane/paths.js";
import { barChartSvg } from "../lib/chart.js";
import { nodeScript, runJsonScript } from "../lib/script.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    objects: { type: "string", default: "10000" },
    repeat: { type: "string", default: "3" },
  },
});
const N = Number(values.objects);
const REPEAT = Number(values.repeat);
const LIBS = ["capstan", "client-node"] as const;

interface Sample {
  ms: number;
  ops: number;
  rssMaxMiB: number;
  heapUsedMiB: number;
}

function worker(
  lib: string,
  task: string,
  kubeconfig: string,
  ns: string,
  conc = 1,
  count = 0,
): Promise<Sample> {
  return runJsonScript<Sample>(
    [...workerCommand, lib, task, kubeconfig, ns, String(conc), String(count)],
    { label: `${lib} ${task}`, timeoutMs: 600_000 },
  );
}

// Each cell in its own process, compiled when available, so no TypeScript loader weighs on
// the memory figures.
const workerCommand = nodeScript(here, "worker");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const cp = await startControlPlane();
const results: Record<
  string,
  Record<string, { opsPerSec: number; ms: number; rssMaxMiB: number }>
> = {};
try {
  const kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  const big = "bench-list";
  await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: big } });
  process.stderr.write(`creating ${N} ConfigMaps…\n`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) {
        const i = next++;
        await kube.create({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `cm-${i}`, namespace: big, labels: { bench: "1" } },
          data: { payload: "x".repeat(256), i: String(i) },
        });
      }
    }),
  );
  const measure = async (
    label: string,
    task: string,
    ns: (lib: string, rep: number) => Promise<string>,
    conc = 1,
    count = 0,
  ) => {
    const samples: Record<string, Sample[]> = { capstan: [], "client-node": [] };
    for (let r = 0; r < REPEAT; r++) {
      for (const lib of r % 2 ? [...LIBS].reverse() : LIBS) {
        samples[lib]!.push(await worker(lib, task, cp.kubeconfig, await ns(lib, r), conc, count));
      }
    }
    results[label] = Object.fromEntries(
      LIBS.map((lib) => {
        const s = samples[lib]!;
        const ms = median(s.map((x) => x.ms));
        return [
          lib,
          { ms, opsPerSec: (s[0]!.ops / ms) * 1000, rssMaxMiB: median(s.map((x) => x.rssMaxMiB)) },
        ];
      }),
    );
    process.stderr.write(`${label}: ${JSON.stringify(results[label])}\n`);
  };
  const fixed = async () => big;
  let nsCounter = 0;
  const fresh = async () => {
    const name = `bench-w${nsCounter++}`;
    await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
    return name;
  };
  await measure(`list ${N} ConfigMaps (pages of 500)`, "list", fixed);
  await measure(`watch ${N} events (streaming list)`, "watch", fixed);
  await measure("create ×300, concurrency 1", "create", fresh, 1, 300);
  await measure("create ×1000, concurrency 8", "create", fresh, 8, 1000);
  await measure("create ×1000, concurrency 32", "create", fresh, 32, 1000);
  const applyNs = await fresh();
  await measure("server-side apply ×500, concurrency 8", "apply", async () => applyNs, 8, 500);
  await measure("server-side apply ×500, concurrency 32", "apply", async () => applyNs, 32, 500);
} finally {
  await cp.stop();
}

const out = path.join(packageRoot(), "bench", "results");
const labels = Object.keys(results);
const json = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version },
  objects: N,
  repeat: REPEAT,
  results,
};
writeFileSync(path.join(out, "client.json"), JSON.stringify(json, null, 2) + "\n");
const rows = labels.map((l) => {
  const c = results[l]!.capstan!;
  const n = results[l]!["client-node"]!;
  return `| ${l} | ${c.opsPerSec.toFixed(0)}/s | ${n.opsPerSec.toFixed(0)}/s | **${(c.opsPerSec / n.opsPerSec).toFixed(2)}×** | ${c.rssMaxMiB.toFixed(0)} MiB | ${n.rssMaxMiB.toFixed(0)} MiB | **${(c.rssMaxMiB / n.rssMaxMiB).toFixed(2)}×** |`;
});
const md = [
  "# Client: Capstan vs @kubernetes/client-node 1.4",
  "",
  `${json.machine.cpus} CPUs, Node ${json.machine.node}, median of ${REPEAT} runs per cell, each in its own process; ${json.date}.`,
  "",
  "| task | Capstan | client-node | throughput ratio | Capstan peak RSS | client-node peak RSS | RSS ratio |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...rows,
  "",
  "Reproduce: `npm run bench:client` (10,000 objects, 3 runs).",
  "",
].join("\n");
writeFileSync(path.join(out, "client.md"), md);
writeFileSync(
  path.join(out, "client.svg"),
  barChartSvg({
    title: "Client throughput, Capstan vs client-node (higher is better)",
    unit: "/s",
    labels,
    series: LIBS.map((lib) => ({
      name: lib,
      values: labels.map((l) => results[l]![lib]!.opsPerSec),
    })),
  }),
);
process.stdout.write(md);
