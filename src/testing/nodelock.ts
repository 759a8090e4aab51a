/**
 * One node at a time on this host, across test files.
 *
 * The test runner runs files in parallel processes, and a node changes host-wide state (the
 * kubelet's sysctls, fixed paths of containerd, a bridge): two nodes at once would make the
 * node tests' "nothing left behind" checks see each other. So every test process that
 * starts a node first takes this lock, a file in the temporary directory naming the owning
 * process and the cluster directories of its nodes.
 *
 * Guarantees: the lock passes to another process only when its owner has exited AND every
 * cluster directory it recorded is gone — a private cluster is torn down by its supervisor
 * after the test process ends, and deleting its directory is the teardown's last step.
 * Reentrant within a process. Never released while the owner lives: a file holds it for its
 * whole run.
 * Caveat: two waiters that both see a dead owner may race to replace it; the loser's `wx`
 * create fails and it waits again, but a waiter that read the old owner just before the
 * winner wrote may move the winner's lock aside. Rare with two test processes polling.
 */
import { readFileSync, renameSync, writeFileSync, existsSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface Holder {
  pid: number;
  dirs: string[];
}

export const NODE_LOCK = path.join(os.tmpdir(), "capstan-test-node.lock");
/** How long a dead owner's cluster directory may linger before its teardown counts as lost. */
const TEARDOWN_GRACE_MS = 120_000;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Where the lock is; a test of the lock itself uses another file. */
export interface LockFile {
  file?: string;
}

function read(file: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Holder;
  } catch {
    return undefined;
  }
}

function tryCreate(file: string): boolean {
  try {
    writeFileSync(file, JSON.stringify({ pid: process.pid, dirs: [] } satisfies Holder), {
      flag: "wx",
    });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

/** Resolves once this process holds the node lock (at once if it already does). */
export async function acquireNodeLock(
  opts: LockFile & {
    timeoutMs?: number;
    /** Called on each wait, with whether the holder still runs (for the lock's own test). */
    onWait?: (holder: Holder | undefined, holderAlive: boolean) => void;
  } = {},
): Promise<void> {
  const file = opts.file ?? NODE_LOCK;
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  let deadSince: number | undefined;
  for (;;) {
    const h = read(file);
    if (h?.pid === process.pid) return;
    if (!h && tryCreate(file)) return;
    if (h && !alive(h.pid)) {
      deadSince ??= Date.now();
      const tornDown = h.dirs.every((d) => !existsSync(d));
      if (tornDown || Date.now() - deadSince > TEARDOWN_GRACE_MS) {
        const aside = `${file}.${process.pid}`;
        try {
          renameSync(file, aside);
          rmSync(aside, { force: true });
        } catch {
          // Another waiter moved it first.
        }
        continue;
      }
    } else deadSince = undefined;
    opts.onWait?.(h, !!h && alive(h.pid));
    if (Date.now() > deadline)
      throw new Error(
        `waiting for the node lock ${file}: process ${h?.pid} still holds it ` +
          `(one node at a time on this host)`,
      );
    await sleep(200);
  }
}

/** Record a cluster directory of this process's node, so the lock outlives its teardown. */
export function recordNodeCluster(dir: string, opts: LockFile = {}): void {
  const file = opts.file ?? NODE_LOCK;
  const h = read(file);
  if (h?.pid !== process.pid)
    throw new Error(`recording node cluster ${dir}: this process does not hold ${file}`);
  writeFileSync(file, JSON.stringify({ ...h, dirs: [...h.dirs, dir] } satisfies Holder));
}
