// An operator watching many namespaces shares one stop signal across all its watches; that
// is by design and must not look like a listener leak.
import assert from "node:assert/strict";
import { test } from "node:test";
import { useOperatorFixture } from "../../testing/index.js";
import { done, type ApiObject } from "../index.js";

const f = useOperatorFixture({ widgets: "many.capstan.test" });

test("an operator watching 16 namespaces starts without a MaxListenersExceededWarning", async () => {
  const spaces = await Promise.all(Array.from({ length: 16 }, (_, i) => f.namespace(`many-${i}`)));
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  const op = await f.run(
    (o) =>
      void o.controller<ApiObject>({
        name: "many",
        for: f.Widget,
        owns: [{ apiVersion: "v1", kind: "ConfigMap" }],
        reconcile: async () => done(),
      }),
    { namespaces: spaces },
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
  }
});
