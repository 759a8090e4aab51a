/**
 * Load a user's module — TypeScript through tsx, JavaScript natively — and collect what it
 * exports. A directory means its `operator.ts`/`index.ts` (or `.js`).
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const CANDIDATES = [
  "operator.ts",
  "index.ts",
  "operator.js",
  "index.js",
  "resources.ts",
  "crds.ts",
];

export function resolveModule(spec: string): string {
  const abs = path.resolve(spec);
  if (!existsSync(abs)) throw new Error(`no such module: ${spec}`);
  if (!statSync(abs).isDirectory()) return abs;
  for (const c of CANDIDATES) {
    const f = path.join(abs, c);
    if (existsSync(f)) return f;
  }
  throw new Error(`${spec} is a directory without ${CANDIDATES.slice(0, 4).join(", ")}`);
}

/**
 * The module's exports. A TypeScript file outside an ESM package is compiled as CommonJS,
 * so its exports arrive wrapped in `default`: those are unwrapped too.
 */
export async function loadModule(spec: string): Promise<Record<string, unknown>> {
  const file = resolveModule(spec);
  let mod: Record<string, unknown>;
  if (/\.[cm]?ts$/.test(file)) {
    const { tsImport } = await import("tsx/esm/api");
    mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } else {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  }
  const inner = mod.default;
  if (inner && typeof inner === "object" && "default" in inner) {
    return {
      ...(inner as Record<string, unknown>),
      ...mod,
      default: (inner as Record<string, unknown>).default,
    };
  }
  return mod;
}
