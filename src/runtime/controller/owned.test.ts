// ctx.owned(kind): a reconcile reads its children from the controller's own metadata-only
// cache of the kind it owns — the watch that re-queues owners — instead of asking the API.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { KubeClient } from "../../client/client.js";
import {
  eventually,
  operatorFixture,
  runOperator,
  testNamespace,
  type TestControlPlane,
} from "../../testing/index.js";
import { done, ownerReference, RuntimeError, type ApiObject } from "../index.js";

const group = "owned.capstan.test";
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };
const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;
let cp: TestControlPlane;
let kube: KubeClient;

before(async () => {
  ({ cp, kube } = await operatorFixture({ widgets: group }));
});

test("a reconcile sees its children in ctx.owned without a request, and only for owned kinds", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "owned");
  const seen: string[] = [];
  let misuse: unknown;
  const gets: string[] = [];
  const op = await runOperator(
    (o) =>
      void o.controller<ApiObject>({
        name: "parent",
        for: Widget,
        owns: [CM],
        async reconcile(w, ctx) {
          const child = ctx.owned(CM).get(ctx.key);
          seen.push(child ? `child of ${child.metadata.ownerReferences?.[0]?.name}` : "none");
          try {
            ctx.owned({ apiVersion: "v1", kind: "Secret" });
          } catch (e) {
            misuse = e;
          }
          if (!child)
            await ctx.client.apply(
              {
                ...CM,
                metadata: {
                  name: w.metadata.name!,
                  namespace: ns,
                  ownerReferences: [ownerReference(w, Widget)],
                },
                data: { a: "1" },
              },
              { fieldManager: "owned-test" },
            );
          return done();
        },
      }),
    { kubeconfig: cp.kubeconfig, namespaces: [ns] },
  );
  op.client.intercept({
    before: (r) =>
      void (r.method === "GET" && r.path.includes("/configmaps/") && gets.push(r.path)),
  });
  try {
    await kube.create({ ...Widget, metadata: { name: "w", namespace: ns }, spec: { size: 1 } });
    // The child's ADDED event re-queues its owner, whose reconcile then finds it cached.
    await eventually(async () => assert.deepEqual(seen.slice(0, 2), ["none", "child of w"]));
    assert.deepEqual(gets, [], "no ConfigMap was read from the API");
    assert.ok(misuse instanceof RuntimeError, String(misuse));
    assert.match((misuse as Error).message, /does not own Secret \(v1\): list it in `owns`/);
  } finally {
    await op.stop();
    await dispose();
  }
});
