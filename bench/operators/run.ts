/**
 * Operator benchmark: the same Widget operator written with Capstan, controller-runtime and
 * kopf, and a raw client doing the same writes (the physical limit), one after the other on
 * one local control plane in one run, so every figure is a ratio measured under the same
 * conditions. See docs/benchmarks.md.
 *
 *   npm run bench:operators -- [--n 1000] [--only capstan,controller-runtime] [--quick]
 *
 * Per contender: a fresh namespace; the operator started (its own process) and proven
 * working on one probe Widget; N Widgets created in a burst; converge time, create→Ready
 * latency (this process's own watch), RSS and CPU (/proc), API requests by verb
 * (kube-apiserver's /metrics); then a restart over the N converged Widgets: time until its
 * caches synced and the writes it makes (target: none). Writes bench/results/operators.*.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, createWriteStream } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { KubeClient, NotFoundError } from "../../src/client/index.js";
import { startControlPlane } from "../../src/controlplane/index.js";
import { cacheDir, packageRoot } from "../../src/controlplane/paths.js";
import { barChartSvg } from "../lib/chart.js";
import { nodeScript } from "../lib/script.js";
import {
  delta,
  ProcSampler,
  quantile,
  sampleProc,
  scrape,
  workloadWrites,
  type Scrape,
} from "./measure.js";
import { ensureControllerRuntime, ensureKopf, peersDir } from "./peers.js";
import { GROUP, installWidgetCrd, isReady, WIDGET, type Widget } from "./widget.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ALL = [
  "capstan",
  "capstan-baseline",
  "capstan-get",
  "controller-runtime",
  "kopf",
  "raw",
] as const;
type Name = (typeof ALL)[number];

const { values } = parseArgs({
  options: {
    n: { type: "string" },
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    concurrency: { type: "string", default: "16" },
    "create-concurrency": { type: "string", default: "32" },
    "raw-concurrency": { type: "string", default: "64" },
    "timeout-s": { type: "string" },
    /** Capstan only: a V8 CPU profile and a queue trace into ~/.cache/capstan/bench/logs. */
    profile: { type: "boolean", default: false },
    /** Capstan only: the queue trace (with CPU time) without the profiler's overhead. */
    trace: { type: "boolean", default: false },
    repeat: { type: "string" },
    /** Extra Node flags for the Capstan contenders, e.g. "--max-semi-space-size=4". */
    "capstan-node-flags": { type: "string" },
    /** Where the results go (default bench/results). */
    out: { type: "string" },
    /**
     * Another checkout of Capstan, built (its dist/), run as the contender `capstan-baseline`
     * in the same invocation: a before/after of a runtime change against the same peers.
     */
    baseline: { type: "string" },
  },
});
const N = Number(values.n ?? (values.quick ? 200 : 1000));
const CONCURRENCY = Number(values.concurrency);
const CREATE_CONCURRENCY = Number(values["create-concurrency"]);
const RAW_CONCURRENCY = Number(values["raw-concurrency"]);
const TIMEOUT_MS = 1000 * Number(values["timeout-s"] ?? Math.max(300, N * 0.2));
/** Repeats per contender, interleaved (the order rotates), medians reported. */
const REPEAT = Number(values.repeat ?? (N <= 1000 ? 3 : 1));
const ONLY = (values.only?.split(",").map((s) => s.trim()) ??
  ALL.filter((c) => c !== "capstan-baseline")) as Name[];
if (values.baseline && !ONLY.includes("capstan-baseline")) ONLY.push("capstan-baseline");
if (ONLY.includes("capstan-baseline") && !values.baseline)
  throw new Error("--only capstan-baseline needs --baseline DIR (a built checkout of Capstan)");
for (const o of ONLY) if (!ALL.includes(o)) throw new Error(`--only: unknown contender ${o}`);

const log = (s: string) => process.stderr.write(s);
const logDir = path.join(cacheDir(), "bench", "logs");
mkdirSync(logDir, { recursive: true });

// ---------------------------------------------------------------- contenders

interface Launch {
  cmd: string;
  args: string[];
  env: Record<string, string>;
  /** Prints READY once its caches synced (kopf has no such signal). */
  readyLine: boolean;
}

