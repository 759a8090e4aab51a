// The layer cache of `capstan build image`: an unchanged layer is reused with the very bytes a
// rebuild gives, a changed source file is packed again, and only recent layers are kept.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { tempDir } from "./images.testkit.js";
import { pruneLayers, storeLayer } from "./layercache.js";
import { writeOciLayout, type ImageSpec } from "./layout.js";

/** An image of two layers: a file read from disk, and an inline one. */
function image(src: string): ImageSpec {
  return {
    names: ["cache.test/app:1"],
    layers: [
      {
        entries: [{ type: "file", path: "/app/data", mode: 0o644, content: { fromFile: src } }],
        createdBy: "data",
      },
      {
        entries: [{ type: "file", path: "/app/inline", mode: 0o644, content: "inline" }],
        createdBy: "inline",
      },
    ],
  };
}

describe("layer cache", () => {
  test("a second build of unchanged files takes every layer from the cache and writes the same layout", async () => {
    const dir = tempDir();
    const src = path.join(dir, "data");
    writeFileSync(src, "one");
    const cache = path.join(dir, "cache");
    const first = await writeOciLayout(path.join(dir, "1.tar"), image(src), { layerCache: cache });
    const again = await writeOciLayout(path.join(dir, "2.tar"), image(src), { layerCache: cache });
    assert.deepEqual([first.cachedLayers, again.cachedLayers], [0, 2]);
    assert.ok(readFileSync(first.file).equals(readFileSync(again.file)), "the same bytes");
  });

  test("a source file that changed is packed again, the other layer still reused", async () => {
    const dir = tempDir();
    const src = path.join(dir, "data");
    writeFileSync(src, "one");
    const cache = path.join(dir, "cache");
    const first = await writeOciLayout(path.join(dir, "1.tar"), image(src), { layerCache: cache });
    writeFileSync(src, "two!");
    const changed = await writeOciLayout(path.join(dir, "2.tar"), image(src), {
      layerCache: cache,
    });
    assert.equal(changed.cachedLayers, 1);
    assert.notEqual(changed.images[0]!.manifest, first.images[0]!.manifest);
    const fresh = await writeOciLayout(path.join(dir, "3.tar"), image(src));
    assert.equal(changed.images[0]!.manifest, fresh.images[0]!.manifest, "as without a cache");
  });

  test("pruning keeps only the most recently used layers", async () => {
    const cache = tempDir();
    for (const [i, key] of ["a", "b", "c"].entries()) {
      await storeLayer(cache, key.repeat(64), Buffer.from(key), `sha256:${i}`);
      const usedAt = new Date(Date.UTC(2026, 0, 1 + i)); // a, then b, then c
      utimesSync(path.join(cache, `${key.repeat(64)}.json`), usedAt, usedAt);
    }
    pruneLayers(cache, 2);
    assert.deepEqual(readdirSync(cache).sort(), [
      `${"b".repeat(64)}.json`,
      `${"b".repeat(64)}.tar`,
      `${"c".repeat(64)}.json`,
      `${"c".repeat(64)}.tar`,
    ]);
  });
});
