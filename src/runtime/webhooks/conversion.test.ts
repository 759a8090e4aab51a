// The conversion webhook on the real control plane, through the local loop: the operator
// serves a resource's converters on 127.0.0.1 and points its CRD there; the API server
// converts every read and write at a version other than the stored one through it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { defineResource, z } from "../../core/crd/index.js";
import {
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
  type TestControlPlane,
} from "../../testing/index.js";

const GROUP = "conversion.webhooks.capstan.test";
const COLOR = `${GROUP}/color`; // v1alpha1's color, which v1 has no field for
const TIER = `${GROUP}/tier`; // v1's tier, which v1alpha1 has no field for

const Tier = z.enum(["gold", "silver"]);

/** v1alpha1: flat `replicas` (at most 100) and `color`; v1 (storage): `scale.replicas` and `tier`. */
const Widget = defineResource({
  group: GROUP,
  kind: "Widget",
  versions: {
    v1alpha1: { spec: z.object({ replicas: z.number().int(), color: z.string().optional() }) },
    v1: {
      storage: true,
      spec: z.object({
        scale: z.object({ replicas: z.number().int() }),
        tier: Tier.optional(),
      }),
    },
  },
  convert: {
    v1alpha1: {
      toHub: ({ metadata, spec }) => {
        const { [COLOR]: _, [TIER]: kept, ...annotations } = metadata.annotations ?? {};
        if (spec.color !== undefined) annotations[COLOR] = spec.color;
        const tier = Tier.safeParse(kept).data;
        return {
          metadata: { annotations },
          spec: { scale: { replicas: spec.replicas }, ...(tier ? { tier } : {}) },
        };
      },
      fromHub: ({ metadata, spec }) => {
        if (spec.scale.replicas > 100)
          throw new Error(
            `spec.scale.replicas: ${spec.scale.replicas} is more than v1alpha1 holds (100)`,
          );
        const { [COLOR]: color, [TIER]: _, ...annotations } = metadata.annotations ?? {};
        if (spec.tier !== undefined) annotations[TIER] = spec.tier;
        return {
          metadata: { annotations },
          spec: { replicas: spec.scale.replicas, ...(color !== undefined ? { color } : {}) },
        };
      },
    },
  },
});

const V1ALPHA1 = { apiVersion: `${GROUP}/v1alpha1`, kind: "Widget" } as const;
type Alpha = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: { replicas: number; color?: string };
};

let cp: TestControlPlane;
let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
let op: RunningOperator;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ns = await testNamespace(kube, "convert");
  op = await runOperator((o) => void o.serveConversion(Widget), {
    kubeconfig: cp.kubeconfig,
    crds: [Widget],
    namespaces: [ns.name],
    webhooks: true,
  });
  // The API server takes up the CRD's new clientConfig a moment after it is patched: wait
  // until a write at v1alpha1 (converted to the stored v1) goes through.
  await eventually(() =>
    kube.create(
      { ...V1ALPHA1, metadata: { name: "probe", namespace: ns.name }, spec: { replicas: 1 } },
      { dryRun: true },
    ),
  );
});

after(async () => {
  await op?.stop();
  await kube?.delete({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    name: Widget.name,
  });
  await ns?.dispose();
});

const at = (version: "v1" | "v1alpha1", name: string) => ({
  apiVersion: `${GROUP}/${version}`,
  kind: "Widget",
  namespace: ns.name,
  name,
});

test("an object written at v1alpha1 reads back at v1, converted by the operator's webhook", async () => {
  await kube.create({
    ...V1ALPHA1,
    metadata: { name: "read-at-v1", namespace: ns.name },
    spec: { replicas: 3, color: "red" },
  });
  const v1 = await kube.get({ ...Widget.typeRef, namespace: ns.name, name: "read-at-v1" });
  assert.deepEqual(v1.spec, { scale: { replicas: 3 } });
  assert.equal(v1.metadata.annotations?.[COLOR], "red");
});

test("an object written at v1alpha1 reads back at v1alpha1 as it was written", async () => {
  await kube.create({
    ...V1ALPHA1,
    metadata: { name: "same", namespace: ns.name, annotations: { team: "a" } },
    spec: { replicas: 2, color: "blue" },
  });
  const back = await kube.get<ReturnType<typeof at>, Alpha>(at("v1alpha1", "same"));
  assert.deepEqual(back.spec, { replicas: 2, color: "blue" });
  assert.deepEqual(back.metadata.annotations, { team: "a" });
});

test("a field only v1 has survives an update made at v1alpha1", async () => {
  await kube.create({
    ...Widget.typeRef,
    metadata: { name: "tiered", namespace: ns.name },
    spec: { scale: { replicas: 1 }, tier: "gold" },
  });
  const old = await kube.get<ReturnType<typeof at>, Alpha>(at("v1alpha1", "tiered"));
  await kube.replace({ ...old, spec: { ...old.spec, replicas: 4 } });
  const v1 = await kube.get({ ...Widget.typeRef, namespace: ns.name, name: "tiered" });
  assert.deepEqual(v1.spec, { scale: { replicas: 4 }, tier: "gold" });
  assert.equal(v1.metadata.annotations?.[TIER], undefined);
});

test("a converter that throws fails the API server's read with its message, and the operator goes on", async () => {
  await kube.create({
    ...Widget.typeRef,
    metadata: { name: "too-many", namespace: ns.name },
    spec: { scale: { replicas: 500 } },
  });
  await assert.rejects(
    kube.get(at("v1alpha1", "too-many")),
    (e: unknown) =>
      e instanceof Error &&
      e.message.includes(
        `convert Widget ${ns.name}/too-many from ${GROUP}/v1 to ${GROUP}/v1alpha1: v1alpha1.fromHub failed: spec.scale.replicas: 500 is more than v1alpha1 holds (100)`,
      ),
  );
  await kube.create({
    ...Widget.typeRef,
    metadata: { name: "after-failure", namespace: ns.name },
    spec: { scale: { replicas: 5 } },
  });
  const fine = await kube.get<ReturnType<typeof at>, Alpha>(at("v1alpha1", "after-failure"));
  assert.equal(fine.spec.replicas, 5);
});
