// A resource with `validation: "webhook"`: the API server checks the CRD's structural schema,
// the operator's validating webhook the zod refinements — served without any handler written.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { InvalidError } from "../../client/errors.js";
import { defineResource, z } from "../../core/crd/index.js";
import { done } from "../controller/reconcile.js";
import {
  eventually,
  kubectl,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
  type TestControlPlane,
} from "../../testing/index.js";

const Pool = defineResource({
  group: "refine.webhooks.capstan.test",
  version: "v1",
  kind: "Pool",
  spec: z
    .object({ minReplicas: z.number().int(), maxReplicas: z.number().int() })
    .refine((s) => s.minReplicas <= s.maxReplicas, {
      message: "must be at least minReplicas",
      path: ["maxReplicas"],
    }),
  validation: "webhook",
});

let cp: TestControlPlane;
let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
let op: RunningOperator;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ns = await testNamespace(kube, "whref");
  // A controller and no admission handler: the schema's webhook is served all the same.
  op = await runOperator(
    (o) =>
      void o.controller({
        name: "pools",
        for: Pool,
        reportStatus: false,
        reconcile: async () => done(),
      }),
    { kubeconfig: cp.kubeconfig, crds: [Pool], namespaces: [ns.name], webhooks: true },
  );
  await eventually(async () => {
    const r = await kubectl(cp, ["create", "--dry-run=server", "-f", "-"], {
      input: pool("probe", 3, 2),
    });
    if (r.code === 0) throw new Error("webhook not called yet");
  });
});

after(async () => {
  await op?.stop();
  await ns?.dispose();
});

const pool = (name: string, minReplicas: number, maxReplicas: number) =>
  JSON.stringify({
    ...Pool.typeRef,
    metadata: { name, namespace: ns.name },
    spec: { minReplicas, maxReplicas },
  });

test("a refinement denies a kubectl create with its message at its field", async () => {
  const r = await kubectl(cp, ["create", "-f", "-"], { input: pool("inverted", 3, 2) });
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /The Pool "inverted" is invalid: spec\.maxReplicas: must be at least minReplicas/,
  );
});

test("a client's create that breaks a refinement fails with the field as a cause", async () => {
  await assert.rejects(
    kube.create({
      ...Pool.typeRef,
      metadata: { name: "inverted-client", namespace: ns.name },
      spec: { minReplicas: 5, maxReplicas: 1 },
    }),
    (e: unknown) =>
      e instanceof InvalidError &&
      e.causes.some(
        (c) => c.field === "spec.maxReplicas" && c.message === "must be at least minReplicas",
      ),
  );
});

test("an object that satisfies the refinement is created", async () => {
  const r = await kubectl(cp, ["create", "-f", "-"], { input: pool("fine", 1, 3) });
  assert.equal(r.code, 0, r.stderr);
});

test("an update that breaks the refinement is denied", async () => {
  await kube.create({
    ...Pool.typeRef,
    metadata: { name: "shrunk", namespace: ns.name },
    spec: { minReplicas: 1, maxReplicas: 3 },
  });
  await assert.rejects(
    kube.patch(
      { ...Pool.typeRef, namespace: ns.name, name: "shrunk" },
      { spec: { maxReplicas: 0 } },
    ),
    InvalidError,
  );
});
