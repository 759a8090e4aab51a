/**
 * One test server process: spawned without a shell, tied to this process by the reaper,
 * its stderr tail kept for errors, polled until `ready()` answers, and stopped (SIGTERM,
 * data directory removed) by `stop()` — or at once if it never became ready.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { reapWithParent } from "../reaper.js";
import { LineTail } from "../../client/lines.js";

export async function startServerProcess(opts: {
  name: string;
  binary: string;
  args: string[];
  /** Removed on stop. */
  dir: string;
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}): Promise<{ stop(): Promise<void> }> {
  const child = spawn(opts.binary, opts.args, { stdio: ["ignore", "ignore", "pipe"] });
  reapWithParent(child.pid!);
  const log = new LineTail(40);
  child.stderr.on("data", log.sink());
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(opts.dir, { recursive: true, force: true });
  };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await opts.ready().catch(() => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why =
        child.exitCode !== null ? "exited early" : `was not ready within ${timeoutMs / 1000} s`;
      await stop();
      throw new Error(`${opts.name} ${why}:\n${log.lines().join("\n")}`);
    }
    await sleep(100);
  }
  return { stop };
}
