/**
 * A cache of built layers, so that an unchanged operator is not packed again: packing reads
 * every file of node and the production modules (thousands, ~200 MB) and hashes the result,
 * which took ~10 s of every `capstan build image`.
 *
 * A layer is keyed by what it is made of: each entry's path, type, mode, owner and target,
 * and for a file its inline content or, for a file read from disk, the source path with its
 * size, modification time and inode — as make, Docker's build cache and tsc's incremental
 * builds judge a file unchanged. The cache keeps the layer's tar bytes and its digest.
 *
 * Guarantees: a hit gives the bytes a rebuild would give, unless a source file changed
 * without changing its size, mtime or inode (a tool that restores mtimes); a miss or an
 * unreadable entry just builds. Entries are written to a temporary name and renamed, so a
 * concurrent build sees a whole entry or none. Only the most recently used entries are kept.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { lstat, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { cacheDir } from "../paths.js";
import type { LayerEntry } from "./tar.js";

/** The per-user layer cache `capstan build image` uses. */
export const defaultLayerCache = () => path.join(cacheDir(), "images", "layers");

/** How many layers the cache keeps (three per image: node, modules, project). */
export const KEEP_LAYERS = 12;

/** A cached layer: its tar file and the digest and size of those bytes. */
export interface CachedLayer {
  file: string;
  digest: string;
  size: number;
}

/** The key of a layer made of `entries` (see the module comment). */
export async function layerKey(entries: readonly LayerEntry[]): Promise<string> {
  const h = createHash("sha256");
  for (const e of entries) {
    const { type, path: p, uid, gid } = e;
    h.update(JSON.stringify([type, p, uid ?? 0, gid ?? 0]));
    if (e.type === "symlink") h.update(JSON.stringify(["->", e.target]));
    if (e.type === "directory") h.update(JSON.stringify([e.mode]));
    if (e.type !== "file") continue;
    const c = e.content;
    if (typeof c === "string" || c instanceof Uint8Array)
      h.update(JSON.stringify([e.mode, createHash("sha256").update(c).digest("hex")]));
    else {
      const st = await lstat(c.fromFile);
      h.update(JSON.stringify([e.mode, c.fromFile, st.size, st.mtimeMs, st.ino]));
    }
    h.update("\0");
  }
  return h.digest("hex");
}

const meta = (dir: string, key: string) => path.join(dir, `${key}.json`);
const tarFile = (dir: string, key: string) => path.join(dir, `${key}.tar`);

/** The cached layer of `key`, or undefined; a hit counts as a use (for pruning). */
export async function cachedLayer(dir: string, key: string): Promise<CachedLayer | undefined> {
  try {
    const m = JSON.parse(await readFile(meta(dir, key), "utf8")) as CachedLayer;
    const file = tarFile(dir, key);
    if (statSync(file).size !== m.size) return undefined;
    const now = new Date();
    utimesSync(meta(dir, key), now, now);
    return { file, digest: m.digest, size: m.size };
  } catch {
    return undefined;
  }
}

/** Keep `bytes` (whose digest is `digest`) as the layer of `key`, and prune old entries. */
export async function storeLayer(
  dir: string,
  key: string,
  bytes: Buffer,
  digest: string,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tmp = `.${key}.${process.pid}`;
  await writeFile(path.join(dir, `${tmp}.tar`), bytes);
  renameSync(path.join(dir, `${tmp}.tar`), tarFile(dir, key));
  const m: Omit<CachedLayer, "file"> = { digest, size: bytes.length };
  await writeFile(path.join(dir, `${tmp}.json`), JSON.stringify(m));
  renameSync(path.join(dir, `${tmp}.json`), meta(dir, key));
  pruneLayers(dir);
}

/** Remove all but the `keep` most recently used layers. */
export function pruneLayers(dir: string, keep = KEEP_LAYERS): void {
  const used = readdirSync(dir)
    .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
    .map((f) => ({ key: f.slice(0, 64), at: statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { key } of used.slice(keep)) {
    rmSync(meta(dir, key), { force: true });
    rmSync(tarFile(dir, key), { force: true });
  }
}
