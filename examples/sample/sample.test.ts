// The kustomize Sample operator (seed 004) on the local control plane.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { eventsFor, eventually, useOperatorFixture } from "capstan/testing";
import sample, { Sample } from "./operator.js";

const f = useOperatorFixture({ crds: [Sample], spaces: ["sample"] });
const DEPLOY = { apiVersion: "apps/v1", kind: "Deployment" } as const;
const ref = (name: string) => ({
  apiVersion: Sample.apiVersion,
  kind: Sample.kind,
  namespace: f.ns.sample,
  name,
});
const replicasOf = async (name: string) =>
  (await f.kube.get({ ...DEPLOY, namespace: f.ns.sample, name: `${name}-demo-deploy` })).spec
    ?.replicas;
const cwdBefore = readdirSync(process.cwd()).sort();

f.before(async () => {
  process.env.CAPSTAN_KUBECTL = path.join(f.cp.bin, "kubectl");
  await f.run(sample, { namespaces: [f.ns.sample] });
});

test("concurrent Samples each get their own Deployment with replicas = count; a change scales it", async () => {
  await Promise.all([
    f.kube.create({
      apiVersion: Sample.apiVersion,
      kind: Sample.kind,
      metadata: { name: "a", namespace: f.ns.sample },
      spec: { count: 2 },
    }),
    f.kube.create({
      apiVersion: Sample.apiVersion,
      kind: Sample.kind,
      metadata: { name: "b", namespace: f.ns.sample },
      spec: { count: 3 },
    }),
  ]);
  await eventually(async () => {
    assert.equal(await replicasOf("a"), 2);
    assert.equal(await replicasOf("b"), 3);
  });
  const d = await f.kube.get({ ...DEPLOY, namespace: f.ns.sample, name: "a-demo-deploy" });
  assert.equal(d.metadata?.ownerReferences?.[0]?.kind, "Sample");
  assert.equal(
    d.spec?.selector.matchLabels?.["nuvolaris.org/sample"],
    "a",
    "each Sample selects only its own Pods",
  );
  await f.kube.patch(ref("a"), { spec: { count: 5 } });
  await eventually(async () => assert.equal(await replicasOf("a"), 5));
  assert.equal(await replicasOf("b"), 3, "the other Sample is untouched");
  await eventually(async () =>
    assert.equal(
      ((await f.kube.get(ref("a"))) as { status?: { replicas?: number } }).status?.replicas,
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
  const bad = await f.kube.create({
    apiVersion: Sample.apiVersion,
    kind: Sample.kind,
    metadata: { name: "bad", namespace: f.ns.sample },
    spec: { count: "lots; rm -rf /" },
  });
  await eventually(async () => {
    const s = (await f.kube.get(ref("bad"))) as {
      status?: { conditions?: { type: string; status: string; message: string }[] };
    };
    const c = s.status?.conditions?.find((x) => x.type === "Reconciled");
    assert.equal(c?.status, "False");
    assert.match(c?.message ?? "", /spec\.count must be a whole number/);
  });
  await eventually(async () =>
    assert.ok(
      (await eventsFor(f.kube, bad)).some((e) => e.type === "Warning"),
      "a Warning Event",
    ),
  );
  await assert.rejects(
    f.kube.get({ ...DEPLOY, namespace: f.ns.sample, name: "bad-demo-deploy" }),
    /NotFound/,
  );
});

test("deleting a Sample removes its Deployment", async () => {
  await f.kube.create({
    apiVersion: Sample.apiVersion,
    kind: Sample.kind,
    metadata: { name: "gone", namespace: f.ns.sample },
    spec: { count: 1 },
  });
  await eventually(async () => assert.equal(await replicasOf("gone"), 1));
  await f.kube.delete(ref("gone"));
  await eventually(async () => assert.rejects(replicasOf("gone"), /NotFound/), {
    timeoutMs: 90_000,
    intervalMs: 1000,
    what: "the Deployment to be collected",
  });
});
