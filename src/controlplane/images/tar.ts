/**
 * Tar archives as bytes, the same bytes for the same entries: every entry has the fixed mtime
 * 0, numeric owners without user or group names, and the archive lists entries sorted by path
 * with every parent directory before its children (implicit parents are added as 0755 root
 * directories). The encoding is tar-stream's: ustar headers, a PAX header for paths longer than
 * ustar allows or not ASCII.
 *
 * Contract: paths are relative to the archive's root (a leading `/` is dropped), never contain
 * `..`, and appear once; a path below a file or a symlink is refused. A file's content may be
 * `{ fromFile }`: read when its entry is written, so a large layer never holds every file at once.
 */
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { pack, type Pack } from "tar-stream";
import { ImageError } from "./errors.js";

/** One file system object of a layer. Modes are permission bits (e.g. 0o755, 0o1777). */
export type LayerEntry =
  | {
      type: "file";
      path: string;
      mode: number;
      content: string | Uint8Array | { fromFile: string };
      uid?: number;
      gid?: number;
    }
  | { type: "directory"; path: string; mode: number; uid?: number; gid?: number }
  | { type: "symlink"; path: string; target: string; uid?: number; gid?: number };

// tar-stream replaces a mode of 0 by its default and derives nothing else from these type
// bits (it masks them off when writing), so they keep a `chmod 000` entry at 000.
const TYPE_BITS = { file: 0o100000, directory: 0o040000, symlink: 0o120000 } as const;
const EPOCH = new Date(0);

/** The archive's path of an entry: relative, normalised, checked. */
export function archivePath(p: string): string {
  const rel = path.posix.normalize(p.replace(/^\/+/, "")).replace(/\/+$/, "");
  if (rel === "" || rel === "." || rel === ".." || rel.startsWith("../"))
    throw new ImageError("layout", `entry path ${JSON.stringify(p)} is outside the image root`);
  return rel;
}

/** The entries with normalised paths and their implicit parent directories, sorted. */
export function completeEntries(entries: readonly LayerEntry[]): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  for (const e of entries) {
    const p = archivePath(e.path);
    if (byPath.has(p)) throw new ImageError("layout", `two entries for /${p}`);
    byPath.set(p, { ...e, path: p });
  }
  for (const p of [...byPath.keys()]) {
    for (let dir = path.posix.dirname(p); dir !== "."; dir = path.posix.dirname(dir)) {
      const parent = byPath.get(dir);
      if (!parent) byPath.set(dir, { type: "directory", path: dir, mode: 0o755 });
      else if (parent.type !== "directory")
        throw new ImageError("layout", `/${p} is below /${dir}, which is a ${parent.type}`);
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A tar archive of the entries (see the module header for what makes it reproducible). */
export async function tarBytes(entries: readonly LayerEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const finished = new Promise<void>((resolve, reject) => {
    archive.on("data", (c: unknown) => chunks.push(c as Buffer));
    archive.on("end", () => resolve());
    archive.on("error", reject);
  });
  await packEntries(archive, entries);
  await finished;
  return Buffer.concat(chunks);
}

/** The same archive as tarBytes, streamed into `file`: for layouts too large to hold twice. */
export async function writeTar(file: string, entries: readonly LayerEntry[]): Promise<void> {
  const archive = pack();
  const written = pipeline(archive, createWriteStream(file));
  try {
    await packEntries(archive, entries);
  } catch (e) {
    archive.destroy(e as Error);
    await written.catch(() => undefined);
    throw e;
  }
  await written;
}

async function fileContent(e: LayerEntry & { type: "file" }): Promise<Buffer> {
  const c = e.content;
  if (typeof c === "string" || c instanceof Uint8Array) return Buffer.from(c);
  return readFile(c.fromFile).catch((err: unknown) => {
    throw new ImageError("layout", `cannot read ${c.fromFile} for /${e.path}`, { cause: err });
  });
}

async function packEntries(archive: Pack, entries: readonly LayerEntry[]): Promise<void> {
  for (const e of completeEntries(entries)) {
    const common = { uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: EPOCH };
    switch (e.type) {
      case "file": {
        const mode = TYPE_BITS.file | e.mode;
        archive.entry({ ...common, mode, name: e.path, type: "file" }, await fileContent(e));
        break;
      }
      case "directory":
        archive.entry({
          ...common,
          mode: TYPE_BITS.directory | e.mode,
          name: `${e.path}/`,
          type: "directory",
        });
        break;
      case "symlink": {
        const mode = TYPE_BITS.symlink | 0o777;
        archive.entry({ ...common, mode, name: e.path, type: "symlink", linkname: e.target });
        break;
      }
      default: {
        const never: never = e;
        return never;
      }
    }
  }
  archive.finalize();
}
