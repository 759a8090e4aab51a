// Where an operator looks and how it stops: several namespaces but not others, a
// cluster-scoped kind, in-flight work finished on shutdown, repeated failures aggregated
// into one Event series, and owner references from the helper.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeClient } from "../../client/client.js";
import { done, ownerReference, type ApiObject } from "../index.js";
import {
  eventsFor,
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../../testing/index.js";

let cp: TestControlPlane;
let kube: KubeClient;
const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
});

test("watches exactly the namespaces it is given", async () => {
  const [a, b, c] = await Promise.all([
    testNamespace(kube, "sa"),
    testNamespace(kube, "sb"),
    testNamespace(kube, "sc"),
  ]);
  const seen = new Set<string>();
  const op = await runOperator(
    (o) =>
      void o.controller<ApiObject>({
        name: "cms",
        for: CM,
        labelSelector: "scope=1",
        reconcile: async (cm) => void seen.add(`${cm.metadata.namespace}/${cm.metadata.name}`),
      }),
    { kubeconfig: cp.kubeconfig, namespaces: [a.name, b.name] },
  );
  try {
    for (const ns of [a, b, c])
      await kube.create({
        ...CM,
        metadata: { name: "x", namespace: ns.name, labels: { scope: "1" } },
      });
    await eventually(async () =>
      assert.ok(seen.has(`${a.name}/x`) && seen.has(`${b.name}/x`), [...seen].join()),
    );
    await sleep(500);
    assert.ok(!seen.has(`${c.name}/x`), "a namespace it was not given is never watched");
  } finally {
    await op.stop();
    await Promise.all([a, b, c].map((n) => n.dispose()));
  }
});

test("reconciles a cluster-scoped kind", async () => {
  const tag = randomBytes(3).toString("hex");
  const NS = { apiVersion: "v1", kind: "Namespace" } as const;
  const op = await runOperator(
    (o) =>
      void o.controller<ApiObject>({
        name: "namespaces",
        for: NS,
        labelSelector: `capstan-scope=${tag}`,
        async reconcile(ns) {
          if (ns.metadata.annotations?.["capstan.test/seen"]) return done();
          await kube.patch(
            { ...NS, name: ns.metadata.name! },
            { metadata: { annotations: { "capstan.test/seen": "yes" } } },
          );
          return done();
        },
      }),
    { kubeconfig: cp.kubeconfig },
  );
  const name = `scope-${tag}`;
  try {
    await kube.create({ ...NS, metadata: { name, labels: { "capstan-scope": tag } } });
    await eventually(async () =>
      assert.equal(
        (await kube.get({ ...NS, name })).metadata?.annotations?.["capstan.test/seen"],
        "yes",
      ),
    );
  } finally {
    await op.stop();
    await kube.delete({ ...NS, name }).catch(() => undefined);
  }
});

test("stopping lets an in-flight reconcile finish and starts no new one", async () => {
  const ns = await testNamespace(kube, "stop");
  const log: string[] = [];
  const op = await runOperator(
    (o) =>
      void o.controller<ApiObject>({
        name: "slow",
        for: CM,
        labelSelector: "slow=1",
        async reconcile(cm) {
          log.push(`start ${cm.metadata.name}`);
          await sleep(1000);
          log.push(`end ${cm.metadata.name}`);
          return done();
        },
        queue: { concurrency: 1 },
      }),
    { kubeconfig: cp.kubeconfig, namespaces: [ns.name] },
  );
  try {
    await kube.create({
      ...CM,
      metadata: { name: "a", namespace: ns.name, labels: { slow: "1" } },
    });
    await eventually(async () => assert.ok(log.includes("start a"), log.join()));
    await kube.create({
      ...CM,
      metadata: { name: "b", namespace: ns.name, labels: { slow: "1" } },
    });
    await sleep(100);
    await op.stop();
    assert.deepEqual(log, ["start a", "end a"], "a finished; b, queued behind it, was not started");
  } finally {
    await op.stop();
    await ns.dispose();
  }
});

test("a failure repeated many times is one Event with a series count, not one Event each", async () => {
  const ns = await testNamespace(kube, "agg");
  let attempts = 0;
  const op = await runOperator(
    (o) =>
      void o.controller<ApiObject>({
        name: "failing",
        for: CM,
        labelSelector: "fail=1",
        queue: { baseDelayMs: 20, maxDelayMs: 100 },
        async reconcile() {
          attempts++;
          throw new Error("the database is unreachable");
        },
      }),
    { kubeconfig: cp.kubeconfig, namespaces: [ns.name] },
  );
  const cm = await kube.create({
    ...CM,
    metadata: { name: "f", namespace: ns.name, labels: { fail: "1" } },
  });
  try {
    await eventually(async () => assert.ok(attempts >= 6, `attempts: ${attempts}`));
  } finally {
    await op.stop(); // flushes the held-back series count
  }
  const events = (await eventsFor(kube, cm)).filter((e) => e.reason === "ReconcileError");
  assert.equal(events.length, 1, "one Event for the repeated failure");
  assert.ok((events[0]!.series?.count ?? 1) >= 2, `series count ${events[0]!.series?.count}`);
  assert.match(events[0]!.note ?? "", /the database is unreachable/);
  await ns.dispose();
});

test("ownerReference makes a child the garbage collector removes with its owner", async () => {
  const ns = await testNamespace(kube, "own");
  try {
    const owner = await kube.create({ ...CM, metadata: { name: "owner", namespace: ns.name } });
    const ref = ownerReference(owner as unknown as ApiObject);
    assert.deepEqual(ref, {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "owner",
      uid: owner.metadata!.uid!,
      controller: true,
      blockOwnerDeletion: true,
    });
    await kube.create({
      ...CM,
      metadata: { name: "child", namespace: ns.name, ownerReferences: [ref] },
    });
    await kube.delete({ ...CM, namespace: ns.name, name: "owner" });
    await eventually(
      async () =>
        assert.rejects(kube.get({ ...CM, namespace: ns.name, name: "child" }), /NotFound/),
      { timeoutMs: 60_000, what: "the child to be collected" },
    );
    assert.throws(
      () => ownerReference({ metadata: { name: "x" } } as ApiObject),
      /needs apiVersion, kind, metadata.name and metadata.uid/,
    );
  } finally {
    await ns.dispose();
  }
});
