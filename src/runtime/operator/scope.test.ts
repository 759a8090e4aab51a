// Where an operator looks and how it stops: several namespaces but not others, a
// cluster-scoped kind, in-flight work finished on shutdown, repeated failures aggregated
// into one Event series, and owner references from the helper.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { done, ownerReference, type ApiObject } from "../index.js";
import { eventsFor, eventually, useOperatorFixture } from "../../testing/index.js";

const f = useOperatorFixture();
const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;

test("watches exactly the namespaces it is given", async () => {
  const { kube } = f;
  const [a, b, c] = await Promise.all([f.namespace("sa"), f.namespace("sb"), f.namespace("sc")]);
  const seen = new Set<string>();
  const op = await f.run(
    (o) =>
      void o.controller<ApiObject>({
        name: "cms",
        for: CM,
        labelSelector: "scope=1",
        reconcile: async (cm) => void seen.add(`${cm.metadata.namespace}/${cm.metadata.name}`),
      }),
    { namespaces: [a, b] },
  );
  // c first: had it been watched, its event would have come no later than a's and b's.
  for (const ns of [c, a, b])
    await kube.create({
      ...CM,
      metadata: { name: "x", namespace: ns, labels: { scope: "1" } },
    });
  await eventually(async () =>
    assert.ok(seen.has(`${a}/x`) && seen.has(`${b}/x`), [...seen].join()),
  );
  await op.idle();
  assert.ok(!seen.has(`${c}/x`), "a namespace it was not given is never watched");
});

test("reconciles a cluster-scoped kind", async () => {
  const { kube } = f;
  const tag = randomBytes(3).toString("hex");
  const NS = { apiVersion: "v1", kind: "Namespace" } as const;
  await f.run(
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
  );
  const name = `scope-${tag}`;
  f.defer(() => kube.delete({ ...NS, name }).catch(() => undefined));
  await kube.create({ ...NS, metadata: { name, labels: { "capstan-scope": tag } } });
  await eventually(async () =>
    assert.equal(
      (await kube.get({ ...NS, name })).metadata?.annotations?.["capstan.test/seen"],
      "yes",
    ),
  );
});

test("stopping lets an in-flight reconcile finish and starts no new one", async () => {
  const { kube } = f;
  const ns = await f.namespace("stop");
  const log: string[] = [];
  const op = await f.run(
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
    { namespaces: [ns] },
  );
  await kube.create({
    ...CM,
    metadata: { name: "a", namespace: ns, labels: { slow: "1" } },
  });
  await eventually(async () => assert.ok(log.includes("start a"), log.join()));
  await kube.create({
    ...CM,
    metadata: { name: "b", namespace: ns, labels: { slow: "1" } },
  });
  // b is queued behind a (concurrency 1) when the stop begins.
  await eventually(async () => assert.equal(op.operator.controllers[0]!.queue.stats().depth, 1));
  await op.stop();
  assert.deepEqual(log, ["start a", "end a"], "a finished; b, queued behind it, was not started");
});

test("a failure repeated many times is one Event with a series count, not one Event each", async () => {
  const { kube } = f;
  const ns = await f.namespace("agg");
  let attempts = 0;
  const op = await f.run(
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
    { namespaces: [ns] },
  );
  const cm = await kube.create({
    ...CM,
    metadata: { name: "f", namespace: ns, labels: { fail: "1" } },
  });
  await eventually(async () => assert.ok(attempts >= 6, `attempts: ${attempts}`));
  await op.stop(); // flushes the held-back series count
  const events = (await eventsFor(kube, cm)).filter((e) => e.reason === "ReconcileError");
  assert.equal(events.length, 1, "one Event for the repeated failure");
  assert.ok((events[0]!.series?.count ?? 1) >= 2, `series count ${events[0]!.series?.count}`);
  assert.match(events[0]!.note ?? "", /the database is unreachable/);
});

test("ownerReference makes a child the garbage collector removes with its owner", async () => {
  const { kube } = f;
  const ns = await f.namespace("own");
  const owner = await kube.create({ ...CM, metadata: { name: "owner", namespace: ns } });
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
    metadata: { name: "child", namespace: ns, ownerReferences: [ref] },
  });
  await kube.delete({ ...CM, namespace: ns, name: "owner" });
  await eventually(
    async () => assert.rejects(kube.get({ ...CM, namespace: ns, name: "child" }), /NotFound/),
    { timeoutMs: 60_000, what: "the child to be collected" },
  );
  assert.throws(
    () => ownerReference({ metadata: { name: "x" } } as ApiObject),
    /needs apiVersion, kind, metadata.name and metadata.uid/,
  );
});
