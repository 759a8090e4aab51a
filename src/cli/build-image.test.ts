// `capstan build image` without a cluster: the Printer example's image is a valid OCI layout
// whose config is the generated Dockerfile's and Deployment's (numeric non-root user, /app,
// node running Capstan's CLI, `run <module>`), with the host's node and its libraries, the
// production modules only, and the project without what its build context ignores.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { hostNode, NODE_PATH } from "../controlplane/index.js";
import {
  readLayout,
  sha256,
  tarHeaders,
  type Config,
  type Manifest,
} from "../controlplane/images/images.testkit.js";
import { buildImage, type BuiltImage } from "./build-image.js";
import { HEALTH_PORT } from "./deploy.js";
import { deploymentObject } from "./deploy-manifests.js";
import { APP_DIR } from "./dockerfile.js";

const PRINTER = fileURLToPath(new URL("../../../examples/printer", import.meta.url));

describe("capstan build image (examples/printer, no cluster)", () => {
  let dir: string;
  let built: BuiltImage;
  let layout: ReturnType<typeof readLayout>;
  let manifest: Manifest;
  let config: Config;
  /** Paths of a layer's entries, without a leading `/` (as in the tar). */
  let files: string[][];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "capstan-build-image-"));
    const out = path.join(dir, "printer.oci.tar");
    // No --import, and a cluster directory without a node: the tarball is only written.
    built = await buildImage(PRINTER, { out, clusterDir: dir });
    execFileSync("tar", ["-xf", out, "-C", dir]);
    layout = readLayout(dir);
    manifest = layout.manifest(layout.index.manifests[0]!);
    config = layout.config(manifest);
    files = await Promise.all(
      manifest.layers.map(async (l) => (await tarHeaders(layout.blob(l))).map((h) => h.name)),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("is named as the generated Deployment's default image", () => {
    assert.equal(built.name, "printer-operator:dev");
    assert.equal(
      layout.index.manifests[0]!.annotations?.["io.containerd.image.name"],
      "docker.io/library/printer-operator:dev",
    );
  });

  test("is not imported where the cluster has no node, unless --import asks", () => {
    assert.equal(built.imported, undefined);
  });

  test("runs as the Deployment's numeric non-root user and group", () => {
    const pod = deploymentObject({
      name: "printer-operator",
      namespace: "printer-system",
      image: built.name,
      replicas: 1,
      module: built.module,
      watch: ["printer-system"],
      installCrds: false,
      healthPort: HEALTH_PORT,
    }) as { spec: { template: { spec: { securityContext: Record<string, number> } } } };
    const sc = pod.spec.template.spec.securityContext;
    assert.equal(config.config.User, `${sc.runAsUser}:${sc.runAsGroup}`);
    assert.notEqual(sc.runAsUser, 0);
  });

  test("starts node on Capstan's CLI in /app, with `run <module>` as its arguments", () => {
    assert.deepEqual(config.config.Entrypoint, ["node", "bin/capstan.js"]);
    assert.deepEqual(config.config.Cmd, ["run", "examples/printer"]);
    assert.equal(config.config.WorkingDir, APP_DIR);
    assert.ok((config.config.Env as string[]).includes("NODE_ENV=production"));
  });

  test("names each of its three layers by the sha256 of its bytes, which is also its diff_id", () => {
    assert.equal(manifest.layers.length, 3);
    for (const l of manifest.layers) {
      const bytes = layout.blob(l);
      assert.equal(sha256(bytes), l.digest);
      assert.equal(bytes.length, l.size);
    }
    assert.deepEqual(
      config.rootfs.diff_ids,
      manifest.layers.map((l) => l.digest),
    );
  });

  test("holds the host's node and every library its loader resolves", async () => {
    const node = await hostNode();
    assert.ok(node.libraries.length > 0, "the host's node is dynamically linked");
    for (const p of [NODE_PATH, ...node.libraries])
      assert.ok(files[0]!.includes(p.slice(1)), `${p} in the runtime layer`);
  });

  test("holds the production dependencies and no devDependency", () => {
    const has = (pkg: string) => files[1]!.includes(`app/node_modules/${pkg}/package.json`);
    for (const pkg of ["tsx", "commander", "pino"]) assert.ok(has(pkg), pkg);
    for (const pkg of ["typescript", "eslint", "prettier"]) assert.ok(!has(pkg), pkg);
  });

  test("holds the project without its .git and node_modules", () => {
    const app = files[2]!;
    for (const f of ["app/examples/printer/operator.ts", "app/bin/capstan.js", "app/package.json"])
      assert.ok(app.includes(f), f);
    assert.ok(!app.some((f) => f === "app/.git" || f.includes("node_modules/")));
  });

  test("owns every file by root, so its user cannot change the image's code", async () => {
    for (const l of manifest.layers)
      for (const h of await tarHeaders(layout.blob(l))) assert.equal(h.uid, 0, h.name);
  });
});
