// OCI layouts written from a file list: valid by digest from index to layer, annotated for
// containerd's importer, and the same bytes for the same inputs.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { readLayout, sha256, tarHeaders, untar } from "./images.testkit.js";
import { hostPlatform, MEDIA_TYPES, ociLayout, type ImageSpec } from "./layout.js";
import type { LayerEntry } from "./tar.js";

const entries: LayerEntry[] = [
  { type: "file", path: "/bin/hello", mode: 0o755, content: "#!/bin/sh\necho hello\n" },
  { type: "symlink", path: "/bin/hi", target: "hello" },
  { type: "directory", path: "/tmp", mode: 0o1777 },
  { type: "file", path: "/home/app/data", mode: 0o600, content: "é日😀", uid: 1000, gid: 1001 },
];
const spec: ImageSpec = {
  names: ["example.test/tools/hello:1.0", "hello:latest"],
  entries,
  config: { Entrypoint: ["/bin/hello"], Env: ["PATH=/bin"], User: "1000", WorkingDir: "/home/app" },
};

describe("OCI image layout", () => {
  test("names every blob by the sha256 of its bytes", async () => {
    const dir = untar(await ociLayout(spec));
    const blobs = readdirSync(path.join(dir, "blobs", "sha256"));
    assert.equal(blobs.length, 3);
    for (const hex of blobs)
      assert.equal(sha256(readFileSync(path.join(dir, "blobs", "sha256", hex))), `sha256:${hex}`);
  });

  test("leads from the index to a manifest, its config and one uncompressed layer", async () => {
    const dir = untar(await ociLayout(spec));
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, "oci-layout"), "utf8")), {
      imageLayoutVersion: "1.0.0",
    });
    const { index, blob, manifest } = readLayout(dir);
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, MEDIA_TYPES.index);
    for (const d of index.manifests) {
      assert.equal(d.mediaType, MEDIA_TYPES.manifest);
      assert.equal(d.size, blob(d).length);
      const m = manifest(d);
      assert.equal(m.mediaType, MEDIA_TYPES.manifest);
      assert.equal(m.config.mediaType, MEDIA_TYPES.config);
      assert.equal(m.config.size, blob(m.config).length);
      assert.deepEqual(
        m.layers.map((l) => [l.mediaType, l.size]),
        [[MEDIA_TYPES.layer, blob(m.layers[0]!).length]],
      );
    }
  });

  test("records the layer's digest as its diff_id and the settings given", async () => {
    const { index, manifest, config } = readLayout(untar(await ociLayout(spec)));
    const m = manifest(index.manifests[0]!);
    const c = config(m);
    assert.deepEqual(c.rootfs, { type: "layers", diff_ids: [m.layers[0]!.digest] });
    assert.equal(c.os, "linux");
    assert.equal(c.architecture, hostPlatform().architecture);
    assert.deepEqual(c.config, spec.config);
  });

  test("maps Node's architecture names to OCI's", () => {
    assert.deepEqual(hostPlatform("x64"), { architecture: "amd64", os: "linux" });
    assert.deepEqual(hostPlatform("arm64"), { architecture: "arm64", os: "linux" });
    assert.throws(() => hostPlatform("mips"), /no OCI architecture is known for Node's arch mips/);
  });

  test("annotates one index entry per name with the full name and the tag", async () => {
    const { index } = readLayout(untar(await ociLayout(spec)));
    assert.deepEqual(
      index.manifests.map((d) => d.annotations),
      [
        {
          "io.containerd.image.name": "example.test/tools/hello:1.0",
          "org.opencontainers.image.ref.name": "1.0",
        },
        {
          "io.containerd.image.name": "docker.io/library/hello:latest",
          "org.opencontainers.image.ref.name": "latest",
        },
      ],
    );
    assert.equal(index.manifests[0]!.digest, index.manifests[1]!.digest);
  });

  test("gives the same bytes for the same inputs in any order", async () => {
    const a = await ociLayout(spec);
    const b = await ociLayout({
      ...spec,
      entries: [...entries].reverse(),
      config: {
        WorkingDir: "/home/app",
        User: "1000",
        Env: ["PATH=/bin"],
        Entrypoint: ["/bin/hello"],
      },
    });
    assert.ok(a.equals(b));
  });

  test("stores modes, owners, symlinks and implicit parents in path order", async () => {
    const { index, blob, manifest } = readLayout(untar(await ociLayout(spec)));
    const layer = blob(manifest(index.manifests[0]!).layers[0]!);
    const got = (await tarHeaders(layer)).map((h) =>
      [
        h.name,
        h.type,
        h.mode.toString(8),
        `${h.uid}:${h.gid}`,
        h.linkname ?? "",
        h.mtime.getTime(),
      ].join(" "),
    );
    assert.deepEqual(got, [
      "bin/ directory 755 0:0  0",
      "bin/hello file 755 0:0  0",
      "bin/hi symlink 777 0:0 hello 0",
      "home/ directory 755 0:0  0",
      "home/app/ directory 755 0:0  0",
      "home/app/data file 600 1000:1001  0",
      "tmp/ directory 1777 0:0  0",
    ]);
  });

  test("refuses an entry outside the root, a duplicate and a path below a file", async () => {
    const file = (p: string): LayerEntry => ({ type: "file", path: p, mode: 0o644, content: "" });
    const layout = (e: LayerEntry[]) => ociLayout({ names: ["x:1"], entries: e });
    await assert.rejects(
      layout([file("/../etc/passwd")]),
      /entry path "\/..\/etc\/passwd" is outside the image root/,
    );
    await assert.rejects(layout([file("/a"), file("a/")]), /two entries for \/a/);
    await assert.rejects(
      layout([file("/a"), file("/a/b")]),
      /\/a\/b is below \/a, which is a file/,
    );
  });

  test("refuses a name with a digest", async () => {
    await assert.rejects(
      ociLayout({ names: ["busybox@sha256:abc"], entries }),
      /image name "busybox@sha256:abc": a digest cannot name a locally made image/,
    );
  });
});
