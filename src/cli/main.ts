/**
 * The `capstan` command line. Each command group lives in its own module; this file only
 * wires them into commander.
 */
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { registerBuild } from "./build-image.js";
import { registerCluster } from "./cluster.js";
import { registerDeploy } from "./deploy-local.js";
import { registerDev } from "./dev.js";
import { registerGenerate } from "./generate.js";
import { registerImage } from "./image.js";
import { registerInit } from "./init.js";
import { registerRun } from "./run.js";
import { registerTest } from "./test.js";

export async function main(argv: string[]): Promise<void> {
  const program = new Command("capstan")
    .description("Write, run and test Kubernetes operators in TypeScript.")
    .showHelpAfterError();
  registerInit(program);
  registerCluster(program);
  registerGenerate(program);
  registerRun(program);
  registerDev(program);
  registerImage(program);
  registerBuild(program);
  registerDeploy(program);
  registerTest(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.stderr.write(`capstan: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}

// Run when executed directly (`tsx src/cli/main.ts …`, `node dist/src/cli/main.js …`).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv);
}
