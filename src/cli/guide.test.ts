// docs/guide.md, run as written: from the packed package, in a temporary directory, every
// ```sh run block is executed and every ```ts file=<path> block written, in order, so the
// guide cannot rot. One difference from a reader's machine: `npx capstan init` runs this
// package's bin with `--capstan <tarball>`, so the project installs the packed package and
// not a published version. `capstan dev` (a `background until="…"` block) runs until its
// output shows the text, then gets Ctrl-C; it and `capstan cluster` use a cluster directory
// of their own (CAPSTAN_CLUSTER_DIR), while `npm test` reuses the run's control plane.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { clusterDown } from "../controlplane/index.js";
import { packageRoot } from "../controlplane/paths.js";
import { packTarball, sh, userEnv } from "./project.testkit.js";

const root = packageRoot();
const work = mkdtempSync(path.join(os.tmpdir(), "capstan-guide-"));
const clusterDir = path.join(work, "cluster");
after(async () => {
  await clusterDown({ dir: clusterDir });
  rmSync(work, { recursive: true, force: true });
});

type Step =
  { kind: "file"; path: string; text: string } | { kind: "run"; script: string; until?: string };

/** The guide's marked blocks, in order: files to write and commands to run. */
export function guideSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  for (const m of markdown.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const [, lang, info, body] = m as unknown as [string, string, string, string];
    const file = /\bfile=(\S+)/.exec(info);
    if (file) steps.push({ kind: "file", path: file[1]!, text: body });
    else if (lang === "sh" && /\brun\b/.test(info)) {
      const until = /\buntil="([^"]+)"/.exec(info)?.[1];
      steps.push({ kind: "run", script: body, ...(until ? { until } : {}) });
    }
  }
  return steps;
}

/** Runs `script` in the background until its output contains `until`, then sends Ctrl-C. */
async function runUntil(script: string, until: string, cwd: string, env: NodeJS.ProcessEnv) {
  // Its own process group: Ctrl-C reaches npx, capstan dev and the operator, as in a terminal.
  const child = spawn("bash", ["-c", script], { cwd, env, detached: true });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${until}" in 120 s:\n${out}`)), 120_000);
      const check = () => {
        if (!out.includes(until)) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout.on("data", check);
      child.stderr.on("data", check);
      void exited.then(() => {
        clearTimeout(timer);
        if (out.includes(until)) resolve();
        else reject(new Error(`exited before "${until}":\n${out}`));
      });
    });
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, "SIGINT");
    const killer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 30_000);
    await exited;
    clearTimeout(killer);
  }
}

test(
  "the guide's steps, run from the packed package, write a project that passes its tests and deploys",
  { timeout: 420_000 },
  async () => {
    const steps = guideSteps(readFileSync(path.join(root, "docs", "guide.md"), "utf8"));
    assert.ok(steps.filter((s) => s.kind === "run").length >= 5, "the guide's run blocks");
    const tarball = await packTarball(work);
    // The guide's `npm install` runs as written; npm_config_prefer_offline only lets npm take
    // what the run's other install (init-project.test) cached without asking the registry
    // again: 8 s instead of 13 s on a warm cache.
    const env = userEnv({ CAPSTAN_CLUSTER_DIR: clusterDir, npm_config_prefer_offline: "true" });
    const preamble = [
      "set -euo pipefail",
      `npx() { if [ "$1 $2" = "capstan init" ]; then shift 2; ` +
        `node ${JSON.stringify(path.join(root, "bin", "capstan.js"))} init "$@" --capstan ${JSON.stringify(tarball)}; ` +
        `else command npx "$@"; fi; }`,
    ].join("\n");
    const cwdFile = path.join(work, "cwd");
    let cwd = work;
    for (const step of steps) {
      const t0 = Date.now();
      if (step.kind === "file") {
        mkdirSync(path.dirname(path.join(cwd, step.path)), { recursive: true });
        writeFileSync(path.join(cwd, step.path), step.text);
        continue;
      }
      if (step.until) await runUntil(`${preamble}\n${step.script}`, step.until, cwd, env);
      else {
        await sh(
          "bash",
          ["-c", `${preamble}\n${step.script}\npwd > ${JSON.stringify(cwdFile)}`],
          cwd,
          env,
        );
        cwd = readFileSync(cwdFile, "utf8").trim();
      }
      console.log(`${Date.now() - t0} ms: ${step.script.trim().split("\n").join("; ")}`);
    }
    const crds = readFileSync(path.join(cwd, "deploy", "base", "crds.yaml"), "utf8");
    assert.match(crds, /name: widgets\.widgets\.example\.com/);
  },
);
