// kube-apiserver killed and restarted under a running operator: its watches fail, back off
// and resume, and every object converges — those changed before the crash and after it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { startControlPlane, type ControlPlane } from "../../controlplane/index.js";
import { done, type ApiObject } from "../index.js";
import {
  eventually,
  installWidgetCrd,
  runOperator,
  type RunningOperator,
} from "../../testing/index.js";

type W = ApiObject & { spec: { size: number }; status?: { size?: number } };
const group = "restart.capstan.test";
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };
let cp: ControlPlane;
let kube: KubeClient;
let op: RunningOperator;

before(async () => {
  // A private control plane: restarting the shared one would disturb other tests.
  cp = await startControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  await installWidgetCrd(kube, group);
});
after(async () => {
  await op?.stop();
  await cp.stop();
});

const sizeOf = async (name: string) =>
  ((await kube.get({ ...Widget, namespace: "default", name })) as unknown as W).status?.size;

test("every object converges after kube-apiserver is killed and restarted mid-run", async () => {
  op = await runOperator(
    (o) =>
      void o.controller<W>({
        name: "mirror",
        for: Widget,
        async reconcile(w, ctx) {
          await ctx.patchStatus({ size: w.spec.size });
          return done();
        },
      }),
    { kubeconfig: cp.kubeconfig, namespaces: ["default"] },
  );
  await kube.create({
    ...Widget,
    metadata: { name: "before", namespace: "default" },
    spec: { size: 1 },
  });
  await eventually(async () => assert.equal(await sizeOf("before"), 1));

  const oldPid = cp.pids["kube-apiserver"];
  await cp.restart("kube-apiserver", { downMs: 3000 });
  assert.notEqual(cp.pids["kube-apiserver"], oldPid, "a new kube-apiserver process");

  await kube.patch({ ...Widget, namespace: "default", name: "before" }, { spec: { size: 2 } });
  await kube.create({
    ...Widget,
    metadata: { name: "after", namespace: "default" },
    spec: { size: 3 },
  });
  await eventually(async () => assert.equal(await sizeOf("before"), 2), {
    timeoutMs: 60_000,
    what: "the change after the restart",
  });
  await eventually(async () => assert.equal(await sizeOf("after"), 3), {
    timeoutMs: 60_000,
    what: "the object created after the restart",
  });
});
