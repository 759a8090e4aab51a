// The second example, tested the way the seed documents ask (TDD against a real cluster):
// the Greeting operator runs inside the test with `runOperator`, and every claim in its
// header is checked — the owned ConfigMap, Ready with the generation, zero writes once
// converged, and the garbage collector's cascade.
import assert from "node:assert/strict";
import { test } from "node:test";
import { childName, isTrue } from "capstan";
import { NotFoundError } from "capstan/client";
import { eventually, useOperatorFixture } from "capstan/testing";
import greetings, { Greeting } from "./operator.js";

const f = useOperatorFixture({ crds: [Greeting], spaces: ["ex02"] });

const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;
const greeting = (name: string) => f.kube.get({ ...Greeting.typeRef, namespace: f.ns.ex02, name });
const cmName = (name: string) => childName(name, "greeting", { rule: "dns1123-subdomain" });
const text = async (name: string) => {
  const cm = await f.kube.get({ ...CM, namespace: f.ns.ex02, name: cmName(name) });
  return cm.data?.text;
};

test("a Greeting gets its ConfigMap and Ready; a change is applied; converged costs no writes", async () => {
  let op = await f.run(greetings, { namespaces: [f.ns.ex02] });
  await f.kube.create({
    ...Greeting.typeRef,
    metadata: { name: "ada", namespace: f.ns.ex02 },
    spec: { name: "Ada" },
  });
  await eventually(async () => assert.equal(await text("ada"), "Hello, Ada."));
  await eventually(async () => {
    const g = await greeting("ada");
    assert.equal(g.status?.observedGeneration, 1);
    assert.ok(isTrue(g.status?.conditions, "Ready"), JSON.stringify(g.status));
  });
  const cm = await f.kube.get({ ...CM, namespace: f.ns.ex02, name: cmName("ada") });
  assert.equal(cm.metadata?.ownerReferences?.[0]?.kind, "Greeting");
  assert.equal(cm.metadata?.ownerReferences?.[0]?.controller, true);

  await f.kube.patch(
    { apiVersion: Greeting.apiVersion, kind: "Greeting", namespace: f.ns.ex02, name: "ada" },
    { spec: { excited: true } },
  );
  await eventually(async () => assert.equal(await text("ada"), "Hello, Ada!"));
  await eventually(async () => assert.equal((await greeting("ada")).status?.observedGeneration, 2));
  await op.stop();

  op = await f.run(greetings, { namespaces: [f.ns.ex02] });
  await op.idle(); // the restart's reconciles of the listed Greeting have run
  assert.equal(op.writes(), 0, "restarting over a converged Greeting writes nothing");
});

test("a ConfigMap of that name that the Greeting does not own is untouched; the Greeting says Conflict", async () => {
  await f.run(greetings, { namespaces: [f.ns.ex02] });
  const theirs = await f.kube.create({
    ...CM,
    metadata: { name: cmName("kept"), namespace: f.ns.ex02 },
    data: { other: "theirs" },
  });
  await f.kube.create({
    apiVersion: Greeting.apiVersion,
    kind: "Greeting",
    metadata: { name: "kept", namespace: f.ns.ex02 },
    spec: { name: "Kim" },
  });
  await eventually(async () =>
    assert.ok(isTrue((await greeting("kept")).status?.conditions, "Conflict")),
  );
  const after = await f.kube.get({ ...CM, namespace: f.ns.ex02, name: cmName("kept") });
  assert.equal(after.metadata?.resourceVersion, theirs.metadata?.resourceVersion);
});

test("a Greeting with a 253-character name gets its ConfigMap", async () => {
  await f.run(greetings, { namespaces: [f.ns.ex02] });
  const name = "g".repeat(253);
  await f.kube.create({
    apiVersion: Greeting.apiVersion,
    kind: "Greeting",
    metadata: { name, namespace: f.ns.ex02 },
    spec: { name: "Long" },
  });
  await eventually(async () => assert.equal(await text(name), "Hello, Long."));
});

test("deleting a Greeting deletes its ConfigMap through the garbage collector", async () => {
  await f.run(greetings, { namespaces: [f.ns.ex02] });
  await f.kube.create({
    apiVersion: Greeting.apiVersion,
    kind: "Greeting",
    metadata: { name: "bye", namespace: f.ns.ex02 },
    spec: { name: "Bob" },
  });
  await eventually(async () => assert.equal(await text("bye"), "Hello, Bob."));
  await f.kube.delete({
    apiVersion: Greeting.apiVersion,
    kind: "Greeting",
    namespace: f.ns.ex02,
    name: "bye",
  });
  // The garbage collector learns a new CRD from discovery every 30 s: allow for it.
  await eventually(
    async () => assert.rejects(text("bye"), (e: unknown) => e instanceof NotFoundError),
    { timeoutMs: 90_000, what: "the ConfigMap to be collected" },
  );
});
