// Event hooks are user code that runs on every watch event: whatever they do wrong must
// stay theirs — logged, never an unhandled rejection, never a skipped reconcile.
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
import { done, type ApiObject } from "../index.js";

let cp: TestControlPlane;
let kube: KubeClient;
let Widget: { apiVersion: string; kind: "Widget" };

before(async () => {
  ({ cp, kube, Widget } = await operatorFixture({ widgets: "hooks.capstan.test" }));
});

const widget = (ns: string, name: string) => ({
  ...Widget,
  metadata: { name, namespace: ns },
  spec: { size: 1 },
});

test("an async event handler that rejects is logged, and the create handler after it still runs", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "hooks-async");
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  const created: string[] = [];
  const op = await runOperator(
    (o) =>
      void o
        .on<ApiObject>(Widget)
        .event(async () => {
          throw new Error("the hook broke");
        })
        .create(({ obj }) => void created.push(obj.metadata.name!)),
    { kubeconfig: cp.kubeconfig, namespaces: [ns], captureLogs: true },
  );
  try {
    await kube.create(widget(ns, "w"));
    await eventually(async () => assert.deepEqual(created, ["w"]));
    await eventually(async () =>
      assert.ok(op.logs().some((l) => /onEvent hook failed/.test(l) && /the hook broke/.test(l))),
    );
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await op.stop();
    await dispose();
  }
});

test("a controller whose onEvent hook throws still reconciles the object", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "hooks-sync");
  const reconciled: string[] = [];
  const op = await runOperator(
    (o) =>
      void o.controller<ApiObject>({
        name: "hooked",
        for: Widget,
        onEvent: () => {
          throw new Error("sync hook broke");
        },
        async reconcile(w) {
          reconciled.push(w.metadata.name!);
          return done();
        },
      }),
    { kubeconfig: cp.kubeconfig, namespaces: [ns] },
  );
  try {
    await kube.create(widget(ns, "w"));
    await eventually(async () => assert.deepEqual(reconciled, ["w"]));
  } finally {
    await op.stop();
    await dispose();
  }
});
