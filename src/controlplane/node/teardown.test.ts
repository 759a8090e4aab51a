// A node leaves nothing behind: not after a normal stop, and not after its owner is killed
// outright. Each test first sees a running Pod's process, shim, veth, mounts and cgroups (so
// the check can fail), then finds none of them afterwards, and the host's sysctls back.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, test } from "node:test";
import { eventually, nodeUnavailable } from "../../testing/index.js";
import { startControlPlane } from "../index.js";
import {
  nodeEvidence,
  runSleepingPod,
  stillThere,
  sysctls,
  type NodeEvidence,
} from "./node.testkit.js";

const none: NodeEvidence = { processes: [], mounts: [], links: [], cgroups: [] };

function assertPresent(seen: NodeEvidence) {
  assert.ok(
    seen.processes.some((p) => p.cmdline.startsWith("sleep\0")),
    "the Pod's container runs",
  );
  assert.ok(
    seen.processes.some((p) => p.cmdline.includes("containerd-shim-runc-v2")),
    "a shim runs",
  );
  assert.ok(seen.links.length >= 2, "the bridge has the Pod's veth");
  assert.ok(seen.mounts.length > 0 && seen.cgroups.length > 0, "mounts and cgroups exist");
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

if (nodeUnavailable() === undefined) {
  describe("node teardown", () => {
    test("stopping a control plane with a node leaves no process, container, mount, interface, cgroup or changed sysctl", async () => {
      const before = sysctls();
      const cp = await startControlPlane({ node: true });
      await runSleepingPod(cp);
      const seen = nodeEvidence(cp.dir);
      assertPresent(seen);
      await cp.stop();
      assert.deepEqual(stillThere(seen), none);
      assert.deepEqual(sysctls(), before);
      assert.equal(existsSync(cp.dir), false);
    });

    test("after its owner is killed with SIGKILL, the supervisor leaves nothing of the node behind", async () => {
      const before = sysctls();
      const index = new URL("../index.js", import.meta.url).href;
      const owner = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { startControlPlane } = await import(${JSON.stringify(index)});
           const cp = await startControlPlane({ node: true });
           console.log(JSON.stringify({ dir: cp.dir, bin: cp.bin, kubeconfig: cp.kubeconfig }));
           setInterval(() => {}, 1 << 30);`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: owner.stdout! }).once("line", resolve);
        owner.once("exit", (c) =>
          reject(new Error(`the owner exited (${c}) before the node was Ready`)),
        );
      });
      const cp = JSON.parse(line) as { dir: string; bin: string; kubeconfig: string };
      const supervisor = (
        JSON.parse(readFileSync(path.join(cp.dir, "state.json"), "utf8")) as {
          supervisorPid: number;
        }
      ).supervisorPid;
      await runSleepingPod(cp);
      const seen = nodeEvidence(cp.dir);
      assertPresent(seen);
      owner.kill("SIGKILL");
      await eventually(
        async () => assert.equal(alive(supervisor), false, `supervisor ${supervisor} still runs`),
        { timeoutMs: 60_000, what: "the supervisor's exit" },
      );
      assert.deepEqual(stillThere(seen), none);
      assert.deepEqual(sysctls(), before);
      assert.equal(existsSync(cp.dir), false);
    });
  });
}
