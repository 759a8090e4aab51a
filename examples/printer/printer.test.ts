// The Printer operator end to end on the local control plane, hostile input included.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KubeClient, InvalidError } from "capstan/client";
import { installCrds } from "capstan/runtime";
import {
  eventually,
  kubectlOk,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
  type TestControlPlane,
} from "capstan/testing";
import printer, { Printer } from "./operator.js";

let cp: TestControlPlane;
let kube: KubeClient;
let op: RunningOperator;
let ns: { name: string; dispose(): Promise<void> };
const POD = { apiVersion: "v1", kind: "Pod" } as const;
const ref = (name: string) => ({
  apiVersion: Printer.apiVersion,
  kind: Printer.kind,
  namespace: ns.name,
  name,
});
const podsOf = async (name: string) =>
  (
    await kube.list(
      { ...POD, namespace: ns.name },
      { labelSelector: { "examples.capstan.dev/printer": name } },
    )
  ).items;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  await installCrds(kube, [Printer]);
  ns = await testNamespace(kube, "printer");
  op = await runOperator(printer, { kubeconfig: cp.kubeconfig, namespaces: [ns.name] });
});
after(async () => {
  await op.stop();
  await ns.dispose();
});

const HOSTILE = `it's "quoted" $(rm -rf /) \`id\`; echo pwned && exit 1 | cat\nsecond line ünïcødé 🚀 %s %n \\n`;

describe("Printer", () => {
  test("a Printer gets one Pod that prints the message as an argument, exactly as written", async () => {
    await kube.create({
      apiVersion: Printer.apiVersion,
      kind: Printer.kind,
      metadata: { name: "hostile", namespace: ns.name },
      spec: { message: HOSTILE },
    });
    const [pod] = await eventually(async () => {
      const pods = await podsOf("hostile");
      assert.equal(pods.length, 1);
      return pods;
    });
    const c = pod!.spec!.containers[0]!;
    assert.deepEqual(
      c.command,
      ["printf", "%s\n", HOSTILE],
      "no shell: the message is one argument",
    );
    assert.equal(c.args, undefined);
    assert.equal(c.image, "busybox:1.36", "the default image");
    assert.equal(pod!.spec!.securityContext?.runAsNonRoot, true);
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"]);
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
    const owner = pod!.metadata!.ownerReferences![0]!;
    assert.equal(owner.kind, "Printer");
    assert.equal(owner.controller, true);
    await eventually(async () => {
      const p = (await kube.get(ref("hostile"))) as { status?: { phase?: string; pod?: string } };
      assert.equal(p.status?.pod, pod!.metadata!.name);
      // The local control plane has no kubelet: Pods stay Pending, and the status says so.
      assert.equal(p.status?.phase, "Pending");
    });
    const table = await kubectlOk(cp, [
      "get",
      `printers.${Printer.group}`,
      "-n",
      ns.name,
      "hostile",
    ]);
    assert.match(table, /MESSAGE\s+POD\s+PHASE/);
  });

  test("changing the message replaces the Pod; a converged Printer costs no writes", async () => {
    await kube.create({
      apiVersion: Printer.apiVersion,
      kind: Printer.kind,
      metadata: { name: "changing", namespace: ns.name },
      spec: { message: "one" },
    });
    const first = await eventually(async () => {
      const pods = await podsOf("changing");
      assert.equal(pods.length, 1);
      return pods[0]!.metadata!.name!;
    });
    await eventually(async () =>
      assert.equal(
        ((await kube.get(ref("changing"))) as { status?: { pod?: string } }).status?.pod,
        first,
      ),
    );
    // Converged: a reconcile woken by an annotation (no spec change) must write nothing. The
    // signal that it ran is the controller's reconcile count, not a sleep.
    await op.idle();
    const writes = op.writes();
    const controller = op.operator.controllers[0]!;
    const reconciles = controller.stats.reconciles;
    await kube.patch(ref("changing"), { metadata: { annotations: { poke: "1" } } });
    await eventually(async () => assert.ok(controller.stats.reconciles > reconciles));
    await op.idle();
    assert.equal(op.writes(), writes, "nothing to do, nothing written");
    await kube.patch(ref("changing"), { spec: { message: "two" } });
    await eventually(async () => {
      const pods = await podsOf("changing");
      assert.equal(pods.length, 1, pods.map((p) => p.metadata?.name).join());
      assert.notEqual(pods[0]!.metadata!.name, first);
      assert.deepEqual(pods[0]!.spec!.containers[0]!.command, ["printf", "%s\n", "two"]);
    });
  });

  test("a Pod it did not create is never deleted, even with its label", async () => {
    await kube.create({
      ...POD,
      metadata: {
        name: "foreign",
        namespace: ns.name,
        labels: { "examples.capstan.dev/printer": "keeper" },
      },
      spec: { containers: [{ name: "c", image: "busybox:1.36" }] },
    });
    await kube.create({
      apiVersion: Printer.apiVersion,
      kind: Printer.kind,
      metadata: { name: "keeper", namespace: ns.name },
      spec: { message: "hi" },
    });
    await eventually(async () => assert.equal((await podsOf("keeper")).length, 2));
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(
      (await podsOf("keeper")).some((p) => p.metadata?.name === "foreign"),
      "the foreign Pod is still there",
    );
  });

  test("an over-long or empty message is refused by the API server, naming the field", async () => {
    for (const message of ["x".repeat(1025), ""]) {
      await assert.rejects(
        kube.create({
          apiVersion: Printer.apiVersion,
          kind: Printer.kind,
          metadata: { name: "bad", namespace: ns.name },
          spec: { message },
        }),
        (e: unknown) =>
          e instanceof InvalidError && e.causes.some((c) => c.field === "spec.message"),
      );
    }
  });

  test("deleting the Printer deletes its Pod through the garbage collector", async () => {
    await kube.create({
      apiVersion: Printer.apiVersion,
      kind: Printer.kind,
      metadata: { name: "doomed", namespace: ns.name },
      spec: { message: "bye" },
    });
    await eventually(async () => assert.equal((await podsOf("doomed")).length, 1));
    await kube.delete(ref("doomed"));
    // The collector learns a new CRD's kind on its 30 s discovery resync.
    await eventually(async () => assert.equal((await podsOf("doomed")).length, 0), {
      timeoutMs: 90_000,
      intervalMs: 1000,
      what: "the Pod to be collected",
    });
  });
});
