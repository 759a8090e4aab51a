// What a new user does, end to end: this package packed into a tarball, a project scaffolded
// with `capstan init --capstan <tarball>` in another directory, `npm install`, `npm test`
// (its own test, on the test run's control plane, which `capstan test` reuses), the type
// check and `npm run generate` (capstan generate deploy) — all from the installed package.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import { packageRoot } from "../controlplane/paths.js";

const run = promisify(execFile);
const root = packageRoot();
const work = mkdtempSync(path.join(os.tmpdir(), "capstan-init-project-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command, resolving with its stdout; on failure the error carries all its output. */
async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  // No NODE_TEST_CONTEXT: the project's test runner is its own, not a child of this one.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  try {
    return (await run(cmd, args, { cwd, env, maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    const r = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(" ")} in ${cwd} failed: ${r.message}\n${r.stdout}${r.stderr}`,
    );
  }
}

test(
  "a project made by capstan init from the packed package passes its tests and generates its deployment",
  { timeout: 280_000 },
  async () => {
    const t0 = Date.now();
    // dist/ is what the test run is compiled from already: no prepack build.
    const packed = await sh("npm", ["pack", "--ignore-scripts", "--pack-destination", work], root);
    const tarball = path.join(work, packed.trim().split("\n").at(-1)!);
    assert.ok(existsSync(tarball), packed);

    const project = path.join(work, "hello-op");
    await sh(
      process.execPath,
      [path.join(root, "bin", "capstan.js"), "init", project, "--capstan", tarball],
      work,
    );
    await sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], project);
    const t1 = Date.now();

    const tested = await sh("npm", ["test"], project);
    assert.match(tested, /^2 passed, 0 failed$/m, tested);
    const t2 = Date.now();

    await sh("npm", ["run", "typecheck"], project);
    await sh("npm", ["run", "generate"], project);
    const crds = readFileSync(path.join(project, "deploy", "base", "crds.yaml"), "utf8");
    assert.match(crds, /name: helloops\.hello-op\.example\.com/);
    const deployment = readFileSync(
      path.join(project, "deploy", "base", "deployment.yaml"),
      "utf8",
    );
    assert.match(deployment, /name: hello-op-operator/);
    const rbac = readFileSync(path.join(project, "deploy", "base", "rbac.yaml"), "utf8");
    assert.match(rbac, /configmaps/);
    console.log(
      `pack + init + install ${t1 - t0} ms; npm test ${t2 - t1} ms; ` +
        `typecheck + generate ${Date.now() - t2} ms`,
    );
  },
);
