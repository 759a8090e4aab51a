// Type-level tests: the types a controller's or a handler set's code sees flow from `for`,
// with no explicit generic. Checked by `tsc` (part of the build): an `Expect<Equal<…>>` that
// does not hold, or a `@ts-expect-error` line that finds no error, fails compilation. The
// operator below is only defined, never run; the runtime test checks the definition exists.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Deployment } from "kubernetes-types/apps/v1.js";
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";
import { defineResource, k8s, z, type InputOf, type ObjectOf } from "../../core/crd/index.js";
import type { CacheReader } from "../watch/cache.js";
import { defineOperator } from "../operator/define.js";
import type { DiffItem } from "../handlers/diff.js";
import type { Essence } from "../handlers/handlers.js";
import { done, type ApiObject } from "./reconcile.js";
import type { OwnedObject } from "./typed.js";

type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
/** `exactly<T>()(value)` compiles only when `value`'s type is exactly `T`. */
const exactly =
  <T>() =>
  <V>(value: V, ..._exact: Equal<V, T> extends true ? [] : [never]) =>
    value;

const Memcached = defineResource({
  group: "cache.example.com",
  version: "v1",
  kind: "Memcached",
  spec: z.object({ size: z.number().int().default(1), image: z.string() }),
  status: z.object({
    ready: z.boolean(),
    replicas: z.number().int().default(0),
    conditions: k8s.conditions().optional(),
  }),
});
type M = ObjectOf<typeof Memcached>;
type MStatusIn = NonNullable<InputOf<typeof Memcached>["status"]>;

const DEPLOYMENT = { apiVersion: "apps/v1", kind: "Deployment" } as const;
const CONFIGMAP = { apiVersion: "v1", kind: "ConfigMap" } as const;

export const typed = defineOperator((op) => {
  op.controller({
    name: "memcached",
    for: Memcached,
    owns: [CONFIGMAP],
    async reconcile(m, ctx) {
      const size: number = m.spec.size;
      exactly<M>()(m);
      exactly<CacheReader<M>>()(ctx.cache);
      exactly<(status: Partial<MStatusIn>) => Promise<void>>()(ctx.patchStatus);
      exactly<CacheReader<OwnedObject>>()(ctx.owned(CONFIGMAP));
      // @ts-expect-error -- the spec has no such field
      void m.spec.sizee;
      // @ts-expect-error -- `ready` is a boolean in the status schema
      await ctx.patchStatus({ ready: "yes" });
      // @ts-expect-error -- the status schema has no such field
      await ctx.patchStatus({ readyReplicas: 1 });
      // A child's cache holds metadata only.
      // @ts-expect-error -- no `data` on PartialObjectMetadata
      void ctx.owned(CONFIGMAP).get("ns/x")?.data;
      await ctx.patchStatus({ ready: size > 0 });
      return done();
    },
    async cleanup(m, ctx) {
      exactly<M>()(m);
      exactly<CacheReader<M>>()(ctx.cache);
    },
    predicate: (old, now) => exactly<M>()(old).spec.size !== exactly<M>()(now).spec.size,
    indexers: { byImage: (m) => [exactly<M>()(m).spec.image] },
    transform: (m) => exactly<M>()(m),
    onEvent: (_type, m) => void exactly<M>()(m),
  });

  // A mismatch does not compile: a Memcached has no `spec.replicas`.
  op.controller({
    name: "wrong",
    for: Memcached,
    // @ts-expect-error -- `replicas` is not in Memcached's spec
    predicate: (old, now) => old.spec.replicas !== now.spec.replicas,
    reconcile: async () => done(),
  });

  // A reconcile written for another kind does not fit.
  op.controller({
    name: "mismatch",
    for: Memcached,
    // @ts-expect-error -- a Deployment is not a Memcached
    reconcile: async (_d: Deployment & { metadata: ObjectMeta }) => done(),
  });

  // A built-in kind named by a literal reference: its type from the registry.
  op.controller({
    name: "deployments",
    for: DEPLOYMENT,
    async reconcile(d, ctx) {
      exactly<Deployment & { metadata: ObjectMeta }>()(d);
      exactly<Deployment["spec"]>()(d.spec);
      await ctx.patchStatus({ readyReplicas: 1 });
      // @ts-expect-error -- DeploymentStatus has no `ready`
      await ctx.patchStatus({ ready: true });
    },
  });

  // A kind the registry does not know: a ApiObject.
  op.controller({
    name: "unknown",
    for: { apiVersion: "example.com/v1", kind: "Gadget" },
    async reconcile(g, ctx) {
      exactly<ApiObject>()(g);
      exactly<(status: Record<string, unknown>) => Promise<void>>()(ctx.patchStatus);
    },
  });

  // An explicit type argument still wins.
  type Named = ApiObject & { spec: { text: string } };
  op.controller<Named>({
    name: "explicit",
    for: { apiVersion: "example.com/v1", kind: "Note" },
    async reconcile(n) {
      exactly<Named>()(n);
    },
  });

  // kopf-style handlers: spec, obj, old/new and diff typed from the resource.
  op.on(Memcached)
    .create(({ obj, spec, diff }) => {
      exactly<M>()(obj);
      exactly<M["spec"]>()(spec);
      exactly<DiffItem[]>()(diff);
      // @ts-expect-error -- the spec has no such field
      void spec.replicas;
    })
    .update(({ old, new: now, ctx }) => {
      exactly<Essence<M>>()(old);
      exactly<M["spec"]>()(now.spec);
      exactly<(status: Partial<MStatusIn>) => Promise<void>>()(ctx.patchStatus);
    })
    .event(({ obj }) => void exactly<M>()(obj));

  op.on(DEPLOYMENT)
    .create(({ spec }) => void exactly<Deployment["spec"] | undefined>()(spec))
    .update(({ old }) => void exactly<Deployment["spec"] | undefined | null>()(old.spec));
});

test("a typed operator definition builds without running its setup", () => {
  assert.equal(typed.kind, "capstan.operator");
});
