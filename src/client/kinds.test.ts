// Type-level tests: the client's answers are typed for every built-in kind of the registry
// and for any `defineResource` kind, in get/list/watch/create/apply/patch, without a cast.
// Checked by `tsc` (part of the build); `calls` is type-checked, never run. The runtime test
// only checks that the module loads.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2.js";
import type { ConfigMap, PersistentVolumeClaim } from "kubernetes-types/core/v1.js";
import type { Ingress } from "kubernetes-types/networking/v1.js";
import { defineResource, z } from "../core/crd/index.js";
import type { KindRegistry } from "../core/kinds.js";
import type { KubeObject } from "../core/object.js";
import type { KubeClient } from "./client.js";
import type { KindMap, ObjectOf } from "./kinds.js";
import type { WatchEvent } from "./watch.js";

type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
/** `exactly<T>()(value)` compiles only when `value`'s type is exactly `T`. */
const exactly =
  <T>() =>
  <V>(value: V, ..._exact: Equal<V, T> extends true ? [] : [never]) =>
    value;

/** `"apps/v1/Deployment"` → `{ apiVersion: "apps/v1"; kind: "Deployment" }`. */
type Split<S extends string, A extends string = ""> = S extends `${infer H}/${infer R}`
  ? R extends `${string}/${string}`
    ? Split<R, A extends "" ? H : `${A}/${H}`>
    : { apiVersion: A extends "" ? H : `${A}/${H}`; kind: R }
  : never;
/** Every registry key for which the client's type is not the registry's. */
type Mistyped = {
  [K in keyof KindRegistry & string]: Equal<ObjectOf<Split<K>>, KindRegistry[K]> extends true
    ? never
    : K;
}[keyof KindRegistry & string];

const Widget = defineResource({
  group: "example.com",
  version: "v1",
  kind: "Widget",
  spec: z.object({ size: z.number().default(1) }),
  status: z.object({ ready: z.boolean() }),
});
type W = typeof Widget.$object;

export type Tests = [
  Expect<Equal<Mistyped, never>>,
  Expect<Equal<keyof KindMap, keyof KindRegistry>>,
  Expect<
    Equal<ObjectOf<{ apiVersion: "v1"; kind: "PersistentVolumeClaim" }>, PersistentVolumeClaim>
  >,
  Expect<Equal<ObjectOf<{ apiVersion: "networking.k8s.io/v1"; kind: "Ingress" }>, Ingress>>,
  Expect<
    Equal<
      ObjectOf<{ apiVersion: "autoscaling/v2"; kind: "HorizontalPodAutoscaler" }>,
      HorizontalPodAutoscaler
    >
  >,
  Expect<Equal<ObjectOf<{ apiVersion: "example.com/v1"; kind: "Gadget" }>, KubeObject>>,
];

export async function calls(kube: KubeClient, ns: string): Promise<void> {
  exactly<PersistentVolumeClaim>()(
    await kube.get({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, name: "x" }),
  );
  exactly<Ingress[]>()(
    (await kube.list({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: ns })).items,
  );
  const w = exactly<W>()(await kube.get({ ...Widget.typeRef, namespace: ns, name: "w" }));
  exactly<W[]>()((await kube.list({ ...Widget.typeRef, namespace: ns })).items);
  exactly<W>()(
    await kube.patch({ ...Widget.typeRef, namespace: ns, name: "w" }, { spec: { size: 2 } }),
  );
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } } as const;
  exactly<ConfigMap>()(await kube.create({ ...cm, data: { a: "b" } }));
  exactly<ConfigMap>()(
    await kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: cm.metadata }),
  );
  const body = { metadata: { name: "w", namespace: ns }, spec: { size: 3 } };
  exactly<W>()(await kube.create({ ...Widget.typeRef, ...body }));
  exactly<W>()(await kube.apply({ ...Widget.typeRef, ...body }));
  for await (const ev of kube.watch({ ...Widget.typeRef, namespace: ns }))
    exactly<WatchEvent<W>>()(ev);
  // @ts-expect-error -- a Widget's spec has no `replicas`
  void w.spec.replicas;
}

test("the client's type-level tests are part of the build", () => {
  assert.equal(typeof calls, "function");
});

test("a resource's typeRef holds only apiVersion and kind, so a body spread from it sends nothing else", () => {
  assert.deepEqual({ ...Widget.typeRef }, { apiVersion: "example.com/v1", kind: "Widget" });
});
