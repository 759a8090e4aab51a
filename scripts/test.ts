/**
 * The whole test suite: every compiled `*.test.js` under dist/, run by Node's test runner
 * against one real local control plane started for the run and stopped afterwards (also on
 * SIGINT/SIGTERM). Ends with a `N passed, N failed` line for CI.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  ensureNodeBinaries,
  nodeUnavailable,
  startControlPlane,
} from "../src/controlplane/index.js";
import { packageRoot } from "../src/controlplane/paths.js";
import { SHARED_CLUSTER_ENV } from "../src/testing/index.js";
import { ensureFerretDB } from "../src/testing/servers/ferretdb.js";

const root = packageRoot();

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.js"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const filter = process.argv.slice(2);
const files = findTests(path.join(root, "dist")).filter(
  (f) => filter.length === 0 || filter.some((p) => f.includes(p)),
);
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}

// Test files that start a real node: build its binaries now, with progress, rather than
// inside the first such test, where a cold build (minutes) would eat its time limit.
// Likewise FerretDB for the MongoUser tests: two test files building it at once on a cold
// machine, under the node's build, ran past their time limit.
const uses = (text: string) => files.some((f) => readFileSync(f, "utf8").includes(text));
if (uses("node: true") && nodeUnavailable() === undefined) {
  console.error("Preparing the local node's binaries…");
  await ensureNodeBinaries();
}
if (uses("mongo.testkit") || uses("startFerretDB")) await ensureFerretDB();

const t0 = Date.now();
console.error("Starting the local control plane for the test run…");
const cp = await startControlPlane();
console.error(`Control plane ${cp.version} ready at ${cp.server} after ${Date.now() - t0} ms.`);
const statePath = path.join(cp.dir, "state.json"); // written by the supervisor

const tap = path.join(os.tmpdir(), `capstan-test-${process.pid}.tap`);
const child = spawn(
  process.execPath,
  [
    "--test",
    "--test-concurrency=2",
    // A hung test fails after 5 min instead of holding CI. (Not --test-force-exit: it
    // exits before the TAP file below is flushed.)
    "--test-timeout=300000",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: "inherit", env: { ...process.env, [SHARED_CLUSTER_ENV]: statePath } },
);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => child.kill(sig));
}
const code = await new Promise<number>((r) => child.on("exit", (c, s) => r(c ?? (s ? 1 : 0))));
await cp.stop();

const summary = readFileSync(tap, "utf8");
const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, "m").exec(summary)?.[1] ?? 0);
const passed = count("pass");
const failed = count("fail") + count("cancelled");
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(code !== 0 || failed > 0 || passed === 0 ? 1 : 0);
