/**
 * Benchmark helpers for the scripts a benchmark starts in their own Node process (so each
 * measures only itself): the compiled script when it exists (dist/bench/…), so no TypeScript
 * loader weighs on the figures, otherwise the .ts source through tsx.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/** Node arguments that run `<dir>/<name>` (.js when compiled, else .ts through tsx). */
export function nodeScript(dir: string, name: string): string[] {
  const compiled = path.join(dir, `${name}.js`);
  return existsSync(compiled) ? [compiled] : ["--import", "tsx", path.join(dir, `${name}.ts`)];
}

/** Run a Node script to its end and parse the JSON on the last line of its stdout. */
export function runJsonScript<T>(
  args: string[],
  opts: { label: string; timeoutMs: number },
): Promise<T> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      args,
      { maxBuffer: 1 << 20, timeout: opts.timeoutMs },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${opts.label}: ${stderr || err.message}`))
          : resolve(JSON.parse(stdout.trim().split("\n").pop()!) as T),
    ),
  );
}