const nodeArgs = (f: string) => nodeScript(here, f);

const versions: Record<string, unknown> = {
  capstan: JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")).version,
  node: process.version,
};
const settings: Record<string, Record<string, unknown>> = {};
const launchers: Partial<Record<Name, (ns: string, kubeconfig: string) => Launch>> = {};

async function prepare(): Promise<void> {
  const capstanSettings = (cached: boolean) => ({
    "queue.concurrency": CONCURRENCY,
    ...(values["capstan-node-flags"] ? { "node flags": values["capstan-node-flags"] } : {}),
    cache: "Widgets full (managedFields stripped), ConfigMaps metadata-only",
    child: cached
      ? "server-side apply; a Widget already Ready for its generation: its child checked in ctx.owned(ConfigMap), the controller's metadata-only cache (owner + content-hash annotation), no request"
      : "server-side apply; a Widget already Ready for its generation: GET the child first (the runtime before ctx.owned)",
    status: "merge patch of /status, skipped when unchanged",
    predicate: "default (generation, labels, annotations, finalizers, deletion)",
    "client rate limit": "off (default)",
    "leader election": "off",
    log: "warn",
  });
  const capstanLauncher =
    (cached: boolean, root?: string) =>
    (ns: string, kubeconfig: string): Launch => ({
      cmd: process.execPath,
      args: [
        ...(values.profile
          ? ["--cpu-prof", `--cpu-prof-dir=${path.join(logDir, "profiles")}`]
          : []),
        ...(values["capstan-node-flags"]?.split(" ").filter(Boolean) ?? []),
        ...(root
          ? [path.join(path.resolve(root), "dist", "bench", "operators", "capstan.js")]
          : nodeArgs("capstan")),
      ],
      env: {
        KUBECONFIG: kubeconfig,
        WIDGET_NAMESPACE: ns,
        WIDGET_CONCURRENCY: `${CONCURRENCY}`,
        ...(cached ? {} : { WIDGET_CHILD_GET: "1" }),
        ...(values.profile || values.trace ? { WIDGET_TRACE: "1" } : {}),
      },
      readyLine: true,
    });
  if (ONLY.includes("capstan")) {
    settings.capstan = capstanSettings(true);
    launchers.capstan = capstanLauncher(true);
  }
  if (values.baseline) {
    settings["capstan-baseline"] = { ...capstanSettings(true), build: values.baseline };
    launchers["capstan-baseline"] = capstanLauncher(true, values.baseline);
  }
  if (ONLY.includes("capstan-get")) {
    settings["capstan-get"] = capstanSettings(false);
    launchers["capstan-get"] = capstanLauncher(false);
  }
  if (ONLY.includes("raw")) {
    settings.raw = {
      concurrency: RAW_CONCURRENCY,
      writes: "create Widget → apply ConfigMap → merge-patch status, per object, pipelined",
      "watch/cache": "none",
    };
    launchers.raw = (ns, kubeconfig) => ({
      cmd: process.execPath,
      args: nodeArgs("raw"),
      env: {
        KUBECONFIG: kubeconfig,
        WIDGET_NAMESPACE: ns,
        WIDGET_CONCURRENCY: `${RAW_CONCURRENCY}`,
        WIDGET_COUNT: `${N}`,
        WIDGET_PREFIX: "w",
      },
      readyLine: true,
    });
  }
  if (ONLY.includes("controller-runtime")) {
    const cr = await ensureControllerRuntime(log);
    versions["controller-runtime"] = cr.version;
    versions["client-go"] = cr.k8s;
    versions.go = cr.goVersion;
    settings["controller-runtime"] = {
      MaxConcurrentReconciles: CONCURRENCY,
      cache: "Widgets and ConfigMaps, full objects (Owns), namespace-scoped",
      child: "cached Get; server-side Apply (client.Apply, ForceOwnership) when missing/different",
      status: "Status().Update when phase/observedGeneration differ",
      predicate: "GenerationChangedPredicate on For",
      "client rate limit": "off (controller-runtime default since v0.21: QPS -1)",
      "priority queue": "off (v0.22 default)",
      "leader election": "off",
      log: "error",
    };
    launchers["controller-runtime"] = (ns, kubeconfig) => ({
      cmd: cr.binary,
      args: [],
      env: {
        KUBECONFIG: kubeconfig,
        WIDGET_NAMESPACE: ns,
        WIDGET_GROUP: GROUP,
        WIDGET_CONCURRENCY: `${CONCURRENCY}`,
      },
      readyLine: true,
    });
  }
  if (ONLY.includes("kopf")) {
    const kopf = await ensureKopf(log);
    versions.kopf = kopf.version;
    versions["kubernetes (Python client)"] = kopf.requirements.kubernetes;
    versions.python = kopf.pythonVersion;
    settings.kopf = {
      "settings.execution.max_workers": CONCURRENCY,
      handlers: "@kopf.on.create + @kopf.on.update(field='spec'), sync, in kopf's thread pool",
      child: "server-side apply with the kubernetes client (kopf.adopt)",
      status: "through kopf's patch (status.phase, status.observedGeneration)",
      flags: "kopf run --standalone --namespace NS; every other setting kopf's default",
      "client rate limit": "none (kopf has none)",
    };
    launchers.kopf = (ns, kubeconfig) => ({
      cmd: kopf.python,
      args: [
        "-m",
        "kopf",
        "run",
        "--standalone",
        "--namespace",
        ns,
        path.join(peersDir(), "kopf", "operator.py"),
      ],
      env: { KUBECONFIG: kubeconfig, WIDGET_GROUP: GROUP, WIDGET_CONCURRENCY: `${CONCURRENCY}` },
      readyLine: false,
    });
  }
}

