// The finalizer helper on the real control plane, alone and in a running controller: adding the
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
import {
  done,
  finalizer,
  FinalizerError,
  type ApiObject,
  type FinalizerEvent,
  type FinalizerPatch,
} from "../index.js";

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

type CM = ApiObject & { data?: Record<string, string> };

/** The helper's options for ConfigMap `name`, writing through the client's merge patch. */
function alone(name: string, finalizerName = "example.com/alone") {
  const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: ns, name } as const;
  return {
    ref,
    opts: {
      name: finalizerName,
      describe: `ConfigMap ${ns}/${name}`,
      patch: (p: FinalizerPatch) => kube.patch(ref, p, { type: "merge" }) as Promise<CM>,
    },
  };
}

test("the helper alone, with the client's merge patch, protects an object until its cleanup ran", async () => {
  const { ref, opts } = alone("alone");
  const seen: string[] = [];
  const handle = async (ev: FinalizerEvent<CM>) => void seen.push(ev.type);
  await finalizer(
    (await kube.create({ ...ref, metadata: { name: ref.name, namespace: ns } })) as CM,
    opts,
    handle,
  );
  assert.deepEqual(((await kube.get(ref)) as CM).metadata.finalizers, [opts.name]);
  await kube.delete(ref);
  await finalizer((await kube.get(ref)) as CM, opts, handle);
  assert.deepEqual(seen, ["apply", "cleanup"]);
  await eventually(async () => assert.equal(await kube.get(ref).catch(() => undefined), undefined));
});

test("the helper's patch from a stale copy is refused with the conflict as cause, overwriting nothing", async () => {
  const { ref, opts } = alone("stale");
  const stale = (await kube.create({ ...ref, metadata: { name: ref.name, namespace: ns } })) as CM;
  await finalizer(stale, opts, async () => undefined);
  const second = { ...opts, name: "example.com/second" };
  const err = await finalizer(stale, second, async () => undefined).catch((e: unknown) => e);
  assert.ok(err instanceof FinalizerError, String(err));
  assert.match(String(err.cause), /Conflict|modified/i);
  assert.deepEqual(((await kube.get(ref)) as CM).metadata.finalizers, [opts.name]);
  // Left with a finalizer, the ConfigMap would hold its namespace in Terminating forever.
  await kube.patch(ref, { metadata: { finalizers: null } }, { type: "merge" });
});
