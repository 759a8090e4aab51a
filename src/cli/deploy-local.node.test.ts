// `capstan deploy --local` on a cluster with a real node (Linux, root): the Printer example's
// generated base, applied with nothing changed but the image, runs the operator in-cluster —
// its Pods Ready, working as its ServiceAccount through the `kubernetes` Service, one of two
// replicas leading, the leader's container restarted after SIGKILL with nothing processed twice,
// and the other replica taking over when the leader's Pod is deleted.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.js";
import { KubeClient } from "../client/index.js";
import {
  eventsFor,
  eventually,
  kubectlOk,
  nodeUnavailable,
  useControlPlane,
  type TestControlPlane,
} from "../testing/index.js";
import { readNodeRuntime } from "../controlplane/index.js";
import { podReady } from "./deploy-rollout.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, "main.js"); // the compiled CLI next to this compiled test
const PRINTER = fileURLToPath(new URL("../../../examples/printer", import.meta.url));
const PRINTER_KIND = { apiVersion: "examples.capstan.dev/v1", kind: "Printer" } as const;
const LEASE = { apiVersion: "coordination.k8s.io/v1", kind: "Lease" } as const;

if (nodeUnavailable() === undefined) {
  const id = `inc-${Math.random().toString(16).slice(2, 8)}`;
  const name = `${id}-operator`; // the objects' name; their namespace is `${id}-system`
  const ns = `${id}-system`;
  const out = mkdtempSync(path.join(os.tmpdir(), "capstan-deploy-local-"));
  let cp: TestControlPlane;
  let kube: KubeClient;
  let printed = "";

  const operatorPods = async (): Promise<Pod[]> =>
    (
      await kube.list(
        { apiVersion: "v1", kind: "Pod", namespace: ns },
        { labelSelector: { "app.kubernetes.io/name": name } },
      )
    ).items.filter((p) => !p.metadata?.deletionTimestamp);
  const holder = async () =>
    ((await kube.get({ ...LEASE, namespace: ns, name: "printer-leader" })) as Obj).spec
      .holderIdentity as string | undefined;
  const operatorPod = (pname: string): Promise<Pod> =>
    kube.get({ apiVersion: "v1", kind: "Pod", namespace: ns, name: pname });
  /** The host PID of a container's main process, as the node's containerd reports its task. */
  const hostPid = async (containerID: string): Promise<number> => {
    const id = containerID.replace(/^containerd:\/\//, "");
    const node = readNodeRuntime(cp.dir);
    const { stdout } = await run(node.ctr, [
      ...["-n", "k8s.io", "--address", node.containerdSocket, "tasks", "ls"],
    ]);
    const line = stdout.split("\n").find((l) => l.startsWith(`${id} `));
    const pid = Number(line?.trim().split(/\s+/)[1]);
    assert.ok(pid > 1, `containerd has a running task for container ${id}:\n${stdout}`);
    return pid;
  };
  const printer = (pname: string, message: string) =>
    kube.create({ ...PRINTER_KIND, metadata: { name: pname, namespace: ns }, spec: { message } });
  const printerPod = async (pname: string): Promise<string> =>
    eventually(
      async () => {
        const p = (await kube.get({ ...PRINTER_KIND, namespace: ns, name: pname })) as Obj;
        const pod: Pod = await kube.get({
          apiVersion: "v1",
          kind: "Pod",
          namespace: ns,
          name: p.status?.pod,
        });
        assert.equal(pod.status?.phase, "Succeeded", `Pod of Printer ${ns}/${pname}`);
        return pod.metadata!.name!;
      },
      { timeoutMs: 60_000, what: `the Pod of Printer ${ns}/${pname} Succeeded` },
    );

  before(async () => {
    cp = await useControlPlane({ node: true });
    kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
    // The command line as a user runs it, two replicas for leader election.
    const r = await run(
      process.execPath,
      [
        ...[MAIN, "deploy", "--local", PRINTER, "--cluster-dir", cp.dir, "--out", out],
        ...["--name", name, "--replicas", "2", "--timeout", "240"],
      ],
      { timeout: 300_000 },
    );
    printed = r.stdout;
  });
  after(async () => {
    rmSync(out, { recursive: true, force: true });
  });

  describe("capstan deploy --local with the Printer", () => {
    test("prints its steps and returns once both operator Pods run the built image and are Ready", async (t) => {
      t.diagnostic(printed.trimEnd());
      assert.match(printed, /^built inc-\w+-operator:local-[0-9a-f]{12}: [\d.]+ MB/m);
      assert.match(printed, new RegExp(`^Deployment ${ns}/${name} is Ready in`, "m"));
      const pods = await operatorPods();
      assert.equal(pods.length, 2);
      for (const p of pods) {
        const st = p.status!;
        const at = (type: string) =>
          st.conditions?.find((c) => c.type === type)?.lastTransitionTime;
        t.diagnostic(
          `${p.metadata!.name}: created ${p.metadata!.creationTimestamp}, scheduled ${at("PodScheduled")}, ` +
            `started ${st.containerStatuses?.[0]?.state?.running?.startedAt}, Ready ${at("Ready")}`,
        );
        assert.ok(podReady(p), `Pod ${ns}/${p.metadata!.name} is Ready`);
        assert.match(p.spec!.containers[0]!.image!, /^inc-\w+-operator:local-[0-9a-f]{12}$/);
      }
    });

    test("a Printer's Pod Succeeds and its log is the message byte for byte", async () => {
      const message = `héllo 'in-cluster' "$(id)" ; \\ %s\n  two lines`;
      await printer("bytes", message);
      const pod = await printerPod("bytes");
      assert.equal(await kubectlOk(cp, ["logs", "-n", ns, pod]), `${message}\n`);
    });

    test("exactly one of the two replicas leads, and it runs as the generated ServiceAccount", async () => {
      const pods = await operatorPods();
      const leader = await holder();
      assert.deepEqual(
        pods.map((p) => p.metadata!.name === leader).sort(),
        [false, true],
        `Lease ${ns}/printer-leader is held by ${leader}`,
      );
      const leading = [];
      for (const p of pods) {
        assert.equal(p.spec!.serviceAccountName, name);
        const log = await kubectlOk(cp, ["logs", "-n", ns, p.metadata!.name!]);
        if (log.includes('"msg":"became the leader"')) leading.push(p.metadata!.name);
      }
      assert.deepEqual(leading, [leader]);
    });

    test("a verb taken off its Role shows up as the condition and the Event naming the rule", async () => {
      const role = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        namespace: ns,
        name,
      };
      const rules = ((await kube.get(role)) as Obj).rules as Obj[];
      const without = rules.map((r) =>
        r.resources.includes("pods")
          ? { ...r, verbs: r.verbs.filter((v: string) => v !== "create") }
          : r,
      );
      await kube.patch(role, { rules: without }, { type: "merge" });
      try {
        await printer("denied", "never printed");
        const missing = new RegExp(
          `missing RBAC rule: verb create on pods in API group "" \\(core\\) in namespace ${ns}`,
        );
        const p = await kube.get({ ...PRINTER_KIND, namespace: ns, name: "denied" });
        await eventually(
          async () => {
            const warnings = (await eventsFor(kube, p)).filter((e) => e.type === "Warning");
            assert.ok(
              warnings.some((e) => missing.test(e.note ?? "")),
              "a Warning names the rule",
            );
            const status = (
              (await kube.get({ ...PRINTER_KIND, namespace: ns, name: "denied" })) as Obj
            ).status;
            const reconciled = status?.conditions?.find((c: Obj) => c.type === "Reconciled");
            assert.equal(reconciled?.status, "False");
            assert.match(reconciled.message, missing);
          },
          { timeoutMs: 60_000, what: `Printer ${ns}/denied naming the missing rule` },
        );
      } finally {
        await kube.patch(role, { rules }, { type: "merge" });
      }
    });

    test("SIGKILL of the leader's process restarts its container, and each Printer created around the kill gets exactly one Pod that prints once", async (t) => {
      const leader = await eventually(
        async () => {
          const pods = await operatorPods();
          const h = await holder();
          assert.equal(pods.filter(podReady).length, 2, "two Ready replicas");
          assert.ok(
            pods.some((p) => p.metadata!.name === h),
            `a replica holds the Lease (${h})`,
          );
          return h!;
        },
        { timeoutMs: 60_000, what: "two Ready replicas, one leading" },
      );
      const before = (await operatorPod(leader)).status!.containerStatuses![0]!;
      const pid = await hostPid(before.containerID!);
      const messages = {
        "around-kill": "created just before the kill",
        "while-down": "created while the leader is down",
      };
      await printer("around-kill", messages["around-kill"]);
      process.kill(pid, "SIGKILL");
      await printer("while-down", messages["while-down"]);
      const restarted = await eventually(
        async () => {
          const p = await operatorPod(leader);
          assert.equal(
            p.status?.containerStatuses?.[0]?.restartCount,
            1,
            `Pod ${ns}/${leader} restarted`,
          );
          assert.ok(podReady(p), `Pod ${ns}/${leader} is Ready again`);
          return p;
        },
        { timeoutMs: 90_000, what: `the container of Pod ${ns}/${leader} restarted and Ready` },
      );
      t.diagnostic(
        `restarted at ${restarted.status!.containerStatuses![0]!.state?.running?.startedAt}`,
      );
      const next = await holder();
      t.diagnostic(`Lease held by ${next} (the killed leader was ${leader})`);
      assert.ok(
        (await operatorPods()).some((p) => p.metadata!.name === next),
        `the Lease is held by a replica`,
      );
      for (const [pname, message] of Object.entries(messages)) {
        const pod = await printerPod(pname);
        const owned = (
          await kube.list({ apiVersion: "v1", kind: "Pod", namespace: ns })
        ).items.filter((p) =>
          p.metadata?.ownerReferences?.some((o) => o.kind === "Printer" && o.name === pname),
        );
        assert.deepEqual(
          owned.map((p) => p.metadata!.name),
          [pod],
          `one Pod for Printer ${ns}/${pname}`,
        );
        assert.equal(owned[0]!.status?.containerStatuses?.[0]?.restartCount, 0, "it ran once");
        assert.equal(await kubectlOk(cp, ["logs", "-n", ns, pod]), `${message}\n`, "printed once");
      }
    });

    test("deleting the leader's Pod hands the Lease to the other replica before it would expire, and the new leader reconciles", async (t) => {
      const leader = await holder();
      const [standby] = (await operatorPods()).filter((p) => p.metadata!.name !== leader);
      const started = performance.now();
      await kube.delete({ apiVersion: "v1", kind: "Pod", namespace: ns, name: leader! });
      const next = await eventually(
        async () => {
          const h = await holder();
          assert.ok(h && h !== leader, `Lease ${ns}/printer-leader still held by ${h}`);
          return h;
        },
        { timeoutMs: 30_000, intervalMs: 25, what: `Lease ${ns}/printer-leader handed over` },
      );
      const handoverMs = performance.now() - started;
      t.diagnostic(`leader Pod deleted → Lease held by the standby: ${Math.round(handoverMs)} ms`);
      assert.equal(next, standby!.metadata!.name);
      // The lease lasts 15 s: a handover well within it means the leader released it.
      assert.ok(handoverMs < 10_000, `handover took ${Math.round(handoverMs)} ms`);
      await printer("after", "after the handover");
      await printerPod("after");
    });
  });
}