// ---------------------------------------------------------------- processes

const started = new Set<ChildProcess>();

interface Proc {
  child: ChildProcess;
  pid: number;
  sampler: ProcSampler;
  lines: AsyncIterator<string>;
  waitLine(want: string, timeoutMs: number): Promise<boolean>;
  exited: Promise<number | null>;
}

function launch(name: string, l: Launch, phase: string): Proc {
  const child = spawn(l.cmd, l.args, {
    env: { PATH: process.env.PATH ?? "", HOME: os.homedir(), ...l.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  started.add(child);
  const file = createWriteStream(path.join(logDir, `${name}-${N}-${phase}.log`));
  child.stderr!.pipe(file);
  const exited = new Promise<number | null>((r) =>
    child.on("exit", (code) => {
      started.delete(child);
      r(code);
    }),
  );
  const rl = createInterface({ input: child.stdout! });
  const seen: string[] = [];
  const waiters: { want: string; resolve: (ok: boolean) => void }[] = [];
  rl.on("line", (line) => {
    file.write(`[stdout] ${line}\n`);
    seen.push(line.trim());
    for (const w of [...waiters])
      if (line.trim() === w.want) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(true);
      }
  });
  return {
    child,
    pid: child.pid!,
    sampler: new ProcSampler(child.pid!),
    lines: rl[Symbol.asyncIterator](),
    exited,
    waitLine: (want, timeoutMs) =>
      seen.includes(want)
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const w = { want, resolve };
            waiters.push(w);
            void exited.then(() => resolve(false));
            setTimeout(() => resolve(false), timeoutMs).unref();
          }),
  };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return void p.sampler.stop();
  p.child.kill("SIGTERM");
  const ok = await Promise.race([p.exited.then(() => true), sleep(20_000).then(() => false)]);
  if (!ok) {
    p.child.kill("SIGKILL");
    await p.exited;
  }
  p.sampler.stop();
}

// ---------------------------------------------------------------- the watcher

/** This process's own watch: when each Widget was first seen, and first seen Ready. */
class Watcher {
  readonly added = new Map<string, number>();
  readonly ready = new Map<string, number>();
  private readonly abort = new AbortController();
  private readonly waiters: { check: () => boolean; resolve: () => void }[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
  ) {}

