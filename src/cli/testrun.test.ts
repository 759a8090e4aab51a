// `capstan test`: which files it runs, how it counts, and that Ctrl-C still stops the control
// plane it started.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { eventually } from "../testing/index.js";
import { findTestFiles, tapSummary } from "./testrun.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ext = path.extname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), "capstan-testrun-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const touch = (rel: string) => {
  mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
  writeFileSync(path.join(tmp, rel), "");
};

test("test files are found under a directory, skipping node_modules, dist, deploy and hidden ones", () => {
  const root = path.join(tmp, "find");
  for (const f of ["src/a.test.ts", "src/deep/b.test.mts", "c.test.js", "src/a.ts"])
    touch(`find/${f}`);
  for (const d of ["node_modules/x", "dist/src", "deploy", ".git"]) touch(`find/${d}/x.test.ts`);
  assert.deepEqual(
    findTestFiles([root]).map((f) => path.relative(root, f)),
    ["c.test.js", "src/a.test.ts", "src/deep/b.test.mts"],
  );
});

test("a file given by path is run even if it is not named *.test.ts; a missing one is an error", () => {
  touch("given/check.ts");
  assert.deepEqual(findTestFiles([path.join(tmp, "given/check.ts")]), [
    path.join(tmp, "given/check.ts"),
  ]);
  assert.throws(() => findTestFiles([path.join(tmp, "nope.test.ts")]), /no such test file/);
});

test("the summary counts cancelled tests as failed", () => {
  const tap = "1..3\n# tests 3\n# pass 1\n# fail 1\n# cancelled 1\n# skipped 0\n";
  assert.deepEqual(tapSummary(tap), { passed: 1, failed: 2 });
  assert.deepEqual(tapSummary(""), { passed: 0, failed: 0 });
});

test("Ctrl-C during `capstan test` stops the runner and the control plane it started", async () => {
  const dir = path.join(tmp, "hang");
  const marker = path.join(dir, "cluster-dir");
  const testing = pathToFileURL(path.join(here, "..", "testing", `index${ext}`)).href;
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, "hang.test.ts"),
    `import { writeFileSync } from "node:fs";\nimport { test } from "node:test";\n` +
      `import { useControlPlane } from ${JSON.stringify(testing)};\n` +
      `test("waits", async () => {\n  const cp = await useControlPlane();\n` +
      `  writeFileSync(${JSON.stringify(marker)}, cp.dir);\n  await new Promise(() => setInterval(() => {}, 1000));\n});\n`,
  );
  // Its own cluster, not this run's: the variable would make it reuse ours.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CAPSTAN_TEST_CLUSTER;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(
    process.execPath,
    [...process.execArgv, path.join(here, `main${ext}`), "test", dir],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env,
    },
  );
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  try {
    const clusterDir = await eventually(async () => readFileSync(marker, "utf8"), {
      timeoutMs: 120_000,
      what: "the test to reach the control plane",
    });
    assert.ok(existsSync(clusterDir));
    child.kill("SIGINT");
    assert.equal(await exited, 1, out);
    assert.match(out, /^0 passed, \d+ failed$/m);
    assert.equal(existsSync(clusterDir), false, "the cluster's data is deleted once it stopped");
  } finally {
    child.kill("SIGKILL");
  }
});
