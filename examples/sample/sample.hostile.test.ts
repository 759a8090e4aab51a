// The kustomize Sample operator against hostile input on the local control plane: a foreign
// Deployment under the name it would render, names too long once prefixed, names shared
// across namespaces, and a `count` of the longest multibyte text. One operator for the file;
// each test has a namespace of its own.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Deployment } from "kubernetes-types/apps/v1.js";
import { type ApiObject } from "capstan";
import { eventsFor, eventually, useOperatorFixture } from "capstan/testing";
import sample, { Sample } from "./operator.js";

type Condition = { type: string; status: string; reason: string; message: string };
type SampleObject = ApiObject & {
  status?: { deployment?: string; replicas?: number; conditions?: Condition[] };
};
const DEPLOY = { apiVersion: "apps/v1", kind: "Deployment" } as const;
const SPACES = ["foreign", "long", "twin1", "twin2", "bytes"] as const;
const f = useOperatorFixture({
  operator: sample,
  crds: [Sample],
  spaces: [...SPACES, "restart"],
  unwatched: ["restart"],
  prefix: "sam",
});
f.before(() => {
  process.env.CAPSTAN_KUBECTL = path.join(f.cp.bin, "kubectl");
});

const ref = (namespace: string, name: string) => ({
  apiVersion: Sample.apiVersion,
  kind: Sample.kind,
  namespace,
  name,
});
const create = async (namespace: string, name: string, count: unknown) =>
  (await f.kube.create({
    apiVersion: Sample.apiVersion,
    kind: Sample.kind,
    metadata: { name, namespace },
    spec: { count },
  })) as SampleObject;
const get = async (namespace: string, name: string) =>
  (await f.kube.get(ref(namespace, name))) as SampleObject;
const condition = async (namespace: string, name: string, type: string) =>
  (await get(namespace, name)).status?.conditions?.find((c) => c.type === type);
const controllerUid = (o: {
  metadata?: { ownerReferences?: { controller?: boolean; uid: string }[] };
}) => o.metadata?.ownerReferences?.find((r) => r.controller)?.uid;

/** The Deployment the Sample's status names, once it exists and that Sample controls it. */
async function ownDeployment(namespace: string, name: string): Promise<Deployment> {
  return eventually(
    async () => {
      const s = await get(namespace, name);
      assert.ok(s.status?.deployment, JSON.stringify(s.status));
      const d = await f.kube.get({ ...DEPLOY, namespace, name: s.status.deployment });
      assert.equal(controllerUid(d), s.metadata.uid);
      return d;
    },
    { what: `Sample ${namespace}/${name} to have a Deployment of its own` },
  );
}

/** A Deployment nobody controls, scaled to zero, selecting Pods of its own. */
const foreignDeployment = (name: string) =>
  f.kube.create({
    ...DEPLOY,
    metadata: { name, namespace: f.ns.foreign },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: "theirs" } },
      template: {
        metadata: { labels: { app: "theirs" } },
        spec: { containers: [{ name: "c", image: "busybox:1.36" }] },
      },
    },
  });

test("a foreign Deployment with the name a Sample would use is untouched; the Sample says Conflict", async () => {
  const foreign = await foreignDeployment("taker-demo-deploy");
  const s = await create(f.ns.foreign, "taker", 3);
  const c = await eventually(async () => {
    const now = await condition(f.ns.foreign, "taker", "Conflict");
    assert.equal(now?.status, "True");
    return now!;
  });
  assert.match(
    c.message,
    new RegExp(`Deployment ${f.ns.foreign}/taker-demo-deploy .*Sample ${f.ns.foreign}/taker`),
  );
  const ev = await eventually(async () => {
    const e = (await eventsFor(f.kube, s)).find((x) => x.reason === "Conflict");
    assert.ok(e);
    return e;
  });
  assert.equal(ev.type, "Warning");
  const after = await f.kube.get({ ...DEPLOY, namespace: f.ns.foreign, name: "taker-demo-deploy" });
  // Its status moves (the deployment controller runs it); its spec and metadata must not.
  assert.equal(after.metadata?.generation, foreign.metadata?.generation);
  assert.deepEqual([after.spec?.replicas, after.metadata?.ownerReferences], [0, undefined]);
  assert.ok(!after.metadata?.managedFields?.some((f) => f.manager === "sample"), "never applied");
  assert.equal((await get(f.ns.foreign, "taker")).status?.deployment, undefined);
});

