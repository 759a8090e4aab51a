// The cycle finder of the `capstan/no-cycles` lint rule: pure logic over a module graph.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cycleThrough, importsOf } from "./import-cycles.js";

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe("import cycles", () => {
  test("an import that leads back to its importer names every file of the cycle in order", () => {
    const g = graph({ a: ["b"], b: ["c"], c: ["a"] });
    assert.deepEqual(cycleThrough(g, "a", "b"), ["a", "b", "c", "a"]);
  });

  test("an import whose target never leads back is no cycle", () => {
    const g = graph({ a: ["b", "c"], b: ["d"], c: ["d"], d: [] });
    assert.equal(cycleThrough(g, "a", "b"), undefined);
  });

  test("of several ways back, the shortest is the one named", () => {
    const g = graph({ a: ["b"], b: ["c", "a"], c: ["a"] });
    assert.deepEqual(cycleThrough(g, "a", "b"), ["a", "b", "a"]);
  });

  test("a cycle elsewhere in the graph is not blamed on an import outside it", () => {
    const g = graph({ a: ["b"], b: ["c"], c: ["b"] });
    assert.equal(cycleThrough(g, "a", "b"), undefined);
  });

  test("type-only imports, re-exports and dynamic imports are edges; packages are not", () => {
    const text = [
      `import type { A } from "./a.js";`,
      `export type { B } from "../b.js";`,
      `export * from "./c/index.js";`,
      `const d = await import("./d.js");`,
      `import { readFileSync } from "node:fs";`,
      `// import "./commented.js";`,
    ].join("\n");
    assert.deepEqual(importsOf("/src/x/m.ts", text), [
      "/src/x/a.ts",
      "/src/b.ts",
      "/src/x/c/index.ts",
      "/src/x/d.ts",
    ]);
  });
});
