// What the control-plane process tests share: running the CLI as a user would, reading a
// background cluster's state.json, and killing exactly one of its processes by pid.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { StateFile } from "./supervisor.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ext = path.extname(fileURLToPath(import.meta.url));
const cliMain = path.join(here, "..", "cli", `main${ext}`);
/** The control-plane module's entry, for scripts that start one in a separate process. */
export const handleModule = path.join(here, `index${ext}`);

/** Alive and not a zombie: an orphan killed by a test may wait a while for init to reap it. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Run the CLI as a user would: its entry module runs `main` when executed directly. */
export function capstan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...process.execArgv, cliMain, ...args],
      { timeout: 180_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export function readState(dir: string): StateFile {
  return JSON.parse(readFileSync(path.join(dir, "state.json"), "utf8")) as StateFile;
}

/** The command line of a live process, or undefined once it is gone. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return undefined;
  }
}

/** SIGKILL `pid` after checking through /proc that it is `binary` running for `dir`. */
export function killComponent(pid: number, binary: string, dir: string): void {
  const cmd = commandLine(pid) ?? [];
  if (path.basename(cmd[0] ?? "") !== binary || !cmd.some((a) => a.includes(dir)))
    throw new Error(`pid ${pid} is not ${binary} of ${dir}: ${cmd.join(" ")}`);
  process.kill(pid, "SIGKILL");
}

/** SIGKILL whatever is still alive of `pids` and belongs to `dir` (test clean-up). */
export function reapLeftovers(pids: Iterable<number>, dir: string): void {
  for (const pid of pids) {
    const cmd = commandLine(pid);
    if (cmd?.some((a) => a.includes(dir))) process.kill(pid, "SIGKILL");
  }
}
