// `capstan dev`: starts the local control plane, runs the operator, restarts it when the
// code changes, and leaves the control plane running after Ctrl-C.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "node:test";
import { clusterDown, clusterStatus } from "../controlplane/index.js";
import { eventually } from "../testing/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ext = path.extname(fileURLToPath(import.meta.url));
const pretty = { ...process.env, CAPSTAN_LOG_FORMAT: "pretty" };

/** `capstan dev …args` as a child, with everything it prints collected in `out()`. */
function startDev(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, path.join(here, `main${ext}`), "dev", ...args],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env,
    },
  );
  let out = "";
  // setEncoding decodes across chunks: a character may be split between two.
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, out: () => out, exited };
}

test("`capstan dev` runs the operator and restarts it when its code changes", async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "capstan-dev-"));
  const clusterDir = path.join(work, "cluster");
  const moduleDir = path.join(work, "op");
  const runtime = pathToFileURL(path.join(here, "..", "runtime", `index${ext}`)).href;
  const source = (greeting: string) =>
    `import { defineOperator } from ${JSON.stringify(runtime)};\n` +
    `export default defineOperator((op) => { op.on({ apiVersion: "v1", kind: "ConfigMap" }).create(({ log }) => log.info(${JSON.stringify(greeting)})); });\n`;
  await import("node:fs/promises").then((fs) => fs.mkdir(moduleDir));
  writeFileSync(path.join(moduleDir, "operator.ts"), source("first version"));
  const {
    child,
    out: output,
    exited,
  } = startDev([moduleDir, "-n", "default", "--cluster-dir", clusterDir], pretty);
  try {
    await eventually(
      async () => assert.equal(output().match(/caches synced/g)?.length, 1, output()),
      {
        timeoutMs: 90_000,
        what: "the operator to start",
      },
    );
    assert.match(output(), /started the local control plane/);
    // The handler runs just after the caches sync, not with it.
    await eventually(async () => assert.match(output(), /first version/), {
      what: "the create handler to run for the existing ConfigMap",
    });
    writeFileSync(path.join(moduleDir, "operator.ts"), source("second version"));
    await eventually(
      async () => assert.match(output(), /operator.ts changed: restarting the operator/),
      { what: "the restart" },
    );
    await eventually(
      async () => assert.equal(output().match(/caches synced/g)?.length, 2, output()),
      {
        timeoutMs: 60_000,
        what: "the new operator to start",
      },
    );
    child.kill("SIGINT");
    assert.equal(await exited, 0);
    assert.match(output(), /the control plane keeps running/);
    assert.equal((await clusterStatus(clusterDir)).state, "running");
  } finally {
    child.kill("SIGKILL");
    await clusterDown({ dir: clusterDir });
  }
});

test("`capstan dev --apply` applies the samples' objects, and the operator sees them", async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "capstan-dev-apply-"));
  const clusterDir = path.join(work, "cluster");
  const runtime = pathToFileURL(path.join(here, "..", "runtime", `index${ext}`)).href;
  writeFileSync(
    path.join(work, "operator.ts"),
    `import { defineOperator } from ${JSON.stringify(runtime)};\n` +
      `export default defineOperator((op) => { op.on({ apiVersion: "v1", kind: "ConfigMap" }).create(({ obj, log }) => log.info("saw " + obj.metadata.name)); });\n`,
  );
  mkdirSync(path.join(work, "samples"));
  writeFileSync(
    path.join(work, "samples", "sample.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-sample\ndata:\n  k: v\n",
  );
  const {
    child,
    out: output,
    exited,
  } = startDev(
    [
      path.join(work, "operator.ts"),
      "-n",
      "default",
      "--apply",
      path.join(work, "samples"),
      "--cluster-dir",
      clusterDir,
    ],
    pretty,
  );
  try {
    await eventually(async () => assert.match(output(), /saw from-sample/), {
      timeoutMs: 90_000,
      what: "the operator to see the sample",
    });
    assert.match(output(), /applied ConfigMap default\/from-sample/);
    // Ctrl-C stops the operator's process too; a kill would leave it holding our pipes.
    child.kill("SIGINT");
    assert.equal(await exited, 0);
  } finally {
    child.kill("SIGKILL");
    await clusterDown({ dir: clusterDir });
  }
});

test("the operator `capstan dev` runs stops when `capstan dev` is killed", async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "capstan-dev-kill-"));
  const clusterDir = path.join(work, "cluster");
  const runtime = pathToFileURL(path.join(here, "..", "runtime", `index${ext}`)).href;
  writeFileSync(
    path.join(work, "operator.ts"),
    `import { defineOperator } from ${JSON.stringify(runtime)};\n` +
      `export default defineOperator((op) => { op.on({ apiVersion: "v1", kind: "ConfigMap" }).create(() => undefined); });\n`,
  );
  const { child, out: output } = startDev([
    path.join(work, "operator.ts"),
    "-n",
    "default",
    "--cluster-dir",
    clusterDir,
  ]);
  // The operator inherits both pipes: they close only when it has exited too.
  const closed = Promise.all([
    new Promise((r) => child.stdout.on("close", r)),
    new Promise((r) => child.stderr.on("close", r)),
  ]);
  try {
    await eventually(async () => assert.match(output(), /caches synced/), {
      timeoutMs: 90_000,
      what: "the operator to start",
    });
    child.kill("SIGKILL");
    await eventually(
      async () =>
        assert.ok(
          await Promise.race([
            closed.then(() => true),
            new Promise((r) => setTimeout(r, 50, false)),
          ]),
          "the operator still holds the pipes",
        ),
      { timeoutMs: 30_000, what: "the orphaned operator to stop" },
    );
    assert.match(output(), /stopping|operator stopped/);
  } finally {
    child.kill("SIGKILL");
    await clusterDown({ dir: clusterDir });
  }
});
