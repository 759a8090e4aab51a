/**
 * The operator inside the local cluster (`capstan deploy --local --up`), measured from nothing:
 * a cluster with a node starts while the Printer's image is built, the image is imported, its
 * generated base is applied and the Deployment becomes Ready, then a Printer's Pod Succeeds.
 * The image's layers come from the per-user layer cache when an earlier build left them
 * (a warm machine); `--cold-image` empties that cache before each run. Then two
 * replicas, and the leader's Pod is deleted (a clean deletion: SIGTERM, the Lease released)
 * until the other holds the Lease, several times. Writes bench/results/incluster.{json,md}.
 * Linux and root only; takes the test node lock, so no node test runs meanwhile.
 *
 *   npm run bench:incluster -- [--runs 2] [--failovers 3]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import type { Pod } from "kubernetes-types/core/v1.js";
import { KubeClient } from "../src/client/index.js";
import {
  clusterDown,
  clusterStatus,
  defaultLayerCache,
  nodeUnavailable,
  type ClusterInfo,
} from "../src/controlplane/index.js";
import { packageRoot } from "../src/controlplane/paths.js";
import { deployLocal, type LocalDeployment } from "../src/cli/deploy-local.js";
import { podReady } from "../src/cli/deploy-rollout.js";
import { acquireNodeLock, recordNodeCluster } from "../src/testing/index.js";
import { median } from "./lib/node-figures.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "2" },
    failovers: { type: "string", default: "3" },
    "cold-image": { type: "boolean", default: false },
  },
});
const why = nodeUnavailable();
if (why) throw new Error(why);
const log = (l: string) => process.stderr.write(`${l}\n`);
const PRINTER = path.join(packageRoot(), "examples", "printer");
const LEASE = "printer-leader";

interface Run {
  /** Nothing → the cluster with a node ready (the image is built meanwhile). */
  clusterReadyMs: number;
  image: { buildMs: number; importMs: number; bytes: number; cachedLayers: number };
  applyMs: number;
  /** apply → Deployment Ready (1 replica). */
  deploymentReadyMs: number;
  /** The operator's container started → its Pod Ready (the operator's own start-up). */
  podStartToReadyMs: number;
  printerCreateToSucceededMs: number;
  /** Nothing running → the first Printer's Pod Succeeded. */
  totalMs: number;
  failoverMs: number[];
}

const kubectl = (cp: Pick<ClusterInfo, "bin" | "kubeconfig">, args: string[]) =>
  execFileSync(path.join(cp.bin, "kubectl"), ["--kubeconfig", cp.kubeconfig, ...args], {
    encoding: "utf8",
  });

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 120_000, every = 50) {
  const end = performance.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

const pods = async (kube: KubeClient, d: LocalDeployment) =>
  (
    await kube.list(
      { apiVersion: "v1", kind: "Pod", namespace: d.namespace },
      { labelSelector: { "app.kubernetes.io/name": d.name } },
    )
  ).items.filter((p: Pod) => !p.metadata?.deletionTimestamp);

const holder = async (kube: KubeClient, ns: string) =>
  (
    (await kube.get({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      namespace: ns,
      name: LEASE,
    })) as { spec: { holderIdentity?: string } }
  ).spec.holderIdentity;

async function failovers(cp: ClusterInfo, kube: KubeClient, d: LocalDeployment, n: number) {
  kubectl(cp, ["scale", "-n", d.namespace, `deployment/${d.name}`, "--replicas=2"]);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // Two Ready replicas, one of them holding the Lease.
    const leader = await until("two Ready replicas and a leader", async () => {
      const ps = await pods(kube, d);
      const h = await holder(kube, d.namespace);
      return ps.length === 2 && ps.every(podReady) && ps.some((p) => p.metadata!.name === h)
        ? h
        : undefined;
    });
    const t0 = performance.now();
    await kube.delete({ apiVersion: "v1", kind: "Pod", namespace: d.namespace, name: leader! });
    await until("the Lease handed over", async () => {
      const h = await holder(kube, d.namespace);
      return h && h !== leader ? h : undefined;
    });
    out.push(performance.now() - t0);
    log(`failover ${i + 1}/${n}: ${out.at(-1)!.toFixed(0)} ms`);
  }
  return out;
}