  async start(): Promise<void> {
    const ref = { ...WIDGET, namespace: this.namespace };
    const { resourceVersion } = await this.kube.list(ref);
    const stream = this.kube.watch<typeof ref, Widget>(ref, {
      resourceVersion,
      signal: this.abort.signal,
    });
    this.running = (async () => {
      try {
        for await (const ev of stream) {
          if (ev.type === "BOOKMARK" || ev.type === "DELETED") continue;
          const name = ev.object.metadata.name!;
          const now = performance.now();
          if (!this.added.has(name)) this.added.set(name, now);
          if (!this.ready.has(name) && isReady(ev.object)) this.ready.set(name, now);
          for (const w of [...this.waiters])
            if (w.check()) {
              this.waiters.splice(this.waiters.indexOf(w), 1);
              w.resolve();
            }
        }
      } catch (e) {
        if (!this.abort.signal.aborted) log(`watcher: ${String(e)}\n`);
      }
    })();
  }

  until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { check, resolve: () => resolve(true) };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(check());
      }, timeoutMs).unref();
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }
}

// ---------------------------------------------------------------- one contender

interface Result {
  contender: Name;
  n: number;
  converged: number;
  timedOut: boolean;
  startupMs: number;
  convergeMs: number;
  objectsPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  rssMiB: { peak: number; steady: number };
  cpuSeconds: { burst: number; total: number };
  /** CPU the control plane spent during the burst, by component. */
  controlPlaneCpuSeconds: Record<string, number>;
  requests: Record<string, number>;
  requestsPerObject: Record<string, number>;
  restart?: {
    readyMs: number;
    readySignal: string;
    watchesOpenMs: number;
    writes: number;
    requests: Record<string, number>;
    cpuSeconds: number;
    rssMiB: number;
    quietAfterMs: number;
  };
  error?: string;
}

const perObject = (d: Record<string, number>) =>
  Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v / N]));

async function createBurst(kube: KubeClient, ns: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        await kube.create({
          ...WIDGET,
          metadata: { name: `w-${i}`, namespace: ns },
          spec: { size: i % 10 },
        });
      }
    }),
  );
}

/** Polls /metrics until `done(scrape)` or the timeout; resolves with the time taken (ms). */
async function pollMetrics(
  kube: KubeClient,
  done: (s: Scrape) => boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (done(await scrape(kube))) return performance.now() - t0;
    await sleep(everyMs);
  }
  return NaN;
}

let controlPlanePids: Record<string, number | undefined> = {};
const controlPlaneCpu = () =>
  Object.fromEntries(
    Object.entries(controlPlanePids).map(([k, pid]) => [
      k,
      pid ? (sampleProc(pid)?.cpuSeconds ?? NaN) : NaN,
    ]),
  );

