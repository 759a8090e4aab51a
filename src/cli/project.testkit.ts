// What the tests of a user's project share: this package packed into a tarball (the test
// run's dist/, no prepack build), and commands run as a user would, outside this test run.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { packageRoot } from "../controlplane/paths.js";

const run = promisify(execFile);

/**
 * The environment of a user's command: no NODE_TEST_CONTEXT, so the project's test runner is
 * its own and not a child of this one. CAPSTAN_TEST_CLUSTER stays: `capstan test` reuses the
 * run's control plane.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Runs a command, resolving with its stdout; on failure the error carries all its output. */
export async function sh(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = userEnv(),
): Promise<string> {
  try {
    return (await run(cmd, args, { cwd, env, maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    const r = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(" ")} in ${cwd} failed: ${r.message}\n${r.stdout}${r.stderr}`,
    );
  }
}

/** Packs this package into `dir`; returns the tarball's path. */
export async function packTarball(dir: string): Promise<string> {
  const packed = await sh(
    "npm",
    ["pack", "--ignore-scripts", "--pack-destination", dir],
    packageRoot(),
  );
  const tarball = path.join(dir, packed.trim().split("\n").at(-1)!);
  if (!existsSync(tarball)) throw new Error(`npm pack wrote no ${tarball}:\n${packed}`);
  return tarball;
}

/** The files `npm pack` would put in the tarball, sorted (the dry run: nothing is written). */
export async function packedFiles(): Promise<string[]> {
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: packageRoot(),
    maxBuffer: 16 << 20,
  });
  const [info] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  return info.files.map((f) => f.path).sort();
}
