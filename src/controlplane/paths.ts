/** Where the package, the build cache and per-cluster state live on disk. */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The installed `capstan` package's root (works from `src/` under tsx and from `dist/`). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (existsSync(pj) && JSON.parse(readFileSync(pj, "utf8")).name === "capstan") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the capstan package root");
    dir = up;
  }
}

/** Per-user cache: `$CAPSTAN_CACHE_DIR`, else `$XDG_CACHE_HOME/capstan`, else `~/.cache/capstan`. */
export function cacheDir(): string {
  if (process.env.CAPSTAN_CACHE_DIR) return process.env.CAPSTAN_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "capstan");
}

/** Where `capstan cluster up` keeps the state of the default background cluster. */
export function defaultStateDir(): string {
  return process.env.CAPSTAN_CLUSTER_DIR || path.join(cacheDir(), "cluster");
}
