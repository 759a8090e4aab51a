// The kustomize Sample operator (seed 004) on the local control plane.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { KubeClient } from "capstan/client";
import { installCrds } from "capstan/runtime";
import {
  eventsFor,
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
} from "capstan/testing";
import sample, { Sample } from "./operator.js";

let kube: KubeClient;
let op: RunningOperator;
let ns: { name: string; dispose(): Promise<void> };
const DEPLOY = { apiVersion: "apps/v1", kind: "Deployment" } as const;
const ref = (name: string) => ({
  apiVersion: Sample.apiVersion,
  kind: Sample.kind,
  namespace: ns.name,
  name,
});
const replicasOf = async (name: string) =>
  (await kube.get({ ...DEPLOY, namespace: ns.name, name: `${name}-demo-deploy` })).spec?.replicas;
const cwdBefore = readdirSync(process.cwd()).sort();

before(async () => {
  const cp = await useControlPlane();
  process.env.CAPSTAN_KUBECTL = path.join(cp.bin, "kubectl");
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  await installCrds(kube, [Sample]);
  ns = await testNamespace(kube, "sample");
  op = await runOperator(sample, { kubeconfig: cp.kubeconfig, namespaces: [ns.name] });
});
after(async () => {
  await op.stop();
  await ns.dispose();
});

test("concurrent Samples each get their own Deployment with replicas = count; a change scales it", async () => {
  await Promise.all([
    kube.create({
      apiVersion: Sample.apiVersion,
      kind: Sample.kind,
      metadata: { name: "a", namespace: ns.name },
      spec: { count: 2 },
    }),
    kube.create({
      apiVersion: Sample.apiVersion,
      kind: Sample.kind,
      metadata: { name: "b", namespace: ns.name },
      spec: { count: 3 },
    }),
  ]);
  await eventually(async () => {
    assert.equal(await replicasOf("a"), 2);
    assert.equal(await replicasOf("b"), 3);
  });
  const d = await kube.get({ ...DEPLOY, namespace: ns.name, name: "a-demo-deploy" });
  assert.equal(d.metadata?.ownerReferences?.[0]?.kind, "Sample");
  assert.equal(
    d.spec?.selector.matchLabels?.["nuvolaris.org/sample"],
    "a",
    "each Sample selects only its own Pods",
  );
  await kube.patch(ref("a"), { spec: { count: 5 } });
  await eventually(async () => assert.equal(await replicasOf("a"), 5));
  assert.equal(await replicasOf("b"), 3, "the other Sample is untouched");
  await eventually(async () =>
    assert.equal(
      ((await kube.get(ref("a"))) as { status?: { replicas?: number } }).status?.replicas,
      5,
    ),
  );
  assert.deepEqual(
    readdirSync(process.cwd()).sort(),
    cwdBefore,
    "nothing written into the working directory",
  );
});

test("an invalid count is reported in status and an Event, and creates nothing", async () => {
  const bad = await kube.create({
    apiVersion: Sample.apiVersion,
    kind: Sample.kind,
    metadata: { name: "bad", namespace: ns.name },
    spec: { count: "lots; rm -rf /" },
  });
  await eventually(async () => {
    const s = (await kube.get(ref("bad"))) as {
      status?: { conditions?: { type: string; status: string; message: string }[] };
    };
    const c = s.status?.conditions?.find((x) => x.type === "Reconciled");
    assert.equal(c?.status, "False");
    assert.match(c?.message ?? "", /spec\.count must be a whole number/);
  });
  await eventually(async () =>
    assert.ok(
      (await eventsFor(kube, bad)).some((e) => e.type === "Warning"),
      "a Warning Event",
    ),
  );
  await assert.rejects(
    kube.get({ ...DEPLOY, namespace: ns.name, name: "bad-demo-deploy" }),
    /NotFound/,
  );
});

test("deleting a Sample removes its Deployment", async () => {
  await kube.create({
    apiVersion: Sample.apiVersion,
    kind: Sample.kind,
    metadata: { name: "gone", namespace: ns.name },
    spec: { count: 1 },
  });
  await eventually(async () => assert.equal(await replicasOf("gone"), 1));
  await kube.delete(ref("gone"));
  await eventually(async () => assert.rejects(replicasOf("gone"), /NotFound/), {
    timeoutMs: 90_000,
    intervalMs: 1000,
    what: "the Deployment to be collected",
  });
});