async function runOne(kube: KubeClient, kubeconfig: string, name: Name): Promise<Result> {
  const ns = `bench-${name}-${N}-${Date.now().toString(36)}`;
  await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const watcher = new Watcher(kube, ns);
  await watcher.start();
  const l = launchers[name]!(ns, kubeconfig);
  const names = Array.from({ length: N }, (_, i) => `w-${i}`);
  const allReady = () => watcher.ready.size >= N + (name === "raw" ? 0 : 1);
  const result: Result = {
    contender: name,
    n: N,
    converged: 0,
    timedOut: false,
    startupMs: NaN,
    convergeMs: NaN,
    objectsPerSec: NaN,
    latencyMs: { p50: NaN, p90: NaN, p99: NaN, max: NaN },
    rssMiB: { peak: NaN, steady: NaN },
    cpuSeconds: { burst: NaN, total: NaN },
    controlPlaneCpuSeconds: {},
    requests: {},
    requestsPerObject: {},
  };
  const tSpawn = performance.now();
  let p = launch(name, l, "run");
  try {
    // Started and proven working: a probe Widget reconciled (the raw client has no loop).
    if (l.readyLine && !(await p.waitLine("READY", 120_000)))
      throw new Error(`${name} never printed READY (see ${logDir})`);
    if (name !== "raw") {
      await kube.create({
        ...WIDGET,
        metadata: { name: "probe", namespace: ns },
        spec: { size: 0 },
      });
      if (!(await watcher.until(() => watcher.ready.has("probe"), 120_000)))
        throw new Error(`${name} did not reconcile the probe Widget (see ${logDir})`);
    }
    result.startupMs = performance.now() - tSpawn;
    await sleep(1000); // let the probe's trailing requests land before the baseline
    const m0 = await scrape(kube);
    const cpu0 = sampleProc(p.pid)!.cpuSeconds;
    const cp0 = controlPlaneCpu();
    log(`${name}: started in ${result.startupMs.toFixed(0)} ms; creating ${N} Widgets…\n`);

    const t0 = performance.now();
    if (name === "raw") p.child.stdin!.write("GO\n");
    else void createBurst(kube, ns).catch((e: unknown) => log(`create burst: ${String(e)}\n`));
    const converged = await watcher.until(allReady, TIMEOUT_MS);
    const tEnd = Math.max(...names.map((n) => watcher.ready.get(n) ?? -Infinity));
    const last = p.sampler.sample();
    const cp1 = controlPlaneCpu();
    result.controlPlaneCpuSeconds = Object.fromEntries(
      Object.entries(cp1).map(([k, v]) => [k, v - (cp0[k] ?? NaN)]),
    );
    result.timedOut = !converged;
    result.converged = names.filter((n) => watcher.ready.has(n)).length;
    result.convergeMs = converged ? tEnd - t0 : TIMEOUT_MS;
    result.objectsPerSec = (result.converged / result.convergeMs) * 1000;
    const lat = names
      .filter((n) => watcher.ready.has(n) && watcher.added.has(n))
      .map((n) => watcher.ready.get(n)! - watcher.added.get(n)!)
      .sort((a, b) => a - b);
    result.latencyMs = {
      p50: quantile(lat, 0.5),
      p90: quantile(lat, 0.9),
      p99: quantile(lat, 0.99),
      max: lat.at(-1) ?? NaN,
    };
    result.cpuSeconds = { burst: (last?.cpuSeconds ?? NaN) - cpu0, total: last?.cpuSeconds ?? NaN };

    log(
      `${name}: ${result.converged}/${N} Ready in ${result.convergeMs.toFixed(0)} ms ` +
        `(${result.objectsPerSec.toFixed(1)}/s), p50 ${result.latencyMs.p50.toFixed(0)} ms, ` +
        `p99 ${result.latencyMs.p99.toFixed(0)} ms${result.timedOut ? " — TIMED OUT" : ""}\n`,
    );
    await sleep(5000);
    const steady = p.sampler.sample();
    // Requests once it is quiet again: trailing reads after the last Ready count too.
    result.requests = delta(await scrape(kube), m0);
    result.requestsPerObject = perObject(result.requests);
    const alive = p.child.exitCode === null && p.child.signalCode === null;
    result.rssMiB = { peak: p.sampler.peakRssMiB, steady: alive ? (steady?.rssMiB ?? NaN) : NaN };

    if (name !== "raw" && !result.timedOut) {
      // Restart over N converged objects: time to ready, and every write it makes.
      await stop(p);
      await sleep(1000);
      const m2 = await scrape(kube);
      const baseWidgets = m2.watches.widgets ?? 0;
      const baseCms = m2.watches.configmaps ?? 0;
      const tR = performance.now();
      p = launch(name, l, "restart");
      const signal = l.readyLine
        ? p.waitLine("READY", 120_000).then((ok) => (ok ? performance.now() - tR : NaN))
        : Promise.resolve(NaN);
      // Its watches open: a list-then-watch client opens them after its list.
      const ownsCms = name !== "kopf";
      const watchesOpenMs = await pollMetrics(
        kube,
        (s) =>
          (s.watches.widgets ?? 0) > baseWidgets &&
          (!ownsCms || (s.watches.configmaps ?? 0) > baseCms),
        120_000,
      );
      const readyMs = await signal;
      // Quiet: no workload write for 5 s and under 0.05 s of CPU in the last second.
      const tq = performance.now();
      let lastWrites = -1;
      let stableSince = performance.now();
      let lastCpu = sampleProc(p.pid)?.cpuSeconds ?? 0;
      let m3 = m2;
      while (performance.now() - tq < 180_000) {
        await sleep(1000);
        m3 = await scrape(kube);
        const w = workloadWrites(delta(m3, m2));
        const cpu = sampleProc(p.pid)?.cpuSeconds ?? lastCpu;
        const busy = cpu - lastCpu > 0.05;
        lastCpu = cpu;
        if (w !== lastWrites || busy) {
          lastWrites = w;
          stableSince = performance.now();
        } else if (performance.now() - stableSince >= 5000) break;
      }
      const d = delta(m3, m2);
      const s = p.sampler.sample();
      result.restart = {
        readyMs: Number.isNaN(readyMs) ? watchesOpenMs : readyMs,
        readySignal: Number.isNaN(readyMs) ? "watches open (apiserver metrics)" : "caches synced",
        watchesOpenMs,
        writes: workloadWrites(d),
        requests: d,
        cpuSeconds: s?.cpuSeconds ?? NaN,
        rssMiB: s?.rssMiB ?? NaN,
        quietAfterMs: stableSince - tR,
      };
      log(
        `${name}: restart ready in ${result.restart.readyMs.toFixed(0)} ms, ` +
          `${result.restart.writes} writes\n`,
      );
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
    log(`${name}: ${result.error}\n`);
  } finally {
    await stop(p);
    await watcher.stop();
    await deleteNamespace(kube, ns);
  }
  return result;
}

async function deleteNamespace(kube: KubeClient, ns: string): Promise<void> {
  const ref = { apiVersion: "v1", kind: "Namespace", name: ns } as const;
  await kube.delete(ref).catch(() => undefined);
  const t0 = performance.now();
  while (performance.now() - t0 < 600_000) {
    try {
      await kube.get(ref);
    } catch (e) {
      if (e instanceof NotFoundError) return;
    }
    await sleep(1000);
  }
  log(`namespace ${ns} still terminating after 10 min; going on\n`);
}

// ---------------------------------------------------------------- main

await prepare();
const cp = await startControlPlane();
const samples: Result[] = [];
const killAll = () => {
  for (const c of started) if (c.pid) process.kill(c.pid, "SIGKILL");
};
process.once("exit", killAll);
try {
  const kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  await installWidgetCrd(kube);
  // kube-controller-manager's garbage collector finds new kinds on its 30 s discovery resync;
  // until then it looks owners up with GETs that would land in the first contender's figures.
  log("waiting 35 s for the garbage collector to pick up the Widget kind…\n");
  await sleep(35_000);
  versions.kubernetes = cp.version;
  controlPlanePids = { ...cp.pids };
  for (let r = 0; r < REPEAT; r++) {
    const order = ONLY.map((_, i) => ONLY[(i + r) % ONLY.length]!);
    for (const name of order) {
      log(`\n== ${name}, N=${N}, run ${r + 1}/${REPEAT} ==\n`);
      samples.push(await runOne(kube, cp.kubeconfig, name));
    }
  }
} finally {
  killAll();
  await cp.stop();
}

// ---------------------------------------------------------------- report

const med = (xs: number[]) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const h = Math.floor(v.length / 2);
  return v.length % 2 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
};
/** Per contender: the median of each figure over its runs (the worst for restart writes). */
function summarize(rs: Result[]): Result {
  const byRate = [...rs].sort((a, b) => a.objectsPerSec - b.objectsPerSec);
  const mid = byRate[Math.floor(byRate.length / 2)]!;
  const m = (f: (r: Result) => number) => med(rs.map(f));
  const restarts = rs.filter((r) => r.restart).map((r) => r.restart!);
  return {
    ...mid,
    converged: Math.min(...rs.map((r) => r.converged)),
    timedOut: rs.some((r) => r.timedOut),
    error: rs.find((r) => r.error)?.error,
    startupMs: m((r) => r.startupMs),
    convergeMs: m((r) => r.convergeMs),
    objectsPerSec: m((r) => r.objectsPerSec),
    latencyMs: {
      p50: m((r) => r.latencyMs.p50),
      p90: m((r) => r.latencyMs.p90),
      p99: m((r) => r.latencyMs.p99),
      max: m((r) => r.latencyMs.max),
    },
    rssMiB: { peak: m((r) => r.rssMiB.peak), steady: m((r) => r.rssMiB.steady) },
    cpuSeconds: { burst: m((r) => r.cpuSeconds.burst), total: m((r) => r.cpuSeconds.total) },
    controlPlaneCpuSeconds: Object.fromEntries(
      Object.keys(mid.controlPlaneCpuSeconds).map((k) => [
        k,
        m((r) => r.controlPlaneCpuSeconds[k] ?? NaN),
      ]),
    ),
    restart: restarts.length
      ? {
          ...restarts[0]!,
          readyMs: med(restarts.map((x) => x.readyMs)),
          watchesOpenMs: med(restarts.map((x) => x.watchesOpenMs)),
          writes: Math.max(...restarts.map((x) => x.writes)),
        }
      : undefined,
  };
}
const results = ONLY.map((name) => summarize(samples.filter((s) => s.contender === name)));

