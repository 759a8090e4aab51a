// One write path: every write an operator makes goes through its client, named after the
// operator in managedFields, and the API server's warnings reach its log once each.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { defineResource, z } from "../../core/crd/index.js";
import { widget } from "../../core/crd/testdata/widget.js";
import {
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../../testing/index.js";
import { done } from "../controller/reconcile.js";
import { LAST_HANDLED } from "../handlers/handlers.js";
import { installCrds } from "./crds.js";
import { defineOperator } from "./define.js";

const suffix = randomBytes(3).toString("hex");
/** Its status keeps handler results but prunes `status.capstan`, so the handlers keep their
 *  diff base in an annotation: finalizer, status and annotation writes in one reconcile. */
const Gadget = defineResource({
  group: `wp${suffix}.capstan.test`,
  version: "v1",
  kind: "Gadget",
  spec: z.object({ size: z.number().int() }),
  status: z.object({
    created: z.string().optional(),
  }),
});
const Old = widget(`wpw${suffix}.capstan.test`);
const OLD_WIDGET = { apiVersion: `${Old.group}/v1beta1`, kind: "Widget" } as const;
const DEPRECATION = `capstan.test/v1beta1 Widget is deprecated; use v1`;

let cp: TestControlPlane;
let user: KubeClient;
let ns: string;
let dispose: () => Promise<void>;

before(async () => {
  cp = await useControlPlane();
  user = await KubeClient.fromKubeconfig({ path: cp.kubeconfig, fieldManager: "test-user" });
  await installCrds(user, [Gadget, Old]);
  ({ name: ns, dispose } = await testNamespace(user, "write-path"));
});
after(() => dispose());

const gadgets = defineOperator(
  (op) => {
    op.on(Gadget)
      .create(() => "yes", { id: "created" })
      .delete(async () => undefined);
  },
  { name: "gadget-operator" },
);

test("after a reconcile that writes a finalizer, status and an annotation, managedFields name only the operator's manager", async () => {
  const op = await runOperator(gadgets, { kubeconfig: cp.kubeconfig, namespaces: [ns] });
  try {
    await user.create({
      ...Gadget.typeRef,
      metadata: { name: "g", namespace: ns },
      spec: { size: 1 },
    });
    const ref = { ...Gadget.typeRef, namespace: ns, name: "g" };
    const g = await eventually(async () => {
      const g = await user.get(ref);
      assert.equal(g.metadata.finalizers?.length, 1, "finalizer");
      assert.equal(g.status?.created, "yes", "handler result in status");
      assert.ok(g.metadata.annotations?.[LAST_HANDLED], "diff base in an annotation");
      return g;
    });
    const managers = g.metadata.managedFields!.map(
      (f) => `${f.manager}${f.subresource ? `/${f.subresource}` : ""}`,
    );
    assert.deepEqual(managers.sort(), ["gadget-operator", "gadget-operator/status", "test-user"]);
  } finally {
    await op.stop();
  }
});

test("once the operator has stopped, its client's writes no longer carry its manager", async () => {
  const op = await runOperator(gadgets, { kubeconfig: cp.kubeconfig, namespaces: [ns] });
  await op.synced();
  await op.stop();
  const cm = await op.client.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "after-stop", namespace: ns },
    data: { a: "1" },
  });
  assert.deepEqual(
    cm.metadata?.managedFields?.map((f) => f.manager),
    [op.client.fieldManager],
  );
});

test("an API server warning reaches the operator's log once, however many requests draw it", async () => {
  const op = await runOperator(
    defineOperator((o) => {
      o.controller({
        name: "old-widgets",
        for: OLD_WIDGET,
        reportStatus: false,
        async reconcile(w, ctx) {
          await ctx.client.patch(
            { ...OLD_WIDGET, namespace: ns, name: w.metadata.name! },
            { metadata: { labels: { seen: "yes" } } },
          );
          return done();
        },
      });
    }),
    { kubeconfig: cp.kubeconfig, namespaces: [ns], captureLogs: true, logLevel: "warn" },
  );
  let drawn = 0;
  op.client.intercept({
    after: (_req, res) => void (drawn += res.warnings.filter((w) => w === DEPRECATION).length),
  });
  try {
    await op.synced();
    for (const name of ["a", "b", "c"])
      await user.create({ ...OLD_WIDGET, metadata: { name, namespace: ns }, spec: { name } });
    await op.idle();
    await eventually(async () => assert.ok(drawn >= 3, `requests that drew it: ${drawn}`));
    const lines = op.logs().filter((l) => l.includes(DEPRECATION));
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.equal(JSON.parse(lines[0]!).msg, `API server warning: ${DEPRECATION}`);
  } finally {
    await op.stop();
  }
});