async function once(failoverCount: number): Promise<Run> {
  if (values["cold-image"]) rmSync(defaultLayerCache(), { recursive: true, force: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-bench-cluster-"));
  recordNodeCluster(dir);
  const out = mkdtempSync(path.join(os.tmpdir(), "capstan-bench-incluster-"));
  const t0 = performance.now();
  try {
    const d = await deployLocal(PRINTER, {
      clusterDir: dir,
      up: true,
      out,
      replicas: 1,
      namespace: [],
      allNamespaces: false,
      installCrds: false,
      timeoutMs: 180_000,
      say: log,
    });
    const st = await clusterStatus(dir);
    if (st.state !== "running") throw new Error(`the cluster in ${dir} is ${st.state}`);
    const cp = st.info;
    const kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
    const [op] = await pods(kube, d);
    const at = (type: string) =>
      Date.parse(op!.status!.conditions!.find((c) => c.type === type)!.lastTransitionTime!);
    const started = Date.parse(op!.status!.containerStatuses![0]!.state!.running!.startedAt!);
    const t1 = performance.now();
    const ref = {
      apiVersion: "examples.capstan.dev/v1",
      kind: "Printer",
      namespace: d.namespace,
      name: "bench",
    } as const;
    await kube.create({
      ...ref,
      metadata: { name: "bench", namespace: d.namespace },
      spec: { message: "bench" },
    });
    await until("the Printer's Pod Succeeded", async () => {
      const p = (await kube.get(ref)) as { status?: { phase?: string } };
      return p.status?.phase === "Succeeded" ? true : undefined;
    });
    const t2 = performance.now();
    log(
      kubectl(cp, ["logs", "-n", d.namespace, op!.metadata!.name!, "--timestamps"]).slice(0, 3000),
    );
    return {
      clusterReadyMs: d.ms.cluster,
      image: {
        buildMs: d.ms.build,
        importMs: d.ms.import,
        bytes: d.built.layout.size,
        cachedLayers: d.built.layout.cachedLayers,
      },
      applyMs: d.ms.apply,
      deploymentReadyMs: d.ms.ready,
      podStartToReadyMs: at("Ready") - started,
      printerCreateToSucceededMs: t2 - t1,
      totalMs: t2 - t0,
      failoverMs: await failovers(cp, kube, d, failoverCount),
    };
  } finally {
    await clusterDown({ dir });
    rmSync(out, { recursive: true, force: true });
  }
}

await acquireNodeLock();
const loadAtStart = os.loadavg()[0]!;
const runs: Run[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  runs.push(await once(Number(values.failovers)));
  log(`run ${i + 1}: ${JSON.stringify(runs.at(-1))}`);
}
const ms = (x: number) => `${(x / 1000).toFixed(1)} s`;
const row = (label: string, xs: number[], f = ms) =>
  `| ${label} | ${f(median(xs))} | ${f(Math.min(...xs))} | ${f(Math.max(...xs))} |`;
const result = {
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    load1: { start: loadAtStart, end: os.loadavg()[0]! },
    node: process.version,
  },
  runs,
};
const dir = path.join(packageRoot(), "bench", "results");
writeFileSync(path.join(dir, "incluster.json"), JSON.stringify(result, null, 2) + "\n");
const md = [
  "# The operator inside the local cluster from nothing (`capstan deploy --local --up`, the Printer)",
  "",
  `${result.machine.cpus} CPUs (1-minute load average ${loadAtStart.toFixed(1)} at the start, ` +
    `${result.machine.load1.end.toFixed(1)} at the end), Node ${result.machine.node}, ` +
    `${runs.length} runs, ${result.date}.`,
  "",
  "| figure | median | min | max |",
  "| --- | --- | --- | --- |",
  row(
    "nothing → cluster with a node Ready (the image built meanwhile)",
    runs.map((r) => r.clusterReadyMs),
  ),
  row(
    "image build (OCI layout written)",
    runs.map((r) => r.image.buildMs),
  ),
  row(
    "… layers taken from the layer cache",
    runs.map((r) => r.image.cachedLayers),
    (n) => `${n} of 3`,
  ),
  row(
    "image size",
    runs.map((r) => r.image.bytes),
    (b) => `${(b / 1e6).toFixed(1)} MB`,
  ),
  row(
    "image import into the node",
    runs.map((r) => r.image.importMs),
  ),
  row(
    "apply -k",
    runs.map((r) => r.applyMs),
  ),
  row(
    "apply → Deployment Ready (1 replica)",
    runs.map((r) => r.deploymentReadyMs),
  ),
  row(
    "… of which container started → Pod Ready",
    runs.map((r) => r.podStartToReadyMs),
  ),
  row(
    "Printer created → its Pod Succeeded",
    runs.map((r) => r.printerCreateToSucceededMs),
  ),
  row(
    "**nothing → first Printer Succeeded**",
    runs.map((r) => r.totalMs),
  ),
  row(
    "**leader Pod deleted → Lease held by the standby**",
    runs.flatMap((r) => r.failoverMs),
  ),
  "",
  "Targets (issue 18): Printer Succeeded ≤ 25 s from nothing on a warm machine; failover ≤ 2 s.",
  "",
  "Reproduce: `npm run bench:incluster` (Linux, root); `-- --cold-image` empties the layer cache first.",
  "",
].join("\n");
writeFileSync(path.join(dir, "incluster.md"), md);
process.stdout.write(md);
