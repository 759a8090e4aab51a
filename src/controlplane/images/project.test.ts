// What goes into an operator image, decided without a cluster: which paths the build context
// ignores, which locked packages are production ones, which libraries the loader resolves.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { tempDir } from "./images.testkit.js";
import { parseLdd } from "./node-runtime.js";
import {
  CONTEXT_IGNORES,
  ignorePattern,
  productionModuleEntries,
  productionPackages,
} from "./project.js";

/** A project whose lock pins `locked` and whose node_modules holds `installed` (name → version). */
function project(locked: Record<string, object>, installed: Record<string, string>): string {
  const root = tempDir();
  const packages = Object.fromEntries(
    Object.entries(locked).map(([name, p]) => [`node_modules/${name}`, p]),
  );
  writeFileSync(
    path.join(root, "package-lock.json"),
    JSON.stringify({ lockfileVersion: 3, packages: { "": {}, ...packages } }),
  );
  for (const [name, version] of Object.entries(installed)) {
    mkdirSync(path.join(root, "node_modules", name), { recursive: true });
    writeFileSync(
      path.join(root, "node_modules", name, "package.json"),
      JSON.stringify({ name, version }),
    );
  }
  return root;
}

const ignoredBy = (rel: string) => CONTEXT_IGNORES.filter((p) => ignorePattern(p)(rel));

describe("build context ignores", () => {
  test("node_modules and key files are ignored at any depth", () => {
    for (const rel of ["node_modules", "examples/a/node_modules", "tls.key", "certs/ca/ca.pem"])
      assert.notDeepEqual(ignoredBy(rel), [], rel);
  });

  test(".git and .env files are ignored only at the root, as dockerignore matches them", () => {
    assert.deepEqual(ignoredBy(".git"), [".git"]);
    assert.deepEqual(ignoredBy(".env.local"), [".env.*"]);
    assert.deepEqual(ignoredBy("examples/.env"), []);
    assert.deepEqual(ignoredBy("src/.gitkeep"), []);
  });

  test("code and build output are kept", () => {
    for (const rel of ["dist", "dist/src/cli/main.js", "package-lock.json", "src/keys.ts"])
      assert.deepEqual(ignoredBy(rel), [], rel);
  });
});

describe("production packages of a lock", () => {
  test("are the installed packages that are not dev-only; optional ones stay", () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        "": { name: "op" },
        "node_modules/a": { version: "1.0.0" },
        "node_modules/a/node_modules/b": { version: "2.0.0" },
        "node_modules/typescript": { version: "5.0.0", dev: true },
        "node_modules/@esbuild/linux-x64": { version: "0.1.0", optional: true },
      },
    };
    assert.deepEqual(
      productionPackages(lock, "package-lock.json").map(([k]) => k),
      ["node_modules/a", "node_modules/a/node_modules/b", "node_modules/@esbuild/linux-x64"],
    );
  });

  test("a lockfile without packages (version 1) is refused, naming the file and the fix", () => {
    assert.throws(
      () => productionPackages({ lockfileVersion: 1, dependencies: {} }, "/p/package-lock.json"),
      /\/p\/package-lock\.json has no "packages".*npm 7 or newer/,
    );
  });
});

describe("production modules of a project", () => {
  test("a package whose installed version is not the locked one is an error naming both", async () => {
    const root = project({ a: { version: "1.0.0" } }, { a: "1.0.1" });
    await assert.rejects(
      productionModuleEntries(root, "/app"),
      /node_modules\/a is 1\.0\.1 but .*package-lock\.json pins 1\.0\.0: run `npm ci`/,
    );
  });

  test("a missing optional package is left out; a missing required one is an error", async () => {
    const locked = { a: { version: "1.0.0" }, "@x/linux": { version: "1.0.0", optional: true } };
    const entries = await productionModuleEntries(project(locked, { a: "1.0.0" }), "/app");
    assert.deepEqual(
      entries.map((e) => e.path),
      ["/app/node_modules/a", "/app/node_modules/a/package.json"],
    );
    await assert.rejects(
      productionModuleEntries(project(locked, {}), "/app"),
      /node_modules\/a is missing .*run `npm ci`/,
    );
  });
});

describe("ldd output", () => {
  const out = [
    "\tlinux-vdso.so.1 (0x00007ffd1b7f0000)",
    "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0a3c000000)",
    "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0a3be1e000)",
    "\t/lib64/ld-linux-x86-64.so.2 (0x00007f0a3c3ea000)",
  ].join("\n");

  test("gives every library's path and the loader's, without the vDSO", () => {
    assert.deepEqual(parseLdd(out, "/usr/bin/node"), [
      "/lib/x86_64-linux-gnu/libstdc++.so.6",
      "/lib/x86_64-linux-gnu/libc.so.6",
      "/lib64/ld-linux-x86-64.so.2",
    ]);
  });

  test("a library the loader cannot find is an error naming it", () => {
    assert.throws(
      () => parseLdd(`${out}\n\tlibuv.so.1 => not found`, "/usr/bin/node"),
      /\/usr\/bin\/node needs libuv\.so\.1/,
    );
  });
});
