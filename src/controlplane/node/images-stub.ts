/**
 * TEMPORARY (branch `node` only): makes the busybox and sandbox images the node needs from
 * Debian's busybox-static and imports them into containerd, so that the node's end-to-end
 * test really runs a Pod.
 *
 * TODO(lead): replace this module with the image module from src/controlplane/images/ (the
 * OCI image-layout writer made by a sibling branch); only `ensureLocalImages` and the two
 * image names are used by node.ts.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ControlPlaneError } from "../errors.js";

const BUSYBOX = "/bin/busybox";
/** The sandbox ("pause") image: busybox's shell waiting for SIGTERM. */
export const SANDBOX_IMAGE = "localhost/capstan/pause:busybox";
export const BUSYBOX_IMAGE = "docker.io/library/busybox";

type Entry = { name: string; type: "dir" | "file" | "symlink"; body?: Buffer; target?: string };

/** A ustar archive of `entries` (names shorter than 100 bytes). */
function tar(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    const size = e.body?.length ?? 0;
    const put = (s: string, at: number, len: number) => h.write(s.slice(0, len), at, "utf8");
    const oct = (n: number, at: number, len: number) =>
      put(n.toString(8).padStart(len - 1, "0") + "\0", at, len);
    put(e.type === "dir" ? `${e.name}/` : e.name, 0, 100);
    oct(e.type === "file" ? (e.name.startsWith("bin/") ? 0o755 : 0o644) : 0o755, 100, 8);
    if (e.name === "tmp") oct(0o1777, 100, 8);
    oct(0, 108, 8);
    oct(0, 116, 8);
    oct(size, 124, 12);
    oct(0, 136, 12);
    h.write({ file: "0", dir: "5", symlink: "2" }[e.type], 156, "ascii");
    if (e.target) put(e.target, 157, 100);
    put("ustar\0", 257, 6);
    put("00", 263, 2);
    h.fill(" ", 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
    blocks.push(h);
    if (e.body) blocks.push(e.body, Buffer.alloc((512 - (size % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function rootfs(): Buffer {
  const list = spawnSync(BUSYBOX, ["--list-full"], { encoding: "utf8" });
  if (list.status !== 0)
    throw new ControlPlaneError(
      "start",
      `${BUSYBOX} is missing; the node's images are made from it (Debian: apt-get install busybox-static)`,
    );
  const applets = list.stdout.split("\n").filter((a) => a && a !== "bin/busybox");
  const dirs = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "tmp", "proc", "sys", "dev"];
  return tar([
    ...dirs.map((name): Entry => ({ name, type: "dir" })),
    { name: "bin/busybox", type: "file", body: readFileSync(BUSYBOX) },
    ...applets.map((name): Entry => ({ name, type: "symlink", target: "/bin/busybox" })),
    {
      name: "etc/passwd",
      type: "file",
      body: Buffer.from(
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
      ),
    },
    { name: "etc/group", type: "file", body: Buffer.from("root:x:0:\nnobody:x:65534:\n") },
  ]);
}

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const ARCH = { x64: "amd64", arm64: "arm64" }[process.arch as string] ?? process.arch;

/** An OCI image-layout tarball holding one image per `names` entry, all on one layer. */
function layout(layer: Buffer, images: { names: string[]; cmd: string[] }[]): Buffer {
  const blobs = new Map<string, Buffer>([[sha(layer), layer]]);
  const add = (o: unknown) => {
    const b = Buffer.from(JSON.stringify(o));
    blobs.set(sha(b), b);
    return { digest: sha(b), size: b.length };
  };
  const manifests = images.flatMap(({ names, cmd }) => {
    const config = add({
      architecture: ARCH,
      os: "linux",
      config: { Cmd: cmd, Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] },
      rootfs: { type: "layers", diff_ids: [sha(layer)] },
    });
    const manifest = add({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
      layers: [
        {
          mediaType: "application/vnd.oci.image.layer.v1.tar",
          digest: sha(layer),
          size: layer.length,
        },
      ],
    });
    return names.map((name) => ({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      ...manifest,
      platform: { architecture: ARCH, os: "linux" },
      annotations: { "io.containerd.image.name": name, "org.opencontainers.image.ref.name": name },
    }));
  });
  const files: Entry[] = [
    { name: "oci-layout", type: "file", body: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    {
      name: "index.json",
      type: "file",
      body: Buffer.from(JSON.stringify({ schemaVersion: 2, manifests })),
    },
    { name: "blobs", type: "dir" },
    { name: "blobs/sha256", type: "dir" },
    ...[...blobs].map(([d, body]): Entry => ({
      name: `blobs/sha256/${d.slice(7)}`,
      type: "file",
      body,
    })),
  ];
  return tar(files);
}

/** Make the busybox and sandbox images (once per state directory) and import them. */
export async function ensureLocalImages(
  stateDir: string,
  ctrPath: string,
  containerdSocket: string,
): Promise<void> {
  const file = path.join(stateDir, "images", "busybox-oci.tar");
  if (!existsSync(file)) {
    const version = /BusyBox v(\d+\.\d+)/.exec(
      spawnSync(BUSYBOX, ["--help"], { encoding: "utf8" }).stdout ?? "",
    )?.[1];
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      layout(rootfs(), [
        {
          names: [`${BUSYBOX_IMAGE}:latest`, ...(version ? [`${BUSYBOX_IMAGE}:${version}`] : [])],
          cmd: ["sh"],
        },
        // Exits on SIGTERM, so a pod's deletion does not wait out its grace period.
        {
          names: [SANDBOX_IMAGE],
          cmd: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"],
        },
      ]),
    );
  }
  const r = spawnSync(
    ctrPath,
    ["--address", containerdSocket, "-n", "k8s.io", "images", "import", file],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0)
    throw new ControlPlaneError("start", `importing the node's images failed: ${r.stderr.trim()}`, {
      component: "containerd",
    });
}
