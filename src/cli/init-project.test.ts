// What a new user does, end to end: this package packed into a tarball, a project scaffolded
// with `capstan init --capstan <tarball>` in another directory, `npm install`, `npm test`
// (its own test, on the test run's control plane, which `capstan test` reuses), the type
// check and `npm run generate` (capstan generate deploy) — all from the installed package,
// without @kubernetes/client-node (an optional peer, needed only by auth-provider users).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { packageRoot } from "../controlplane/paths.js";
import { packTarball, sh } from "./project.testkit.js";

const root = packageRoot();
const work = mkdtempSync(path.join(os.tmpdir(), "capstan-init-project-"));
after(() => rmSync(work, { recursive: true, force: true }));

test(
  "a project made by capstan init from the packed package passes its tests and generates its deployment",
  { timeout: 280_000 },
  async () => {
    const t0 = Date.now();
    const tarball = await packTarball(work);

    const project = path.join(work, "hello-op");
    await sh(
      process.execPath,
      [path.join(root, "bin", "capstan.js"), "init", project, "--capstan", tarball],
      work,
    );
    await sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], project);
    const t1 = Date.now();
    const clientNode = path.join(project, "node_modules", "@kubernetes", "client-node");
    assert.ok(!existsSync(clientNode), `${clientNode} is installed`);

    const tested = await sh("npm", ["test"], project);
    assert.match(tested, /^2 passed, 0 failed$/m, tested);
    const t2 = Date.now();

    // Declarations checked too (skipLibCheck off), as in a project that does not skip them.
    await sh("npm", ["run", "typecheck", "--", "--skipLibCheck", "false"], project);
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
    const size = (await sh("du", ["-sk", "node_modules"], project)).split("\t")[0];
    console.log(
      `pack + init + install ${t1 - t0} ms; npm test ${t2 - t1} ms; ` +
        `typecheck + generate ${Date.now() - t2} ms; node_modules ${size} KiB`,
    );
  },
);