const out = values.out ? path.resolve(values.out) : path.join(packageRoot(), "bench", "results");
mkdirSync(out, { recursive: true });
const jsonPath = path.join(out, "operators.json");
interface Run {
  date: string;
  n: number;
  machine: Record<string, unknown>;
  versions: Record<string, unknown>;
  settings: Record<string, unknown>;
  repeat: number;
  results: Result[];
  samples: Result[];
}
const previous: { runs?: Record<string, Run> } = existsSync(jsonPath)
  ? (JSON.parse(readFileSync(jsonPath, "utf8")) as { runs?: Record<string, Run> })
  : {};
const run: Run = {
  date: new Date().toISOString(),
  n: N,
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
  },
  versions,
  settings: {
    widgets: N,
    "create concurrency (orchestrator)": CREATE_CONCURRENCY,
    "timeout per contender (s)": TIMEOUT_MS / 1000,
    contenders: settings,
  },
  repeat: REPEAT,
  results,
  samples,
};
const runs = { ...(previous.runs ?? {}), [String(N)]: run };
writeFileSync(jsonPath, JSON.stringify({ runs }, null, 2) + "\n");

const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "—");
const verbs = (r: Record<string, number>) =>
  Object.entries(r)
    .filter(([k]) => /\s(widgets|configmaps|events)/.test(k) && !k.startsWith("WATCH"))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join("<br>");
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "—");

