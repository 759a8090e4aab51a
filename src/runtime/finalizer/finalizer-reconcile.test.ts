// The finalizer helper in a running controller, on the real control plane: adding the
// finalizer is part of the first reconcile, not a change that wakes a second one. Absence is
// proven with a later object through the same watch: events arrive in resourceVersion order,
// so the echo of the first object's finalizer write is delivered before the second object's
// creation, and the operator is idle only once whatever it queued has run.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { KubeClient } from "../../client/client.js";
import {
  eventually,
  runOperator,
  testNamespace,
  useWidgets,
  type RunningOperator,
} from "../../testing/index.js";
import { done, type ApiObject } from "../index.js";

const group = "finalizer-once.capstan.test";
let kube: KubeClient;
let Widget: { apiVersion: string; kind: "Widget" };
let op: RunningOperator;
let ns: string;
const cleanups: (() => Promise<unknown>)[] = [];
/** Reconcile calls by object name. */
const calls = new Map<string, number>();
const callsOf = (name: string) => calls.get(name) ?? 0;

before(async () => {
  const w = await useWidgets(group);
  ({ kube, Widget } = w);
  const made = await testNamespace(kube, "fin-once");
  ns = made.name;
  cleanups.push(made.dispose);
  op = await runOperator(
    (o) =>
      void o.controller<ApiObject>({
        name: "once",
        for: Widget,
        async reconcile(w) {
          calls.set(w.metadata.name!, callsOf(w.metadata.name!) + 1);
          return done();
        },
        async cleanup() {},
      }),
    { kubeconfig: w.cp.kubeconfig, namespaces: [ns] },
  );
  cleanups.push(() => op.stop());
  await op.synced();
});
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

test("creating an object with a cleanup reconciles it exactly once, with the finalizer on it", async () => {
  await kube.create({ ...Widget, metadata: { name: "first", namespace: ns }, spec: { size: 1 } });
  await eventually(async () => assert.ok(callsOf("first") >= 1));
  await kube.create({ ...Widget, metadata: { name: "later", namespace: ns }, spec: { size: 1 } });
  await eventually(async () => assert.ok(callsOf("later") >= 1));
  await op.idle();
  assert.equal(callsOf("first"), 1, "the finalizer's own write woke no second reconcile");
  const first = await kube.get({ ...Widget, namespace: ns, name: "first" });
  assert.deepEqual(first.metadata?.finalizers, [`${group}/once`]);
});
