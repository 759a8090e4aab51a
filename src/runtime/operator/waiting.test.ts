// Health from the first second, on the real control plane: an operator started before its
// CRD is installed is alive (/healthz 200, so probes do not kill it) but not ready, and
// /readyz names the kind it waits for; once the CRD is installed it becomes ready and
// reconciles.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import {
  eventually,
  installWidgetCrd,
  runOperator,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../../testing/index.js";
import { done, type ApiObject } from "../index.js";

const group = `waiting-${process.pid}.capstan.test`;
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };
let cp: TestControlPlane;
let kube: KubeClient;
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
});
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function get(url: string): Promise<{ code: number; body: string }> {
  const res = await fetch(url);
  return { code: res.status, body: await res.text() };
}

test("an operator whose CRD is not installed yet is alive, not ready naming the kind, and ready once it is", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "waiting");
  cleanups.push(dispose);
  const seen: string[] = [];
  const op = await runOperator(
    (o) =>
      void o.controller<ApiObject>({
        name: "early",
        for: Widget,
        async reconcile(w) {
          seen.push(w.metadata.name!);
          return done();
        },
      }),
    { kubeconfig: cp.kubeconfig, namespaces: [ns], health: { port: 0, syncTimeoutMs: 1 } },
  );
  cleanups.push(() => op.stop());
  const url = await eventually(async () => op.healthUrl() ?? assert.fail("no health server"));
  await eventually(async () => {
    const ready = await get(`${url}/readyz`);
    assert.equal(ready.code, 503);
    assert.match(
      ready.body,
      new RegExp(
        `waiting for the server to serve kind Widget in apiVersion ${group.replace(/\./g, "\\.")}/v1 \\(controller early, for\\)`,
      ),
    );
  });
  assert.deepEqual(
    await get(`${url}/healthz`),
    { code: 200, body: "ok\n" },
    "alive, even past the cache-sync timeout: waiting for a CRD is not a fault",
  );
  cleanups.push(() =>
    kube.delete({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name: `widgets.${group}`,
    }),
  );
  await installWidgetCrd(kube, group);
  await eventually(async () => assert.equal((await get(`${url}/readyz`)).code, 200), {
    what: "ready once the CRD is installed",
  });
  await kube.create({ ...Widget, metadata: { name: "w", namespace: ns }, spec: { size: 1 } });
  await eventually(async () => assert.deepEqual(seen, ["w"]));
});