function section(r: Run): string[] {
  const by = Object.fromEntries(r.results.map((x) => [x.contender, x])) as Partial<
    Record<Name, Result>
  >;
  const lines = [
    `## N = ${r.n.toLocaleString("en")}`,
    "",
    `${r.date}; ${String(r.machine.cpus)} CPUs (${String(r.machine.model)}), ${String(r.machine.memoryGiB)} GiB; one control plane, contenders one after another; ${(r.repeat ?? 1) > 1 ? `median of ${r.repeat} interleaved runs each (restart writes: the worst run)` : "one run each"}.`,
    "",
    "| contender | converged | converge time | objects/s | create→Ready p50 / p99 | peak / steady RSS | CPU s (burst): contender / apiserver + etcd | API requests per object | restart: ready / writes |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const x of r.results) {
    lines.push(
      `| ${x.contender} | ${x.converged}/${x.n}${x.timedOut ? " (timed out)" : ""}${x.error ? ` (error: ${x.error.slice(0, 80)})` : ""} | ${f(x.convergeMs / 1000, 1)} s | ${f(x.objectsPerSec, 1)} | ${f(x.latencyMs.p50)} / ${f(x.latencyMs.p99)} ms | ${f(x.rssMiB.peak)} / ${f(x.rssMiB.steady)} MiB | ${f(x.cpuSeconds.burst, 1)} / ${f((x.controlPlaneCpuSeconds?.["kube-apiserver"] ?? NaN) + (x.controlPlaneCpuSeconds?.etcd ?? NaN), 1)} | ${verbs(x.requestsPerObject)} | ${x.restart ? `${f(x.restart.readyMs)} ms / **${x.restart.writes}**` : "—"} |`,
    );
  }
  const rows: string[] = [];
  for (const variant of ["capstan", "capstan-baseline", "capstan-get"] as const) {
    const cap = by[variant];
    if (!cap) continue;
    for (const [peer, target] of [
      ["controller-runtime", "throughput ≥ 1.0×, p99 ≤ 1.0×, RSS ≤ 1.5×"],
      ["kopf", "throughput ≥ 10×, RSS ≤ 0.5×"],
      ["raw", "throughput ≥ 0.8×"],
    ] as const) {
      const o = by[peer];
      if (!o) continue;
      const na = peer === "raw";
      rows.push(
        `| ${variant} vs ${peer} | ${ratio(cap.objectsPerSec, o.objectsPerSec)} | ${na ? "—" : ratio(cap.latencyMs.p99, o.latencyMs.p99)} | ${na ? "—" : ratio(cap.rssMiB.peak, o.rssMiB.peak)} | ${na ? "—" : ratio(cap.cpuSeconds.burst, o.cpuSeconds.burst)} | ${target} |`,
      );
    }
  }
  if (rows.length) {
    lines.push(
      "",
      "Capstan's ratios (same run):",
      "",
      "| | throughput | p99 latency | peak RSS | CPU | target |",
      "| --- | --- | --- | --- | --- | --- |",
      ...rows,
    );
  }
  lines.push("", "Settings:", "");
  lines.push(
    `- Widgets: ${r.n}; created by the orchestrator with concurrency ${String((r.settings as Record<string, unknown>)["create concurrency (orchestrator)"])} (the raw client creates its own); timeout per contender ${String((r.settings as Record<string, unknown>)["timeout per contender (s)"])} s.`,
  );
  for (const [name, s] of Object.entries(
    (r.settings as { contenders: Record<string, Record<string, unknown>> }).contenders,
  )) {
    lines.push(
      `- ${name}: ${Object.entries(s)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join("; ")}`,
    );
  }
  lines.push(
    `- Versions: ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(", ")}`,
    "",
  );
  return lines;
}

