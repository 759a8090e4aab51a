// @ts-check
/**
 * Import cycles among Capstan's modules, for the `capstan/no-cycles` lint rule
 * (eslint.config.js). A cycle ties modules together so that neither can be read, tested or
 * moved alone, and makes their load order matter: a value used while the cycle loads is
 * still undefined. The rule reports each import that closes a cycle, naming its files.
 *
 * JavaScript, not TypeScript, because the lint configuration loads it directly, without a
 * build; `// @ts-check` and the compiler (allowJs) still check it, and its test is
 * scripts/import-cycles.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * The modules a file imports by relative path, as absolute `.ts` paths. Every form counts:
 * `import type` and `export … from` tie the modules together as much as a value import
 * does, and a dynamic `import()` is a dependency too.
 * @param {string} file the importing file's absolute path
 * @param {string} text its source
 * @returns {string[]}
 */
export function importsOf(file, text) {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.flatMap((f) => moduleOf(file, f.fileName) ?? []);
}

/**
 * The module an import specifier names, as an absolute `.ts` path; undefined for a package.
 * @param {string} file the importing file's absolute path
 * @param {string} spec what it imports, such as `./server.js`
 * @returns {string | undefined}
 */
export function moduleOf(file, spec) {
  if (!spec.startsWith(".")) return undefined;
  return path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts"));
}

/** A test file is no module of the shipped graph: nothing imports it. */
const TEST_FILE = /\.test\.ts$/;

/**
 * Every module under `dir` (`*.ts` but tests) with the modules it imports.
 * @param {string} dir an absolute path
 * @returns {Map<string, string[]>}
 */
export function moduleGraph(dir) {
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith(".ts") || TEST_FILE.test(e.name)) continue;
    const file = path.join(e.parentPath, e.name);
    graph.set(file, importsOf(file, readFileSync(file, "utf8")));
  }
  return graph;
}

/**
 * The cycle that the import `from` → `to` closes: `[from, to, …, from]` by the shortest way
 * back from `to`, or undefined when `from` cannot be reached from `to`.
 * @param {ReadonlyMap<string, readonly string[]>} graph
 * @param {string} from
 * @param {string} to
 * @returns {string[] | undefined}
 */
export function cycleThrough(graph, from, to) {
  /** @type {Map<string, string>} each module reached, with the module it was reached from */
  const cameFrom = new Map([[to, to]]);
  const queue = [to];
  for (let i = 0; i < queue.length; i++) {
    const at = /** @type {string} */ (queue[i]);
    if (at === from) {
      const way = [at];
      for (let m = at; m !== to; m = /** @type {string} */ (cameFrom.get(m))) {
        way.push(/** @type {string} */ (cameFrom.get(m)));
      }
      return [from, ...way.reverse()];
    }
    for (const next of graph.get(at) ?? []) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, at);
        queue.push(next);
      }
    }
  }
  return undefined;
}
