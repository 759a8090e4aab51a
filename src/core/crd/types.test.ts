// Type-level tests: the TypeScript types inferred from a definition are exact. Checked by
// `tsc --noEmit` — an `Expect<Equal<…>>` that does not hold, or a `@ts-expect-error` that
// finds no error, fails compilation. The runtime test checks that values of these types are
// what the schema accepts.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";
import { defineResource, k8s, z, type AnyObjectOf, type InputOf, type ObjectOf } from "./index.js";

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const MongoUser = defineResource({
  group: "mkramb.com",
  kind: "MongoUser",
  version: "v1",
  spec: z.object({
    username: z.string(),
    password: z.string(),
    roles: z.array(z.string()).default([]),
    port: k8s.intOrString().optional(),
    mode: z.enum(["a", "b"]).nullable().optional(),
    extra: k8s.preserveUnknown().optional(),
  }),
  status: z.object({ ready: z.boolean() }),
});

type MongoSpecOut = {
  username: string;
  password: string;
  roles: string[];
  port?: string | number | undefined;
  mode?: "a" | "b" | null | undefined;
  extra?: { [k: string]: unknown } | undefined;
};

export type Tests = [
  Expect<Equal<typeof MongoUser.apiVersion, "mkramb.com/v1">>,
  Expect<Equal<typeof MongoUser.kind, "MongoUser">>,
  Expect<
    Equal<
      ObjectOf<typeof MongoUser>,
      {
        apiVersion: "mkramb.com/v1";
        kind: "MongoUser";
        metadata: ObjectMeta;
        spec: MongoSpecOut;
        status?: { ready: boolean };
      }
    >
  >,
  Expect<Equal<typeof MongoUser.$object, ObjectOf<typeof MongoUser>>>,
  // Written by a client, defaulted fields may be left out.
  Expect<Equal<InputOf<typeof MongoUser>["spec"]["roles"], string[] | undefined>>,
  Expect<Equal<Exclude<ReturnType<typeof MongoUser.parse>, ObjectOf<typeof MongoUser>>, never>>,
];

// Two versions: the storage version is the default, the other is reachable by name.
const Widget = defineResource({
  group: "example.com",
  kind: "Widget",
  versions: {
    v1beta1: { served: true, storage: false, spec: z.object({ size: z.string() }) },
    v1: { served: true, storage: true, spec: z.object({ size: z.enum(["s", "m"]) }).optional() },
  },
});

export type VersionTests = [
  Expect<Equal<typeof Widget.apiVersion, "example.com/v1">>,
  Expect<Equal<typeof Widget.storageVersion, "v1">>,
  // A spec the schema marks optional is an optional property, not `spec: T | undefined`.
  Expect<
    Equal<
      ObjectOf<typeof Widget>,
      {
        apiVersion: "example.com/v1";
        kind: "Widget";
        metadata: ObjectMeta;
        spec?: { size: "s" | "m" };
      }
    >
  >,
  Expect<Equal<ObjectOf<typeof Widget, "v1beta1">["spec"], { size: string }>>,
  Expect<Equal<ObjectOf<typeof Widget, "v1beta1">["apiVersion"], "example.com/v1beta1">>,
  Expect<Equal<AnyObjectOf<typeof Widget>["apiVersion"], "example.com/v1" | "example.com/v1beta1">>,
  // No status schema, no status property.
  Expect<Equal<"status" extends keyof ObjectOf<typeof Widget> ? true : false, false>>,
];

const user: ObjectOf<typeof MongoUser> = {
  apiVersion: "mkramb.com/v1",
  kind: "MongoUser",
  metadata: { name: "u" },
  spec: { username: "u", password: "p", roles: ["read"], port: 27017 },
};

// @ts-expect-error -- a wrong kind is a type error
export const wrongKind: ObjectOf<typeof MongoUser> = { ...user, kind: "Other" };
const wrongSpec = { ...user.spec, roles: "read" };
// @ts-expect-error -- a wrong field type is a type error
export const wrongField: ObjectOf<typeof MongoUser> = { ...user, spec: wrongSpec };
// @ts-expect-error -- list-map keys must be fields of the items
k8s.listMap(z.array(z.object({ name: z.string() })), ["nmae"]);

test("a value of the inferred object type is accepted by the resource's own validation", () => {
  const r = MongoUser.safeParse(user);
  assert.equal(r.success, true, JSON.stringify(r.problems));
  const w: ObjectOf<typeof Widget, "v1beta1"> = {
    apiVersion: "example.com/v1beta1",
    kind: "Widget",
    metadata: {},
    spec: { size: "xl" },
  };
  assert.equal(Widget.safeParse(w).success, true);
  assert.equal(Widget.versions.v1.safeParse({ ...w, apiVersion: "example.com/v1" }).success, false);
});
