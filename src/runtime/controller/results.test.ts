// Handler return values on the real control plane: stored in status in the same single write
// as the last handled state, so a handling cycle costs one write even when handlers return
// something; updates made while the operator is down are diffed from that state; and a kind
// whose status schema prunes `status.capstan` falls back to the annotation.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, test } from "node:test";
import type { KubeClient } from "../../client/client.js";
import { defineResource, k8s, z } from "../../core/crd/index.js";
import { LAST_HANDLED, type ApiObject, type Operator } from "../index.js";
import {
  eventually,
  operatorFixture,
  runOperator,
  testNamespace,
  type TestControlPlane,
} from "../../testing/index.js";

type W = ApiObject & {
  spec: { size: number };
  status?: Record<string, unknown> & { capstan?: { lastHandled?: string } };
};
let cp: TestControlPlane;
let kube: KubeClient;
const group = `res${randomBytes(3).toString("hex")}.capstan.test`;
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };
// A kind whose status schema declares only the handler's result: status.capstan is pruned.
const StrictResource = defineResource({
  group,
  version: "v1",
  kind: "Strict",
  spec: z.object({ size: z.number().int() }),
  status: z.object({ sized: k8s.preserveUnknown().optional() }),
});
const Strict = { apiVersion: StrictResource.apiVersion, kind: "Strict" };

before(async () => {
  ({ cp, kube } = await operatorFixture({ widgets: group, crds: [StrictResource] }));
});

const get = (kind: typeof Widget, ns: string, name: string) =>
  kube.get({ ...kind, namespace: ns, name }) as unknown as Promise<W>;

function sizing(kind: typeof Widget, seen: string[]) {
  return (o: Operator) =>
    void o
      .on<W>(kind, `sizing-${kind.kind.toLowerCase()}`)
      .create(({ obj }) => ({ size: obj.spec.size }), { id: "sized" })
      .update(({ diff }) => {
        seen.push(JSON.stringify(diff.map((d) => [d.path.join("."), d.old, d.new])));
        return { changes: diff.length };
      });
}

test("handlers that return values cost one write per handling cycle, and updates are diffed from status after a restart", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "res");
  const seen: string[] = [];
  let op = await runOperator(sizing(Widget, seen), { kubeconfig: cp.kubeconfig, namespaces: [ns] });
  try {
    await kube.create({ ...Widget, metadata: { name: "w", namespace: ns }, spec: { size: 1 } });
    await eventually(async () =>
      assert.deepEqual((await get(Widget, ns, "w")).status?.sized, { size: 1 }),
    );
    await op.idle(); // anything else the cycle would write has been sent
    assert.equal(op.writes(), 1, "the create cycle: one status write");
    const created = await get(Widget, ns, "w");
    assert.equal(created.metadata.annotations?.[LAST_HANDLED], undefined, "no annotation write");
    assert.deepEqual(JSON.parse(created.status!.capstan!.lastHandled!).spec, { size: 1 });

    await kube.patch({ ...Widget, namespace: ns, name: "w" }, { spec: { size: 2 } });
    await eventually(async () =>
      assert.deepEqual((await get(Widget, ns, "w")).status?.update, { changes: 1 }),
    );
    await op.idle();
    assert.equal(op.writes(), 2, "the update cycle: one more write");
    await op.stop();

    await kube.patch({ ...Widget, namespace: ns, name: "w" }, { spec: { size: 5 } });
    op = await runOperator(sizing(Widget, seen), { kubeconfig: cp.kubeconfig, namespaces: [ns] });
    await eventually(async () => assert.ok(seen.includes('[["spec.size",2,5]]'), seen.join("\n")));
    await op.idle();
    assert.equal(op.writes(), 1, "the update made while down: one write");
  } finally {
    await op.stop();
    await dispose();
  }
});

test("a kind whose status schema prunes status.capstan keeps the last handled state in the annotation", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "strict");
  const seen: string[] = [];
  let op = await runOperator(sizing(Strict, seen), { kubeconfig: cp.kubeconfig, namespaces: [ns] });
  try {
    await kube.create({ ...Strict, metadata: { name: "s", namespace: ns }, spec: { size: 3 } });
    await eventually(async () => {
      const s = await get(Strict, ns, "s");
      assert.deepEqual(s.status?.sized, { size: 3 }, "the declared result is kept");
      assert.ok(s.metadata.annotations?.[LAST_HANDLED], "the diff base went to the annotation");
      assert.equal(s.status?.capstan, undefined, "pruned by the API server");
    });
    await op.stop();
    await kube.patch({ ...Strict, namespace: ns, name: "s" }, { spec: { size: 4 } });
    op = await runOperator(sizing(Strict, seen), { kubeconfig: cp.kubeconfig, namespaces: [ns] });
    await eventually(async () => assert.ok(seen.includes('[["spec.size",3,4]]'), seen.join("\n")));
  } finally {
    await op.stop();
    await dispose();
  }
});

test("a return value the status schema prunes is reported once, naming the handler and the fix", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "pruned");
  const op = await runOperator(
    (o) => void o.on<W>(Strict, "undeclared").create(() => ({ pvc: "x" }), { id: "claimed" }),
    { kubeconfig: cp.kubeconfig, namespaces: [ns], captureLogs: true },
  );
  const reports = () => op.logs().filter((l) => l.includes("prunes status.claimed"));
  try {
    for (const name of ["p1", "p2"])
      await kube.create({ ...Strict, metadata: { name, namespace: ns }, spec: { size: 1 } });
    // Both handled: each got its last handled state (the annotation: status.capstan is pruned too).
    await eventually(async () => {
      for (const name of ["p1", "p2"])
        assert.ok((await get(Strict, ns, name)).metadata.annotations?.[LAST_HANDLED], name);
    });
    assert.equal(reports().length, 1, op.logs().join("\n"));
    assert.match(
      reports()[0]!,
      /handler claimed returned a value.*declare `claimed` in the status schema/,
    );
  } finally {
    await op.stop();
    await dispose();
  }
});
