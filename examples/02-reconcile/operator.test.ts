// The second example, tested the way the seed documents ask (TDD against a real cluster):
// the Greeting operator runs inside the test with `runOperator`, and every claim in its
// header is checked — the owned ConfigMap, Ready with the generation, zero writes once
// converged, and the garbage collector's cascade.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";
import { childName, isTrue } from "capstan";
import { installCrds } from "capstan/runtime";
import { KubeClient, NotFoundError } from "capstan/client";
import {
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "capstan/testing";
import greetings, { Greeting } from "./operator.js";

let cp: TestControlPlane;
let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  await installCrds(kube, [Greeting]);
  ns = await testNamespace(kube, "ex02");
});
after(() => ns.dispose());

const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;
const greeting = (name: string) => kube.get({ ...Greeting.typeRef, namespace: ns.name, name });
const cmName = (name: string) => childName(name, "greeting", { rule: "dns1123-subdomain" });
const text = async (name: string) => {
  const cm = await kube.get({ ...CM, namespace: ns.name, name: cmName(name) });
  return cm.data?.text;
};

test("a Greeting gets its ConfigMap and Ready; a change is applied; converged costs no writes", async () => {
  let op = await runOperator(greetings, { kubeconfig: cp.kubeconfig, namespaces: [ns.name] });
  try {
    await kube.create({
      ...Greeting.typeRef,
      metadata: { name: "ada", namespace: ns.name },
      spec: { name: "Ada" },
    });
    await eventually(async () => assert.equal(await text("ada"), "Hello, Ada."));
    await eventually(async () => {
      const g = await greeting("ada");
      assert.equal(g.status?.observedGeneration, 1);
      assert.ok(isTrue(g.status?.conditions, "Ready"), JSON.stringify(g.status));
    });
    const cm = await kube.get({ ...CM, namespace: ns.name, name: cmName("ada") });
    assert.equal(cm.metadata?.ownerReferences?.[0]?.kind, "Greeting");
    assert.equal(cm.metadata?.ownerReferences?.[0]?.controller, true);

    await kube.patch(
      { apiVersion: Greeting.apiVersion, kind: "Greeting", namespace: ns.name, name: "ada" },
      { spec: { excited: true } },
    );
    await eventually(async () => assert.equal(await text("ada"), "Hello, Ada!"));
    await eventually(async () =>
      assert.equal((await greeting("ada")).status?.observedGeneration, 2),
    );
    await op.stop();

    op = await runOperator(greetings, { kubeconfig: cp.kubeconfig, namespaces: [ns.name] });
    await op.synced();
    await sleep(1500); // the restart's reconciles of the listed Greeting have run
    assert.equal(op.writes(), 0, "restarting over a converged Greeting writes nothing");
  } finally {
    await op.stop();
  }
});

test("a ConfigMap of that name that the Greeting does not own is untouched; the Greeting says Conflict", async () => {
  const op = await runOperator(greetings, { kubeconfig: cp.kubeconfig, namespaces: [ns.name] });
  try {
    const theirs = await kube.create({
      ...CM,
      metadata: { name: cmName("kept"), namespace: ns.name },
      data: { other: "theirs" },
    });
    await kube.create({
      apiVersion: Greeting.apiVersion,
      kind: "Greeting",
      metadata: { name: "kept", namespace: ns.name },
      spec: { name: "Kim" },
    });
    await eventually(async () =>
      assert.ok(isTrue((await greeting("kept")).status?.conditions, "Conflict")),
    );
    const after = await kube.get({ ...CM, namespace: ns.name, name: cmName("kept") });
    assert.equal(after.metadata?.resourceVersion, theirs.metadata?.resourceVersion);
  } finally {
    await op.stop();
  }
});

test("a Greeting with a 253-character name gets its ConfigMap", async () => {
  const op = await runOperator(greetings, { kubeconfig: cp.kubeconfig, namespaces: [ns.name] });
  try {
    const name = "g".repeat(253);
    await kube.create({
      apiVersion: Greeting.apiVersion,
      kind: "Greeting",
      metadata: { name, namespace: ns.name },
      spec: { name: "Long" },
    });
    await eventually(async () => assert.equal(await text(name), "Hello, Long."));
  } finally {
    await op.stop();
  }
});

test("deleting a Greeting deletes its ConfigMap through the garbage collector", async () => {
  const op = await runOperator(greetings, { kubeconfig: cp.kubeconfig, namespaces: [ns.name] });
  try {
    await kube.create({
      apiVersion: Greeting.apiVersion,
      kind: "Greeting",
      metadata: { name: "bye", namespace: ns.name },
      spec: { name: "Bob" },
    });
    await eventually(async () => assert.equal(await text("bye"), "Hello, Bob."));
    await kube.delete({
      apiVersion: Greeting.apiVersion,
      kind: "Greeting",
      namespace: ns.name,
      name: "bye",
    });
    // The garbage collector learns a new CRD from discovery every 30 s: allow for it.
    await eventually(
      async () => assert.rejects(text("bye"), (e: unknown) => e instanceof NotFoundError),
      { timeoutMs: 90_000, what: "the ConfigMap to be collected" },
    );
  } finally {
    await op.stop();
  }
});
