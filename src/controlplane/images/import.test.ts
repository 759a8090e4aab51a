// `capstan image import` before the cluster has a node: one line saying how to get one, and
// the node runtime file read strictly once there is one.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { capstan } from "../cli.testkit.js";
import { tempDir } from "./images.testkit.js";
import { NODE_FILE, readNodeRuntime } from "./import.js";
import { writeOciLayout } from "./layout.js";

async function layoutFile(dir: string): Promise<string> {
  const file = path.join(dir, "hello.tar");
  await writeOciLayout(file, {
    names: ["capstan.local/hello:1"],
    entries: [{ type: "file", path: "/hello", mode: 0o644, content: "hello\n" }],
  });
  return file;
}

describe("capstan image import", () => {
  test("fails with one clear line when the cluster has no node", async () => {
    const clusterDir = tempDir();
    const r = await capstan([
      "image",
      "import",
      await layoutFile(tempDir()),
      "--cluster-dir",
      clusterDir,
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "capstan: image import: this cluster has no node: start it with " +
        `\`capstan cluster up --node\` (no ${path.join(clusterDir, NODE_FILE)})\n`,
    );
    assert.equal(r.stdout, "");
  });

  test("names the tarball when it does not exist", async () => {
    const missing = path.join(tempDir(), "nothing.tar");
    const r = await capstan(["image", "import", missing, "--cluster-dir", tempDir()]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `capstan: image import: ${missing}: no such file\n`);
  });

  test("refuses a node runtime file without the containerd socket, naming the file and field", () => {
    const clusterDir = tempDir();
    const file = path.join(clusterDir, NODE_FILE);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ctr: "/usr/bin/ctr" }));
    assert.throws(
      () => readNodeRuntime(clusterDir),
      new RegExp(`${file}: field containerdSocket is missing or not a path`),
    );
  });
});
