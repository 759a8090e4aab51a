// Handler ids on the real control plane: a handler's failure names it in the log, the
// Warning Event and the Reconciled condition, so `kubectl describe` says which one failed.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { KubeClient } from "../../client/client.js";
import {
  eventually,
  runOperator,
  testNamespace,
  useWidgets,
  type TestControlPlane,
} from "../../testing/index.js";
import { PermanentError, type ApiObject, type Condition } from "../index.js";

let cp: TestControlPlane;
let kube: KubeClient;
let Widget: { apiVersion: string; kind: "Widget" };

before(async () => {
  ({ cp, kube, Widget } = await useWidgets("handler-ids.capstan.test"));
});

type W = ApiObject & { spec: { size: number }; status?: { conditions?: Condition[] } };

test("a failing named handler is named in the log, the Warning Event and the Reconciled condition", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "hids");
  function check_size({ obj }: { obj: W }) {
    if (obj.spec.size % 2) throw new PermanentError("size must be even");
  }
  const op = await runOperator((o) => void o.on<W>(Widget).create(check_size), {
    kubeconfig: cp.kubeconfig,
    namespaces: [ns],
    captureLogs: true,
  });
  try {
    await kube.create({ ...Widget, metadata: { name: "odd", namespace: ns }, spec: { size: 1 } });
    await eventually(async () => {
      const w = (await kube.get({ ...Widget, namespace: ns, name: "odd" })) as unknown as W;
      const c = w.status?.conditions?.find((c) => c.type === "Reconciled");
      assert.equal(c?.message, "handler check_size: size must be even");
    });
    await eventually(async () => {
      const events = await kube.list({
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        namespace: ns,
      } as const);
      const warning = events.items.find((e) => e.regarding?.name === "odd");
      assert.equal(warning?.note, "handler check_size: size must be even");
    });
    assert.ok(
      op.logs().some((l) => l.includes("handler check_size: size must be even")),
      "the log line names the handler",
    );
  } finally {
    await op.stop();
    await dispose();
  }
});
