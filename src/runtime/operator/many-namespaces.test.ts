// An operator watching many namespaces shares one stop signal across all its watches; that
// is by design and must not look like a listener leak.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { KubeClient } from "../../client/client.js";
import {
  runOperator,
  testNamespace,
  useWidgets,
  type TestControlPlane,
} from "../../testing/index.js";
import { done, type ApiObject } from "../index.js";

let cp: TestControlPlane;
let kube: KubeClient;
let Widget: { apiVersion: string; kind: "Widget" };

before(async () => {
  ({ cp, kube, Widget } = await useWidgets("many.capstan.test"));
});

test("an operator watching 16 namespaces starts without a MaxListenersExceededWarning", async () => {
  const spaces = await Promise.all(
    Array.from({ length: 16 }, (_, i) => testNamespace(kube, `many-${i}`)),
  );
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  const op = await runOperator(
    (o) =>
      void o.controller<ApiObject>({
        name: "many",
        for: Widget,
        owns: [{ apiVersion: "v1", kind: "ConfigMap" }],
        reconcile: async () => done(),
      }),
    { kubeconfig: cp.kubeconfig, namespaces: spaces.map((s) => s.name) },
  );
  try {
    await op.synced();
    // Warnings are emitted on the next tick; a resolved macrotask comes after them.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      warnings.filter((w) => w.startsWith("MaxListenersExceededWarning")),
      [],
    );
  } finally {
    process.off("warning", onWarning);
    await op.stop();
    await Promise.all(spaces.map((s) => s.dispose()));
  }
});