const ordered = Object.values(runs).sort((a, b) => a.n - b.n);
const md = [
  "# Operators: Capstan vs controller-runtime vs kopf vs the raw limit",
  "",
  "The same Widget operator (per Widget: server-side-apply one owned ConfigMap, set status Ready",
  "with observedGeneration) in each framework, on one local control plane, one contender at a",
  "time. Latency is create→Ready as seen by the orchestrator's own watch; RSS and CPU from",
  "/proc; requests from kube-apiserver's `apiserver_request_total` (the orchestrator's own",
  "`POST widgets`, one per object, included; SSA shows as `APPLY`). Restart: the operator",
  "stopped and started again over the N converged Widgets; writes are POST/PUT/PATCH/APPLY/DELETE",
  "on Widgets and ConfigMaps until it is quiet. Ratios are only quoted within one run.",
  "`capstan` checks each child in `ctx.owned(ConfigMap)` (the controller's metadata-only cache);",
  "`capstan-get` is the same operator reading the child with a GET instead — the runtime before",
  "`ctx.owned` existed — for the before/after (see docs/benchmarks.md).",
  "",
  ...ordered.flatMap(section),
  "Reproduce: `npm run bench:operators -- --n 1000` (or `--n 10000`, `--quick`, `--only capstan,controller-runtime`). Details: [docs/benchmarks.md](../../docs/benchmarks.md).",
  "",
].join("\n");
writeFileSync(path.join(out, "operators.md"), md);

const contenders = ALL.filter((c) => ordered.some((r) => r.results.some((x) => x.contender === c)));
writeFileSync(
  path.join(out, "operators.svg"),
  barChartSvg({
    title: "Widget operator throughput, objects/s to Ready (higher is better)",
    unit: "/s",
    labels: ordered.map((r) => `N = ${r.n.toLocaleString("en")}`),
    series: contenders.map((c) => ({
      name: c,
      values: ordered.map((r) => r.results.find((x) => x.contender === c)?.objectsPerSec ?? 0),
    })),
  }),
);
process.stdout.write(md);
// Every contender is stopped and the control plane with them; do not wait on idle sockets.
process.exit(0);
