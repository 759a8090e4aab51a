// The published package holds what a user needs — the compiled public entry points with their
// types, the CLI, the Go pins the control plane and node are built from, the docs — and
// nothing of the repository's own: no tests, benchmarks, scripts or compiled examples.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { packageRoot } from "../controlplane/paths.js";
import { packedFiles } from "./project.testkit.js";

const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^bin\/capstan\.js$/,
  /^(controlplane|node)\/go\.(mod|sum)$/,
  /^docs\/[^/]+\.md$/,
  /^dist\/src\/.+\.(js|d\.ts)$/,
];

test("npm pack ships only the CLI, dist/src without tests, test data or source maps, the Go pins and docs", async () => {
  const files = await packedFiles();
  const stray = files.filter(
    (f) =>
      !ALLOWED.some((r) => r.test(f)) ||
      /\.test(kit)?\.|\.map$|\/testdata\/|^dist\/src\/testing\/servers\//.test(f),
  );
  assert.deepEqual(stray, []);
});

test("npm pack ships every public entry point with its types", async () => {
  const files = new Set(await packedFiles());
  for (const entry of ["index", "client/index", "controlplane/index", "testing/index"])
    for (const ext of ["js", "d.ts"])
      assert.ok(files.has(`dist/src/${entry}.${ext}`), `dist/src/${entry}.${ext}`);
  for (const f of ["bin/capstan.js", "controlplane/go.mod", "node/go.sum", "dist/src/cli/main.js"])
    assert.ok(files.has(f), f);
});

test("the packed type declarations import only Node's built-ins and the package's dependencies", async () => {
  // A declaration importing a devDependency or an optional peer (@kubernetes/client-node)
  // breaks the type check of every project that has not installed it.
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const allowed = new Set(Object.keys(pkg.dependencies));
  const stray: string[] = [];
  for (const f of (await packedFiles()).filter((f) => f.endsWith(".d.ts"))) {
    const text = readFileSync(path.join(packageRoot(), f), "utf8");
    for (const m of text.matchAll(/(?:from |import\()"([^".][^"]*)"/g)) {
      const name = m[1]!
        .split("/")
        .slice(0, m[1]!.startsWith("@") ? 2 : 1)
        .join("/");
      if (!name.startsWith("node:") && !allowed.has(name)) stray.push(`${f}: ${m[1]}`);
    }
  }
  assert.deepEqual(stray, []);
});