test("once the foreign Deployment is gone, the Sample makes its own and Conflict turns False", async () => {
  await foreignDeployment("waiter-demo-deploy");
  await create(f.ns.foreign, "waiter", 2);
  await eventually(async () =>
    assert.equal((await condition(f.ns.foreign, "waiter", "Conflict"))?.status, "True"),
  );
  await f.kube.delete({ ...DEPLOY, namespace: f.ns.foreign, name: "waiter-demo-deploy" });
  const d = await ownDeployment(f.ns.foreign, "waiter");
  assert.equal(d.spec?.replicas, 2);
  await eventually(async () =>
    assert.equal((await condition(f.ns.foreign, "waiter", "Conflict"))?.status, "False"),
  );
});

test("Samples with 253-character names sharing 240 characters each get a Deployment that rolls out", async () => {
  const stem = "s".repeat(240);
  const names = [`${stem}.${"a".repeat(12)}`, `${stem}.${"b".repeat(12)}`];
  for (const name of names) await create(f.ns.long, name, 1);
  const [a, b] = [
    await ownDeployment(f.ns.long, names[0]!),
    await ownDeployment(f.ns.long, names[1]!),
  ];
  assert.notEqual(a.metadata?.name, b.metadata?.name);
  assert.notDeepEqual(a.spec?.selector, b.spec?.selector, "each selects only its own Pods");
  // The deployment controller names a ReplicaSet `<deployment>-<hash>`: it must fit 253.
  await eventually(async () => {
    const { items } = await f.kube.list({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      namespace: f.ns.long,
    });
    const owners = items.map((rs) => controllerUid(rs));
    assert.ok(
      owners.includes(a.metadata?.uid) && owners.includes(b.metadata?.uid),
      "two ReplicaSets",
    );
  });
});

test("Samples with the same name in two namespaces each get a Deployment of their own", async () => {
  const [a, b] = [await create(f.ns.twin1, "twin", 1), await create(f.ns.twin2, "twin", 1)];
  assert.equal(controllerUid(await ownDeployment(f.ns.twin1, "twin")), a.metadata.uid);
  assert.equal(controllerUid(await ownDeployment(f.ns.twin2, "twin")), b.metadata.uid);
});

test("a count of 4096 multibyte characters is refused with a short message naming the Sample and field", async () => {
  const count = [..."漢é🚀".repeat(1366)].slice(0, 4096).join("");
  const s = await create(f.ns.bytes, "wide", count);
  const c = await eventually(async () => {
    const now = await condition(f.ns.bytes, "wide", "Reconciled");
    assert.equal(now?.status, "False");
    return now!;
  });
  assert.equal(c.reason, "InvalidSpec");
  assert.match(
    c.message,
    new RegExp(`^Sample ${f.ns.bytes}/wide: spec\\.count must be a whole number`),
  );
  assert.ok(Buffer.byteLength(c.message) < 300, `short: ${Buffer.byteLength(c.message)} bytes`);
  assert.ok(!c.message.includes("\uFFFD"), "no broken characters");
  const ev = await eventually(async () => {
    const e = (await eventsFor(f.kube, s)).find((x) => x.reason === "InvalidSpec");
    assert.ok(e);
    return e;
  });
  assert.equal(ev.type, "Warning");
  assert.equal(ev.note, c.message);
  const { items } = await f.kube.list({ ...DEPLOY, namespace: f.ns.bytes });
  assert.equal(items.length, 0, "nothing created");
});

test("restarting the operator over a converged Sample writes nothing", async () => {
  const namespaces = [f.ns.restart];
  let run = await f.run(sample, { namespaces });
  await create(f.ns.restart, "steady", 2);
  const d = await ownDeployment(f.ns.restart, "steady");
  await eventually(async () =>
    assert.equal((await get(f.ns.restart, "steady")).status?.replicas, 2),
  );
  // Stop once the deployment controller has settled the Deployment and nothing is queued:
  // its status changes re-queue the Sample, and a stop aborts the reconcile in flight.
  await eventually(async () => {
    const now = await f.kube.get({ ...DEPLOY, namespace: f.ns.restart, name: d.metadata!.name! });
    assert.equal(now.status?.observedGeneration, now.metadata?.generation);
    assert.equal(now.status?.updatedReplicas, 2);
  });
  await run.idle(); // converged first: a stop mid-reconcile leaves work for the next start
  await run.stop();
  run = await f.run(sample, { namespaces });
  // The signal: the restarted controller reconciled the listed Sample and is idle.
  await run.idle();
  assert.equal(run.writes(), 0, "nothing written on restart");
  const again = await f.kube.get({ ...DEPLOY, namespace: f.ns.restart, name: d.metadata!.name! });
  assert.equal(again.metadata?.generation, d.metadata?.generation);
});
