/**
 * Tie a server process's life to this process: a tiny detached watchdog stops the child
 * (SIGTERM, then SIGKILL) as soon as this process is gone — even after a SIGKILL, which
 * no exit handler can catch. Used for the database servers tests start.
 */
import { spawn } from "node:child_process";

const WATCHDOG = `
const [parent, child] = process.argv.slice(1).map(Number);
const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
const t = setInterval(() => {
  if (!alive(child)) process.exit(0);
  if (!alive(parent)) {
    try { process.kill(child, "SIGTERM"); } catch {}
    setTimeout(() => { try { process.kill(child, "SIGKILL"); } catch {} process.exit(0); }, 5000);
    clearInterval(t);
  }
}, 500);
`;

export function reapWithParent(childPid: number): void {
  const w = spawn(process.execPath, ["-e", WATCHDOG, String(process.pid), String(childPid)], {
    detached: true,
    stdio: "ignore",
  });
  w.unref();
}
