// A component of a running control plane crashes (SIGKILL of its pid, as the OOM killer
// would), or the supervisor itself is killed: the data and the server URL survive. Each
// describe starts its own control plane beside the shared one and stops it afterwards.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ControlPlaneError, startControlPlane, type ControlPlane } from "./index.js";
import { eventually, kubectlOk } from "../testing/index.js";
import { alive, capstan, killComponent, readState, reapLeftovers } from "./cli.testkit.js";

describe("a background control plane (`capstan cluster up`)", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "capstan-recovery-"));
  const dir = path.join(tmp, "cluster");
  const seen = new Set<number>();
  const state = () => {
    const s = readState(dir);
    [s.supervisorPid, ...Object.values(s.pids)].forEach((p) => seen.add(p));
    return s;
  };
  const k = (args: string[]) => {
    const s = readState(dir);
    return kubectlOk({ bin: s.bin, kubeconfig: s.kubeconfig }, args, { timeoutMs: 20_000 });
  };
  const configMapValue = async (name: string) =>
    (await k(["get", "configmap", name, "-o", "jsonpath={.data.k}"])).trim();

  /** SIGKILL one component and wait until a new process of it serves the old data again. */
  async function crashAndRecover(component: "etcd" | "kube-apiserver") {
    const name = `before-${component}-crash`;
    await k(["create", "configmap", name, "--from-literal=k=v"]);
    const before = state();
    const kubeconfigBefore = readFileSync(before.kubeconfig, "utf8");
    killComponent(before.pids[component]!, component, dir);
    await eventually(
      async () => {
        const now = state();
        assert.notEqual(now.pids[component], before.pids[component], "a new process");
        assert.equal(await configMapValue(name), "v");
      },
      { timeoutMs: 90_000, what: `${component} to be restarted with its data` },
    );
    const after = state();
    assert.equal(after.server, before.server);
    assert.equal(after.supervisorPid, before.supervisorPid);
    assert.equal(readFileSync(after.kubeconfig, "utf8"), kubeconfigBefore);
    const status = await capstan(["cluster", "status", "--dir", dir]);
    assert.match(status.stdout, /^ready at /, status.stdout);
    const log = readFileSync(path.join(dir, "supervisor.log"), "utf8");
    assert.match(log, new RegExp(`${component} \\(pid ${before.pids[component]}\\) was killed`));
  }

  before(async () => {
    const up = await capstan(["cluster", "up", "--dir", dir]);
    assert.equal(up.code, 0, up.stderr);
    state();
  });
  after(async () => {
    await capstan(["cluster", "down", "--dir", dir]);
    reapLeftovers(seen, dir);
    rmSync(tmp, { recursive: true, force: true });
  });

  test("kube-apiserver killed with SIGKILL comes back on the same URL with every object", () =>
    crashAndRecover("kube-apiserver"));

  test("etcd killed with SIGKILL comes back on its data dir and the API serves the old objects", () =>
    crashAndRecover("etcd"));

  test("`cluster up` after the supervisor was killed resumes on the existing data", async () => {
    await k(["create", "configmap", "before-supervisor-kill", "--from-literal=k=v"]);
    const old = state();
    process.kill(old.supervisorPid, "SIGKILL");
    await eventually(async () => assert.equal(alive(old.supervisorPid), false));

    const status = await capstan(["cluster", "status", "--dir", dir]);
    assert.match(status.stdout, /^stale: .*capstan cluster up --dir /, status.stdout);
    const up = await capstan(["cluster", "up", "--dir", dir]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /resumed .* on the existing data/, up.stdout);

    const now = state();
    assert.equal(now.server, old.server);
    assert.deepEqual(Object.values(old.pids).filter(alive), [], "the orphans were stopped");
    assert.equal(await configMapValue("before-supervisor-kill"), "v");
  });

  test("`cluster down` says which directory it deletes", async () => {
    const down = await capstan(["cluster", "down", "--dir", dir]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, new RegExp(`deleted ${dir} \\(etcd data`), down.stdout);
  });
});

describe("a component that keeps crashing", () => {
  let cp: ControlPlane | undefined;
  let blocker: net.Server | undefined;
  after(async () => {
    blocker?.close();
    if (cp) reapLeftovers(Object.values(cp.pids), cp.dir);
    await cp?.stop();
  });

  test("exhausts its restarts and the supervisor stops, naming it, its exit and its log", async () => {
    cp = await startControlPlane({ restarts: { maxRestarts: 2, backoffMs: 1000 } });
    const pids = { ...cp.pids };
    const port = Number(new URL(cp.server).port);
    killComponent(pids["kube-apiserver"]!, "kube-apiserver", cp.dir);
    // Its port taken by someone else, every restart of kube-apiserver exits at once.
    blocker = await eventually(
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once("error", reject);
          s.listen(port, "127.0.0.1", () => resolve(s));
        }),
      { intervalMs: 20, what: `port ${port} to be free` },
    );
    const error = await cp.stopped;
    assert.ok(error instanceof ControlPlaneError, String(error));
    assert.equal(error.component, "kube-apiserver");
    assert.match(error.message, /restarted 2 times/);
    assert.match(error.message, /exited with code 1/);
    assert.ok(error.message.includes(path.join(cp.dir, "logs", "kube-apiserver.log")));
    assert.ok(
      error.logTail.some((l) => l.includes("address already in use")),
      error.logTail.join("\n"),
    );
    await eventually(async () => assert.deepEqual(Object.values(pids).filter(alive), []), {
      what: "every component to stop",
    });
  });
});
