// Lint configuration. The `capstan/layers` rule enforces the layering described in
// docs/architecture.md: a module may import only from its own layer or a lower one.
// `capstan/no-cycles` refuses an import cycle among the modules of src/ (tests aside).
import path from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { cycleThrough, importsOf, moduleGraph, moduleOf } from "./scripts/import-cycles.js";

const SRC = path.resolve("src");

// Rank of each layer; an import must not point at a higher rank. Layers of equal rank
// (cli, testing) must not import each other either.
const LAYERS = { core: 0, client: 1, runtime: 2, controlplane: 3, testing: 4, cli: 4 };

// Inside the runtime: its parts, each usable alone, never import the wiring that builds the
// control loop from them (controller uses ownership, not the other way round); a shared type
// goes down into the part or into a module of the runtime's own (object.ts, kind.ts).
const RUNTIME_PARTS = new Set(["watch", "queue", "leader", "finalizer", "status", "ownership"]);
const RUNTIME_WIRING = new Set(["controller", "handlers", "operator"]);
// The wiring itself stacks: handlers run on the controller, the operator builds both. A
// controller that imported the operator's metrics or the handlers' diff could not be used
// alone; what it needs it owns (controller/instruments.ts) or takes from core (core/equal.ts).
const WIRING_RANK = { controller: 0, handlers: 1, operator: 2 };

function runtimeFolderOf(file) {
  const parts = path.relative(path.join(SRC, "runtime"), file).split(path.sep);
  return parts.length > 1 && parts[0] !== ".." ? parts[0] : undefined;
}

function layerOf(file) {
  const rel = path.relative(SRC, file);
  if (rel.startsWith("..")) return undefined;
  const top = rel.split(path.sep)[0];
  return top in LAYERS ? top : "root";
}

const layersRule = {
  meta: {
    type: "problem",
    schema: [],
    messages: {
      upward: "{{from}} must not import {{to}}",
      wiring: "{{from}} must not import {{to}}: the runtime's parts stand below the wiring",
      stacked:
        "{{from}} must not import {{to}}: controller, handlers and operator stack in that order",
    },
  },
  create(context) {
    const from = layerOf(context.filename);
    // Tests (and *.testkit.ts, what several test files share) are not part of the shipped
    // import graph: they may use the testing kit (and the
    // client, to set up what they check) from any layer.
    if (from === undefined || /\.test(kit)?\.ts$/.test(context.filename)) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== "string" || !spec.startsWith(".")) return;
      const target = path.resolve(path.dirname(context.filename), spec);
      const to = layerOf(target);
      if (to === "runtime" && from === "runtime") {
        const [a, b] = [runtimeFolderOf(context.filename), runtimeFolderOf(target)];
        if (RUNTIME_PARTS.has(a) && RUNTIME_WIRING.has(b))
          context.report({
            node,
            messageId: "wiring",
            data: { from: `src/runtime/${a}`, to: `src/runtime/${b}` },
          });
        if (a in WIRING_RANK && b in WIRING_RANK && WIRING_RANK[b] > WIRING_RANK[a])
          context.report({
            node,
            messageId: "stacked",
            data: { from: `src/runtime/${a}`, to: `src/runtime/${b}` },
          });
      }
      if (to === undefined || to === from) return;
      if (from === "root") return; // the root module re-exports the public surface
      const ok = to !== "root" && LAYERS[to] < LAYERS[from];
      if (!ok)
        context.report({
          node,
          messageId: "upward",
          data: { from: `src/${from}`, to: `src/${to}` },
        });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

// The modules of src/ and their imports, read once per lint run; the linted file's own
// imports are taken from its text as linted (an editor's unsaved change counts).
let srcGraph;

const noCyclesRule = {
  meta: {
    type: "problem",
    schema: [],
    messages: { cycle: "import cycle: {{files}}" },
  },
  create(context) {
    const file = context.filename;
    if (path.relative(SRC, file).startsWith("..") || /\.test\.ts$/.test(file)) return {};
    srcGraph ??= moduleGraph(SRC);
    const graph = new Map(srcGraph).set(file, importsOf(file, context.sourceCode.text));
    const check = (node) => {
      const spec = node.source?.value;
      const target = typeof spec === "string" ? moduleOf(file, spec) : undefined;
      const cycle = target && graph.has(target) ? cycleThrough(graph, file, target) : undefined;
      if (cycle)
        context.report({
          node,
          messageId: "cycle",
          data: { files: cycle.map((f) => path.relative(path.dirname(SRC), f)).join(" → ") },
        });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/results/**", "scratch/**"] },
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  ...tseslint.configs.recommended,
  {
    plugins: { capstan: { rules: { layers: layersRule, "no-cycles": noCyclesRule } } },
    rules: {
      "capstan/layers": "error",
      "capstan/no-cycles": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
);
