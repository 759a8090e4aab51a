// Admission webhooks on the real control plane, through the local loop: the operator serves
// on 127.0.0.1 with its own CA and registers its configurations; kubectl sees the results.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { InvalidError } from "../../client/errors.js";
import { defineResource, z } from "../../core/crd/index.js";
import {
  eventually,
  kubectl,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
  type TestControlPlane,
} from "../../testing/index.js";
import { deny } from "./admission.js";

const Cache = defineResource({
  group: "webhooks.capstan.test",
  version: "v1",
  kind: "Cache",
  spec: z.object({ size: z.number().int(), tier: z.string().optional() }),
});

let cp: TestControlPlane;
let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
let op: RunningOperator;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ns = await testNamespace(kube, "wh");
  op = await runOperator(
    (o) => {
      o.admission(Cache)
        .validate({
          create: ({ object, warn }) => {
            if (object.spec.size > 10) return deny("must be at most 10", "spec.size");
            if (object.spec.size > 5) warn(`size ${object.spec.size} is costly`);
          },
          update: ({ object, old }) => {
            if (object.spec.size < old.spec.size)
              return deny(`cannot shrink from ${old.spec.size}`, "spec.size");
          },
        })
        .mutate(({ object }) => {
          object.spec.tier ??= "standard";
        });
    },
    { kubeconfig: cp.kubeconfig, crds: [Cache], namespaces: [ns.name], webhooks: true },
  );
  // The API server takes up new configurations from a watch, a moment after they are
  // written: wait until a dry-run create reaches the webhook.
  await eventually(async () => {
    const r = await kubectl(cp, ["create", "--dry-run=server", "-f", "-"], {
      input: cache("probe", 11),
    });
    if (r.code === 0) throw new Error("webhook not called yet");
  });
});

after(async () => {
  await op?.stop();
  await ns?.dispose();
});

const cache = (name: string, size: number) =>
  JSON.stringify({ ...Cache.typeRef, metadata: { name, namespace: ns.name }, spec: { size } });

test("a denied create shows the handler's message and field through kubectl", async () => {
  const r = await kubectl(cp, ["create", "-f", "-"], { input: cache("too-big", 11) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The Cache "too-big" is invalid: spec\.size: must be at most 10/);
});

test("a handler's warning appears in kubectl's output and the create goes on", async () => {
  const r = await kubectl(cp, ["create", "-f", "-"], { input: cache("costly", 7) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Warning: size 7 is costly/);
});

test("a mutating handler's defaults are stored", async () => {
  await kube.create({
    ...Cache.typeRef,
    metadata: { name: "plain", namespace: ns.name },
    spec: { size: 1 },
  });
  const stored = await kube.get({ ...Cache.typeRef, namespace: ns.name, name: "plain" });
  assert.equal(stored.spec.tier, "standard");
});

test("an update is validated against the old object and the client gets the field as a cause", async () => {
  await kube.create({
    ...Cache.typeRef,
    metadata: { name: "shrink", namespace: ns.name },
    spec: { size: 4 },
  });
  await assert.rejects(
    kube.patch({ ...Cache.typeRef, namespace: ns.name, name: "shrink" }, { spec: { size: 2 } }),
    (e: unknown) =>
      e instanceof InvalidError &&
      e.causes.some((c) => c.field === "spec.size" && c.message === "cannot shrink from 4"),
  );
});

test("objects in namespaces the operator does not watch are not sent to its webhooks", async () => {
  const other = await testNamespace(kube, "wh-other");
  try {
    const r = await kubectl(cp, ["create", "-n", other.name, "-f", "-"], {
      input: JSON.stringify({ ...Cache.typeRef, metadata: { name: "big" }, spec: { size: 50 } }),
    });
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await other.dispose();
  }
});

test("stopping the operator removes the webhook configurations it registered", async () => {
  const VWC = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
  } as const;
  const ours = async (port: number) =>
    (await kube.list(VWC)).items.filter((c) =>
      (c as { webhooks?: { clientConfig?: { url?: string } }[] }).webhooks?.some((w) =>
        w.clientConfig?.url?.startsWith(`https://127.0.0.1:${port}/`),
      ),
    );
  const second = await runOperator(
    (o) => void o.admission(Cache).validate({ delete: () => deny("never") }),
    { kubeconfig: cp.kubeconfig, namespaces: [ns.name], webhooks: true },
  );
  const port = second.operator.webhookPort!;
  try {
    assert.equal((await ours(port)).length, 1);
  } finally {
    await second.stop();
  }
  assert.deepEqual(await ours(port), []);
});
