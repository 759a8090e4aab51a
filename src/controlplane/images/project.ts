/**
 * The files of a Node project as its image holds them, read from disk as they are:
 *
 * - its **production modules**: every package of `package-lock.json` that `npm ci --omit=dev`
 *   installs (not `dev`; an `optional` one only where it is installed, as npm skips those for
 *   other platforms), copied from the project's own `node_modules` — the versions the lock
 *   pins, checked one by one — with the `.bin` links that point into them;
 * - its **code**: everything under the project root but what CONTEXT_IGNORES names (the
 *   generated Dockerfile's build context leaves out the same), and node_modules anywhere.
 *
 * Nothing is installed or built here and nothing is fetched: build the project first
 * (`npm run build`), as the Dockerfile's build stage would.
 * Files keep their permission bits; every entry is owned by root, as Docker's COPY makes it.
 */
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { ImageError } from "./errors.js";
import type { LayerEntry } from "./tar.js";

/** What never belongs in an image (the generated Dockerfile.dockerignore, dockerignore syntax). */
export const CONTEXT_IGNORES = [
  ".git",
  "**/node_modules",
  "npm-debug.log*",
  ".env",
  ".env.*",
  "**/*.pem",
  "**/*.key",
];

/** A dockerignore pattern as a test of a path relative to the context root (`/`-separated). */
export function ignorePattern(pattern: string): (rel: string) => boolean {
  let re = "";
  const p = pattern.replace(/^\/+|\/+$/g, "");
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (p.startsWith("**/", i)) {
      re += "(?:.*/)?";
      i += 2;
    } else if (p.startsWith("**", i)) {
      re += ".*";
      i += 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const r = new RegExp(`^${re}$`);
  return (rel) => r.test(rel);
}

const ignored = CONTEXT_IGNORES.map(ignorePattern);
const isIgnored = (rel: string) => ignored.some((t) => t(rel));

/** Files, directories and symlinks below `dir` (special files are left out), as entries under `dest`. */
async function walk(
  dir: string,
  dest: string,
  skip: (rel: string) => boolean,
  rel = "",
): Promise<LayerEntry[]> {
  const out: LayerEntry[] = [];
  const names = (await readdir(path.join(dir, rel))).sort();
  for (const name of names) {
    const r = rel ? `${rel}/${name}` : name;
    if (skip(r)) continue;
    const abs = path.join(dir, r);
    const st = await lstat(abs);
    const at = path.posix.join(dest, r);
    const mode = st.mode & 0o7777;
    if (st.isSymbolicLink()) out.push({ type: "symlink", path: at, target: await readlink(abs) });
    else if (st.isFile()) out.push({ type: "file", path: at, mode, content: { fromFile: abs } });
    else if (st.isDirectory()) {
      out.push({ type: "directory", path: at, mode });
      out.push(...(await walk(dir, dest, skip, r)));
    }
  }
  return out;
}

/** The project's code under `dest`: the build context minus CONTEXT_IGNORES and node_modules. */
export function projectEntries(root: string, dest: string): Promise<LayerEntry[]> {
  return walk(root, dest, isIgnored);
}

interface LockPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
}

/** The lock's packages `npm ci --omit=dev` installs, keyed by path (`node_modules/a/node_modules/b`). */
export function productionPackages(lock: unknown, file: string): [string, LockPackage][] {
  const packages = (lock as { packages?: Record<string, LockPackage> } | null)?.packages;
  if (!packages || typeof packages !== "object")
    throw new ImageError(
      "project",
      `${file} has no "packages" (lockfile version 1): run \`npm install\` with npm 7 or newer`,
    );
  return Object.entries(packages).filter(([key, p]) => key.startsWith("node_modules/") && !p.dev);
}

/** The production modules under `dest/node_modules`, checked against the lock. */
export async function productionModuleEntries(root: string, dest: string): Promise<LayerEntry[]> {
  const lockFile = path.join(root, "package-lock.json");
  const lock = await readFile(lockFile, "utf8").then(JSON.parse, (e: unknown) => {
    throw new ImageError(
      "project",
      `${lockFile} is missing or unreadable: the image holds the modules the lock pins ` +
        "(as the Dockerfile's `npm ci` does); run `npm install` to write it",
      { cause: e },
    );
  });
  const out: LayerEntry[] = [];
  const included: string[] = [];
  for (const [key, p] of productionPackages(lock, lockFile)) {
    const abs = path.join(root, key);
    const st = await lstat(abs).catch(() => undefined);
    if (!st) {
      if (p.optional) continue;
      throw new ImageError("project", `${abs} is missing (${lockFile} has it): run \`npm ci\``);
    }
    if (p.link || st.isSymbolicLink()) {
      out.push({ type: "symlink", path: path.posix.join(dest, key), target: await readlink(abs) });
      continue;
    }
    const version = await readFile(path.join(abs, "package.json"), "utf8").then(
      (t) => (JSON.parse(t) as { version?: string }).version,
      () => undefined,
    );
    if (p.version !== undefined && version !== p.version)
      throw new ImageError(
        "project",
        `${key} is ${version ?? "not a package"} but ${lockFile} pins ${p.version}: run \`npm ci\``,
      );
    included.push(abs);
    // Nested node_modules hold packages of their own lock entries, added by their own keys.
    out.push({ type: "directory", path: path.posix.join(dest, key), mode: st.mode & 0o7777 });
    out.push(...(await walk(abs, path.posix.join(dest, key), (r) => r === "node_modules")));
  }
  out.push(...(await binLinks(root, dest, included)));
  return out;
}

/** The `.bin` links of every node_modules that point into an included package. */
async function binLinks(root: string, dest: string, included: string[]): Promise<LayerEntry[]> {
  const parents = new Set(included.map((p) => path.dirname(p)));
  // A scoped package's parent is its scope directory; .bin sits next to the scope.
  const dirs = [...parents].map((d) => (path.basename(d).startsWith("@") ? path.dirname(d) : d));
  const out: LayerEntry[] = [];
  for (const nm of [...new Set(dirs)].sort()) {
    const bin = path.join(nm, ".bin");
    const names = await readdir(bin).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const link = path.join(bin, name);
      const target = await readlink(link).catch(() => undefined);
      if (target === undefined) continue;
      const to = path.resolve(bin, target);
      if (!included.some((p) => to.startsWith(p + path.sep))) continue;
      out.push({ type: "symlink", path: path.posix.join(dest, path.relative(root, link)), target });
    }
  }
  return out;
}
