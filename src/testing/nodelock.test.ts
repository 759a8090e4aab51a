// The node lock between test processes: it passes on only once the holder has exited and
// the cluster directory it recorded is gone (its node's teardown finished). Pure file and
// process logic: no cluster; a lock file of its own, so real node tests are not disturbed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";

const MODULE = new URL("./nodelock.js", import.meta.url).href;

/** A process running `body` with `lock` (the module) in scope; its stdout lines in order. */
function run(body: string) {
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", `const lock = await import(${JSON.stringify(MODULE)});\n${body}`],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines: string[] = [];
  const waiters: { match: RegExp; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout }).on("line", (l) => {
    lines.push(l);
    for (const w of waiters.filter((w) => w.match.test(l))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(l);
    }
  });
  const line = (match: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((l) => match.test(l));
      if (seen) return resolve(seen);
      waiters.push({ match, resolve });
      child.once("exit", (c) => reject(new Error(`exited (${c}) before a line ${match}`)));
    });
  return { child, lines, line };
}

test("a second process gets the node lock only after the holder exited and its cluster directory is gone", async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "capstan-nodelock-"));
  const file = path.join(tmp, "lock");
  const cluster = path.join(tmp, "cluster");
  mkdirSync(cluster);
  const opts = JSON.stringify({ file });
  const holder = run(
    `await lock.acquireNodeLock(${opts});
     lock.recordNodeCluster(${JSON.stringify(cluster)}, ${opts});
     console.log("held");
     process.stdin.on("data", () => {});`,
  );
  await holder.line(/^held$/);
  const waiter = run(
    `await lock.acquireNodeLock({ ...${opts}, onWait: (h, alive) => console.log("wait " + alive) });
     console.log("got");`,
  );
  await waiter.line(/^wait true$/);
  holder.child.kill("SIGKILL");
  // The holder is dead but its cluster directory (its node's teardown) is still there.
  await waiter.line(/^wait false$/);
  assert.equal(waiter.lines.includes("got"), false, "the lock passed before the teardown");
  rmSync(cluster, { recursive: true });
  await waiter.line(/^got$/);
  rmSync(tmp, { recursive: true, force: true });
});
