/**
 * One test run against one local control plane: start the cluster (or reuse the run's own,
 * when `CAPSTAN_TEST_CLUSTER` already names one), run Node's test runner on the given files
 * with the cluster's state.json in `CAPSTAN_TEST_CLUSTER` — so every `useControlPlane()`
 * shares it — print `N passed, N failed`, stop the cluster. Ctrl-C and SIGTERM reach the test
 * runner and the cluster is stopped after it. Used by `capstan test` and this repo's
 * `npm test` (scripts/test.ts).
 *
 * TypeScript test files load through tsx's loader (`--import`), the same loader `capstan run`
 * uses: it works on Node 20.19+ and on the current LTS alike, and resolves the `./x.js`
 * imports that TypeScript's NodeNext resolution asks for onto `./x.ts` — Node's own type
 * stripping exists only from 22.6 and does neither.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  SHARED_CLUSTER_ENV,
  ensureNodeBinaries,
  nodeUnavailable,
  sharedCluster,
  startControlPlane,
} from "../controlplane/index.js";

export interface TestRunOptions {
  /** Test files (absolute or relative to the working directory). */
  files: string[];
  /** Test files run at once (Node's default: one less than the CPUs). */
  concurrency?: number;
  /** A test running longer fails (default 5 min), instead of holding CI. */
  timeoutMs?: number;
  /** Where progress lines go (default stderr). */
  say?: (line: string) => void;
}

const TEST_FILE = /\.test\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(["node_modules", "dist", "deploy"]);

/**
 * The test files under each path: a file as it is, a directory searched for `*.test.ts`
 * (and `.js`), skipping node_modules, dist, deploy and hidden directories.
 */
export function findTestFiles(paths: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith(".")) walk(p);
      else if (e.isFile() && TEST_FILE.test(e.name)) found.push(p);
    }
  };
  for (const p of paths) {
    if (statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
    else if (statSync(p, { throwIfNoEntry: false })) found.push(p);
    else throw new Error(`no such test file or directory: ${p}`);
  }
  return [...new Set(found.map((f) => path.resolve(f)))].sort();
}

/** `N passed, N failed` from a TAP stream's closing counts. */
export function tapSummary(tap: string): { passed: number; failed: number } {
  const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, "m").exec(tap)?.[1] ?? 0);
  return { passed: count("pass"), failed: count("fail") + count("cancelled") };
}

/**
 * The test runner's environment. Without NODE_TEST_CONTEXT: a runner started from inside a
 * test (a test of `capstan test` itself) would otherwise report to its parent's runner
 * instead of running its own files.
 */
function runnerEnv(statePath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, [SHARED_CLUSTER_ENV]: statePath };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Runs the files against one control plane; resolves with the process's exit code. */
export async function runTests(o: TestRunOptions): Promise<number> {
  const say = o.say ?? ((s: string) => process.stderr.write(`${s}\n`));
  if (o.files.length === 0) {
    say("no test files found (*.test.ts)");
    return 1;
  }
  // Test files that start a real node: build its binaries now, with progress, rather than
  // inside the first such test, where a cold build (minutes) would eat its time limit.
  const needNode = o.files.some((f) => readFileSync(f, "utf8").includes("node: true"));
  if (needNode && nodeUnavailable() === undefined) {
    say("Preparing the local node's binaries…");
    await ensureNodeBinaries();
  }

  let statePath: string;
  let stop = async () => {};
  if (sharedCluster()) {
    statePath = process.env[SHARED_CLUSTER_ENV]!;
    say(`Using the test run's control plane (${SHARED_CLUSTER_ENV}=${statePath}).`);
  } else {
    const t0 = Date.now();
    say("Starting the local control plane for the test run…");
    const cp = await startControlPlane();
    say(`Control plane ${cp.version} ready at ${cp.server} after ${Date.now() - t0} ms.`);
    statePath = path.join(cp.dir, "state.json"); // written by the supervisor
    stop = () => cp.stop();
  }

  const tap = path.join(os.tmpdir(), `capstan-test-${process.pid}-${Date.now()}.tap`);
  const typescript = o.files.some((f) => /\.[cm]?ts$/.test(f));
  const child = spawn(
    process.execPath,
    [
      ...(typescript ? ["--import", import.meta.resolve("tsx")] : []),
      "--test",
      ...(o.concurrency ? [`--test-concurrency=${o.concurrency}`] : []),
      // Not --test-force-exit: it exits before the TAP file below is flushed.
      `--test-timeout=${o.timeoutMs ?? 300_000}`,
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tap}`,
      ...o.files,
    ],
    { stdio: "inherit", env: runnerEnv(statePath) },
  );
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on("SIGINT", forward).on("SIGTERM", forward);
  let code: number;
  try {
    code = await new Promise<number>((r) => child.on("exit", (c, s) => r(c ?? (s ? 1 : 0))));
  } finally {
    // Still ours while the cluster stops: a second Ctrl-C must not cut its teardown short.
    await stop();
    process.off("SIGINT", forward).off("SIGTERM", forward);
  }

  // No TAP file when the runner was stopped before it began: nothing passed.
  const summary = tapSummary(existsSync(tap) ? readFileSync(tap, "utf8") : "");
  rmSync(tap, { force: true });
  console.log(`\n${summary.passed} passed, ${summary.failed} failed`);
  return code !== 0 || summary.failed > 0 || summary.passed === 0 ? 1 : 0;
}
