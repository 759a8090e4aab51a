// Temporary directories that do not outlive the test process. Node's test runner runs each
// file in its own process, so removing them at exit cleans up after every file, including
// those whose tests failed half-way — an `after` hook is skipped when `before` throws.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const made: string[] = [];
let hooked = false;

/** A new directory under the OS temp dir, removed (recursively) when the process exits. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      for (const d of made) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}
