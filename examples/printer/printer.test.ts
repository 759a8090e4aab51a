// The Printer operator end to end on the local control plane, hostile input included.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidError } from "capstan/client";
import { eventually, kubectlOk, useOperatorFixture } from "capstan/testing";
import printer, { Printer } from "./operator.js";

const f = useOperatorFixture({ operator: printer, crds: [Printer], spaces: ["printer"] });
const POD = { apiVersion: "v1", kind: "Pod" } as const;
const ref = (name: string) => ({
  apiVersion: Printer.apiVersion,
  kind: Printer.kind,
  namespace: f.ns.printer,
  name,
});
const podsOf = async (name: string) =>
  (
    await f.kube.list(
      { ...POD, namespace: f.ns.printer },
      { labelSelector: { "examples.capstan.dev/printer": name } },
    )
  ).items;

const HOSTILE = `it's "quoted" $(rm -rf /) \`id\`; echo pwned && exit 1 | cat\nsecond line ünïcødé 🚀 %s %n \\n`;

describe("Printer", () => {
  test("a Printer gets one Pod that prints the message as an argument, exactly as written", async () => {
    await f.kube.create({
      apiVersion: Printer.apiVersion,
      kind: Printer.kind,
      metadata: { name: "hostile", namespace: f.ns.printer },
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
      const p = (await f.kube.get(ref("hostile"))) as { status?: { phase?: string; pod?: string } };
      assert.equal(p.status?.pod, pod!.metadata!.name);
      // The local control plane has no kubelet: Pods stay Pending, and the status says so.
      assert.equal(p.status?.phase, "Pending");
    });
    const table = await kubectlOk(f.cp, [
      "get",
      `printers.${Printer.group}`,
      "-n",
      f.ns.printer,
      "hostile",
    ]);
    assert.match(table, /MESSAGE\s+POD\s+PHASE/);
  });

  test("changing the message replaces the Pod; a converged Printer costs no writes", async () => {
    await f.kube.create({
      apiVersion: Printer.apiVersion,
      kind: Printer.kind,
      metadata: { name: "changing", namespace: f.ns.printer },
      spec: { message: "one" },
    });
    const first = await eventually(async () => {
      const pods = await podsOf("changing");
      assert.equal(pods.length, 1);
      return pods[0]!.metadata!.name!;
    });
    await eventually(async () =>
      assert.equal(
        ((await f.kube.get(ref("changing"))) as { status?: { pod?: string } }).status?.pod,
        first,
      ),
    );
    // Converged: a reconcile woken by an annotation (no spec change) must write nothing. The
    // signal that it ran is the controller's reconcile count, not a sleep.
    await f.op.idle();
    const writes = f.op.writes();
    const controller = f.op.operator.controllers[0]!;
    const reconciles = controller.stats.reconciles;
    await f.kube.patch(ref("changing"), { metadata: { annotations: { poke: "1" } } });
    await eventually(async () => assert.ok(controller.stats.reconciles > reconciles));
    await f.op.idle();
    assert.equal(f.op.writes(), writes, "nothing to do, nothing written");
    await f.kube.patch(ref("changing"), { spec: { message: "two" } });
    await eventually(async () => {
      const pods = await podsOf("changing");
      assert.equal(pods.length, 1, pods.map((p) => p.metadata?.name).join());
      assert.notEqual(pods[0]!.metadata!.name, first);
      assert.deepEqual(pods[0]!.spec!.containers[0]!.command, ["printf", "%s\n", "two"]);
    });
  });

  test("a Pod it did not create is never deleted, even with its label", async () => {
    await f.kube.create({
      ...POD,
      metadata: {
        name: "foreign",
        namespace: f.ns.printer,
        labels: { "examples.capstan.dev/printer": "keeper" },
      },
      spec: { containers: [{ name: "c", image: "busybox:1.36" }] },
    });
    await f.kube.create({
      apiVersion: Printer.apiVersion,
      kind: Printer.kind,
      metadata: { name: "keeper", namespace: f.ns.printer },
      spec: { message: "hi" },
    });
    await eventually(async () => assert.equal((await podsOf("keeper")).length, 2));
    await f.op.idle();
    assert.ok(
      (await podsOf("keeper")).some((p) => p.metadata?.name === "foreign"),
      "the foreign Pod is still there",
    );
  });

  test("an over-long or empty message is refused by the API server, naming the field", async () => {
    for (const message of ["x".repeat(1025), ""]) {
      await assert.rejects(
        f.kube.create({
          apiVersion: Printer.apiVersion,
          kind: Printer.kind,
          metadata: { name: "bad", namespace: f.ns.printer },
          spec: { message },
        }),
        (e: unknown) =>
          e instanceof InvalidError && e.causes.some((c) => c.field === "spec.message"),
      );
    }
  });

  test("deleting the Printer deletes its Pod through the garbage collector", async () => {
    await f.kube.create({
      apiVersion: Printer.apiVersion,
      kind: Printer.kind,
      metadata: { name: "doomed", namespace: f.ns.printer },
      spec: { message: "bye" },
    });
    await eventually(async () => assert.equal((await podsOf("doomed")).length, 1));
    await f.kube.delete(ref("doomed"));
    // The collector learns a new CRD's kind on its 30 s discovery resync.
    await eventually(async () => assert.equal((await podsOf("doomed")).length, 0), {
      timeoutMs: 90_000,
      intervalMs: 1000,
      what: "the Pod to be collected",
    });
  });
});
