// Starting and stopping control planes: the background CLI, an owner killed outright, a
// component that dies early. Each test starts its own control plane beside the shared one.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { ControlPlaneError, startControlPlane } from "./index.js";
import { eventually, kubectlOk } from "../testing/index.js";
import { alive, capstan, handleModule } from "./cli.testkit.js";

describe("control plane lifecycle", () => {
  test("`capstan cluster up` runs in the background and `down` leaves no process or data behind", async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "capstan-cli-")), "cluster");
    const up = await capstan(["cluster", "up", "--dir", dir]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /Kubernetes v1\.\d+\.\d+ started/);

    const status = await capstan(["cluster", "status", "--dir", dir]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^ready at https:\/\/127\.0\.0\.1:\d+/);
    const pids = [...status.stdout.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(pids.length, 3, status.stdout);
    assert.ok(pids.every(alive));

    const again = await capstan(["cluster", "up", "--dir", dir]);
    assert.match(again.stdout, /already running/);

    const kc = (await capstan(["cluster", "kubeconfig", "--dir", dir])).stdout.trim();
    const bin = path.dirname((/^\s+(\S+\/kubectl) /m.exec(up.stdout) ?? [])[1] ?? "");
    const namespaces = await kubectlOk({ bin, kubeconfig: kc }, [
      "get",
      "namespaces",
      "-o",
      "name",
    ]);
    assert.match(namespaces, /namespace\/kube-system/);

    const down = await capstan(["cluster", "down", "--dir", dir]);
    assert.equal(down.code, 0, down.stderr);
    await eventually(async () => assert.deepEqual(pids.filter(alive), []), {
      what: "every process to exit",
    });
    assert.equal(existsSync(dir), false);
    const after = await capstan(["cluster", "status", "--dir", dir]);
    assert.match(after.stdout, /^stopped/);
  });

  test("a test run killed with SIGKILL leaves none of its processes alive", async () => {
    const script =
      "const { startControlPlane } = await import(process.argv[1]);" +
      "const cp = await startControlPlane(); console.log(JSON.stringify(cp.pids));" +
      "setInterval(() => {}, 1000);";
    const child = spawn(
      process.execPath,
      [...process.execArgv, "--input-type=module", "-e", script, handleModule],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const pids: Record<string, number> = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (c: string) => {
        out += c;
        if (out.includes("\n")) resolve(JSON.parse(out));
      });
      child.on("exit", (code) => reject(new Error(`owner exited early with ${code}`)));
    });
    const all = Object.values(pids);
    assert.equal(all.length, 3);
    assert.ok(all.every(alive));
    child.kill("SIGKILL");
    await eventually(async () => assert.deepEqual(all.filter(alive), []), {
      timeoutMs: 20_000,
      what: "the orphaned control plane to stop",
    });
  });

  test("a component that dies at start-up fails the start with its last log lines", async () => {
    await assert.rejects(
      startControlPlane({ apiserverExtraArgs: ["--no-such-flag=1"], readyTimeoutMs: 30_000 }),
      (e: unknown) => {
        assert.ok(e instanceof ControlPlaneError);
        assert.equal(e.component, "kube-apiserver");
        assert.equal(e.step, "ready");
        assert.ok(
          e.logTail.some((l) => l.includes("unknown flag: --no-such-flag")),
          e.logTail.join("\n"),
        );
        assert.match(e.message, /exited early/);
        return true;
      },
    );
  });
});
