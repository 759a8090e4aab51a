// The Sample operator inside the local cluster, from nothing (`capstan deploy --local --up`,
// Linux and root): the command starts a cluster with a node in a fresh directory while it
// builds the image, which carries the control plane's own static kubectl (`--include`)
// because the operator renders with `kubectl kustomize`; then applies the generated base,
// unchanged but for the image. The operator runs non-root on a read-only root filesystem, as
// the generated Deployment asks; a Sample's Deployment becomes Available and follows `count`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.js";
import { KubeClient } from "capstan/client";
import { clusterDown, clusterStatus, ensureBinaries } from "capstan/controlplane";
import { acquireNodeLock, eventually, nodeUnavailable, recordNodeCluster } from "capstan/testing";
import { Sample } from "./operator.js";
import { importStandIn } from "./standin.testkit.js";

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url)); // compiled CLI
const SAMPLE = fileURLToPath(new URL("../../../examples/sample", import.meta.url));
const DEPLOY = { apiVersion: "apps/v1", kind: "Deployment" } as const;

if (nodeUnavailable() === undefined) {
  const id = `smp-${Math.random().toString(16).slice(2, 8)}`;
  const name = `${id}-operator`; // its namespace is `${id}-system`
  const ns = `${id}-system`;
  // The Sample's Pods run nginx as root, so not in the operator's `restricted` namespace.
  const apps = "default";
  const out = mkdtempSync(path.join(os.tmpdir(), "capstan-deploy-sample-"));
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-sample-cluster-"));
  let kube: KubeClient;
  let printed = "";

  const runningPods = async (): Promise<Pod[]> =>
    (
      await kube.list(
        { apiVersion: "v1", kind: "Pod", namespace: apps },
        { labelSelector: { "nuvolaris.org/sample": "web" } },
      )
    ).items.filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp);
  const running = (n: number) =>
    eventually(
      async () => assert.equal((await runningPods()).length, n, `running Pods of Sample web`),
      { timeoutMs: 90_000, what: `${n} running Pods of Sample ${apps}/web` },
    );

  before(async () => {
    await acquireNodeLock();
    recordNodeCluster(dir);
    const kubectl = path.join(await ensureBinaries(), "kubectl");
    const r = await run(
      process.execPath,
      [
        ...[MAIN, "deploy", "--local", "--up", SAMPLE, "--cluster-dir", dir, "--out", out],
        ...["--name", name, "-n", apps, "--include", kubectl, "--timeout", "240"],
      ],
      { timeout: 300_000 },
    );
    printed = r.stdout;
    const st = await clusterStatus(dir);
    assert.equal(st.state, "running", `the cluster in ${dir}`);
    if (st.state !== "running") return;
    kube = await KubeClient.fromKubeconfig({ path: st.info.kubeconfig });
    await importStandIn(dir);
  });
  after(async () => {
    await clusterDown({ dir });
    rmSync(out, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  describe("capstan deploy --local with the Sample", () => {
    test("from nothing, it starts the cluster, and the operator Pod is Ready as a non-root user on a read-only root filesystem", async (t) => {
      t.diagnostic(printed.trimEnd());
      assert.match(printed, /^local cluster started in [\d.]+ s/m);
      assert.match(printed, new RegExp(`^Deployment ${ns}/${name} is Ready in`, "m"));
      const [pod, ...more] = (
        await kube.list(
          { apiVersion: "v1", kind: "Pod", namespace: ns },
          { labelSelector: { "app.kubernetes.io/name": name } },
        )
      ).items;
      assert.equal(more.length, 0);
      const c = pod!.spec!.containers[0]!;
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod!.spec!.securityContext?.runAsNonRoot;
      assert.equal(nonRoot, true);
      assert.equal(pod!.status?.containerStatuses?.[0]?.ready, true);
    });

    test("a Sample's Deployment, rendered in the Pod by the included kubectl, becomes Available", async () => {
      await kube.create({
        apiVersion: Sample.apiVersion,
        kind: Sample.kind,
        metadata: { name: "web", namespace: apps },
        spec: { count: 2 },
      });
      await eventually(
        async () => {
          const d = await kube.get({ ...DEPLOY, namespace: apps, name: "web-demo-deploy" });
          const available = d.status?.conditions?.find((c) => c.type === "Available");
          assert.equal(available?.status, "True", available?.message);
          assert.equal(d.status?.availableReplicas, 2);
        },
        { timeoutMs: 120_000, what: `Deployment ${apps}/web-demo-deploy Available` },
      );
      await running(2);
    });

    test("changing count scales the Sample's Deployment up and down", async () => {
      const ref = {
        apiVersion: Sample.apiVersion,
        kind: Sample.kind,
        namespace: apps,
        name: "web",
      };
      await kube.patch(ref, { spec: { count: 3 } });
      await running(3);
      await kube.patch(ref, { spec: { count: 1 } });
      await running(1);
    });
  });
}
