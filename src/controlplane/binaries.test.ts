// Locating the control plane's binaries: the pin comes from the wrapper module, a directory
// of prebuilt binaries is used as is, and a machine without Go gets told what to do.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, test } from "node:test";
import { ensureBinaries, readPin } from "./binaries.js";
import { ControlPlaneError } from "./errors.js";

const saved = { ...process.env };
afterEach(() => {
  for (const k of ["CAPSTAN_CONTROL_PLANE_BIN", "CAPSTAN_CACHE_DIR", "PATH"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

function fakeBinDir(names: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-bin-"));
  for (const n of names) writeFileSync(path.join(dir, n), "", { mode: 0o755 });
  return dir;
}

describe("control-plane binaries", () => {
  test("reads the pinned Kubernetes and etcd versions from the wrapper module", () => {
    const pin = readPin();
    assert.match(pin.kubernetes, /^v1\.(3[4-9]|[4-9]\d)\.\d+$/);
    assert.match(pin.etcd, /^v3\.6\.\d+$/);
    assert.match(pin.digest, /^[0-9a-f]{12}$/);
  });

  test("uses a directory of prebuilt binaries without building", async () => {
    const dir = fakeBinDir(["etcd", "kube-apiserver", "kube-controller-manager"]);
    process.env.CAPSTAN_CONTROL_PLANE_BIN = dir;
    process.env.PATH = "/nonexistent";
    assert.equal(await ensureBinaries(), dir);
  });

  test("names the binaries a prebuilt directory lacks", async () => {
    process.env.CAPSTAN_CONTROL_PLANE_BIN = fakeBinDir(["etcd"]);
    await assert.rejects(ensureBinaries(), /lacks kube-apiserver, kube-controller-manager/);
  });

  test("without Go, says how to proceed instead of failing obscurely", async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), "capstan-cache-"));
    mkdirSync(path.join(cache, "controlplane"));
    process.env.CAPSTAN_CACHE_DIR = cache;
    process.env.PATH = "/nonexistent";
    await assert.rejects(ensureBinaries({ progress: () => undefined }), (e: unknown) => {
      assert.ok(e instanceof ControlPlaneError);
      assert.equal(e.step, "build");
      assert.match(e.message, /Go is not installed/);
      assert.match(e.message, /CAPSTAN_CONTROL_PLANE_BIN/);
      assert.match(e.message, /KUBECONFIG/);
      return true;
    });
  });
});
