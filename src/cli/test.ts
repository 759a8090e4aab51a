/**
 * `capstan test [paths…]`: a project's tests against ONE local control plane for the whole
 * run — started first, named to every test file through `CAPSTAN_TEST_CLUSTER` (which
 * `useControlPlane()` reads), stopped at the end, also on Ctrl-C. TypeScript test files run
 * as they are. Without paths it runs every `*.test.ts` under the working directory.
 */
import type { Command } from "commander";
import { findTestFiles, runTests } from "./testrun.js";

export function registerTest(program: Command): void {
  program
    .command("test")
    .description(
      "run the project's *.test.ts files with Node's test runner against one local control plane",
    )
    .argument("[paths...]", "test files or directories (default: the working directory)")
    .option("--concurrency <n>", "test files run at once (default: CPUs - 1)", Number)
    .action(async (paths: string[], o: { concurrency?: number }) => {
      const files = findTestFiles(paths.length ? paths : ["."]);
      process.exitCode = await runTests({ files, concurrency: o.concurrency });
    });
}
