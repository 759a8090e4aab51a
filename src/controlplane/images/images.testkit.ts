// What the image tests share: unpacking archives with the system's own `tar` (an encoder
// checked by a different decoder), reading a layout back by digest, listing a tar's headers.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after } from "node:test";
import { extract, type Header } from "tar-stream";
import type { Descriptor } from "./layout.js";

// Registered here, at the root of the importing test file: an `after` registered inside a
// hook would run when the first suite ends.
const made: string[] = [];
after(() => {
  for (const p of made) rmSync(p, { recursive: true, force: true });
});

/** A temporary directory removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-images-"));
  made.push(dir);
  return dir;
}

/** Unpack `archive` into a fresh temporary directory with the system `tar`. */
export function untar(archive: Buffer): string {
  const dir = tempDir();
  const file = path.join(dir, "..", `${path.basename(dir)}.tar`);
  writeFileSync(file, archive);
  made.push(file);
  execFileSync("tar", ["-xf", file, "-C", dir]);
  return dir;
}

export const sha256 = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export interface Manifest {
  schemaVersion: number;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface Config {
  architecture: string;
  os: string;
  config: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
}

/** A layout unpacked to a directory, read through its index. */
export function readLayout(dir: string) {
  const blob = (d: Descriptor) => readFileSync(path.join(dir, "blobs", ...d.digest.split(":")));
  const index = JSON.parse(readFileSync(path.join(dir, "index.json"), "utf8")) as {
    schemaVersion: number;
    mediaType: string;
    manifests: Descriptor[];
  };
  const manifest = (d: Descriptor) => JSON.parse(blob(d).toString()) as Manifest;
  const config = (m: Manifest) => JSON.parse(blob(m.config).toString()) as Config;
  return { index, blob, manifest, config };
}

/** The headers of a tar archive in archive order. */
export async function tarHeaders(archive: Buffer): Promise<Header[]> {
  const headers: Header[] = [];
  const x = extract();
  const done = new Promise<void>((resolve, reject) => {
    x.on("entry", (h, stream, next) => {
      headers.push(h);
      stream.on("end", next);
      stream.resume();
    });
    x.on("finish", resolve);
    x.on("error", reject);
  });
  x.end(archive);
  await done;
  return headers;
}
