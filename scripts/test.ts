/**
 * The whole test suite: every compiled `*.test.js` under dist/ (or those whose path contains
 * one of the arguments), run by Node's test runner against one real local control plane
 * started for the run and stopped afterwards (also on SIGINT/SIGTERM). Ends with a
 * `N passed, N failed` line for CI. The run itself is `capstan test`'s (src/cli/testrun.ts).
 */
import path from "node:path";
import { findTestFiles, runTests } from "../src/cli/testrun.js";
import { packageRoot } from "../src/controlplane/paths.js";
import { readFileSync } from "node:fs";
import { ensureFerretDB } from "../src/testing/servers/ferretdb.js";

const filter = process.argv.slice(2);
const files = findTestFiles([path.join(packageRoot(), "dist")]).filter(
  (f) => f.endsWith(".test.js") && (filter.length === 0 || filter.some((p) => f.includes(p))),
);
// FerretDB for the MongoUser tests is built before the run (the node's binaries are, by
// runTests): two test files building it at once on a cold machine, under the node's build,
// ran past their time limit.
if (files.some((f) => readFileSync(f, "utf8").includes("mongo.testkit"))) await ensureFerretDB();
process.exit(await runTests({ files, concurrency: 2 }));
