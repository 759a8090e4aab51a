// Several versions in one definition, with typed hub-and-spoke converters: the types (checked
// by tsc), the manifest, and `convert` as a pure function.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ConversionError,
  defineResource,
  withConversionClient,
  z,
  type ObjectOf,
} from "./index.js";

const KEPT = "convert.capstan.test/v1alpha1-color";

/** v1alpha1 has a flat `replicas` and a `color`; v1 nests `scale.replicas` and adds `tier`. */
const Widget = defineResource({
  group: "convert.capstan.test",
  kind: "Widget",
  versions: {
    v1alpha1: {
      spec: z.object({ replicas: z.number().int(), color: z.string().optional() }),
    },
    v1: {
      storage: true,
      spec: z.object({
        scale: z.object({ replicas: z.number().int() }),
        tier: z.enum(["gold", "silver"]).optional(),
      }),
    },
  },
  convert: {
    v1alpha1: {
      toHub: ({ metadata, spec }) => {
        const { [KEPT]: _, ...annotations } = metadata.annotations ?? {};
        if (spec.color !== undefined) annotations[KEPT] = spec.color;
        return { metadata: { annotations }, spec: { scale: { replicas: spec.replicas } } };
      },
      fromHub: ({ metadata, spec }) => {
        const { [KEPT]: color, ...annotations } = metadata.annotations ?? {};
        return {
          metadata: { annotations },
          spec: { replicas: spec.scale.replicas, ...(color !== undefined ? { color } : {}) },
        };
      },
    },
  },
});

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type Tests = [
  Expect<Equal<ReturnType<typeof Widget.convert<"v1">>, ObjectOf<typeof Widget>>>,
  Expect<Equal<ReturnType<typeof Widget.convert<"v1alpha1">>["spec"]["replicas"], number>>,
];

// A converter whose result does not fit the hub's schema does not compile.
// @ts-expect-error: the hub's spec has `size`, not `replicas`
defineResource({
  group: "convert.capstan.test",
  kind: "Mismatch",
  versions: {
    v1alpha1: { spec: z.object({ replicas: z.number() }) },
    v1: { storage: true, spec: z.object({ size: z.number() }) },
  },
  convert: {
    v1alpha1: {
      toHub: ({ spec }) => ({ spec: { replicas: spec.replicas } }),
      fromHub: ({ spec }) => ({ spec: { replicas: spec.size } }),
    },
  },
});

const old = {
  apiVersion: "convert.capstan.test/v1alpha1" as const,
  kind: "Widget" as const,
  metadata: { name: "w", namespace: "ns", uid: "u1", annotations: { team: "a" } },
  spec: { replicas: 3, color: "red" },
};

test("an object converts to the hub with a field only the spoke has kept in an annotation", () => {
  const hub = Widget.convert(old, "v1");
  assert.deepEqual(hub, {
    apiVersion: "convert.capstan.test/v1",
    kind: "Widget",
    metadata: { name: "w", namespace: "ns", uid: "u1", annotations: { team: "a", [KEPT]: "red" } },
    spec: { scale: { replicas: 3 } },
  });
});

test("an object round-trips from a spoke through the hub without loss", () => {
  assert.deepEqual(Widget.convert(Widget.convert(old, "v1"), "v1alpha1"), old);
});

test("an object already at the wanted version is returned as it is", () => {
  assert.equal(Widget.convert(old, "v1alpha1"), old);
});

test("a converter that returns only labels keeps the object's annotations", () => {
  const Labelled = defineResource({
    group: "convert.capstan.test",
    kind: "Labelled",
    versions: {
      v1alpha1: { spec: z.object({ n: z.number() }) },
      v1: { storage: true, spec: z.object({ n: z.number() }) },
    },
    convert: {
      v1alpha1: {
        toHub: ({ spec }) => ({ metadata: { labels: { converted: "yes" } }, spec }),
        fromHub: (o) => o,
      },
    },
  });
  const hub = Labelled.convert(
    { ...old, apiVersion: "convert.capstan.test/v1alpha1", kind: "Labelled", spec: { n: 1 } },
    "v1",
  );
  assert.deepEqual(hub.metadata, { ...old.metadata, labels: { converted: "yes" } });
});

test("a converter that throws fails with the object, both versions and the function named", () => {
  const Broken = defineResource({
    group: "convert.capstan.test",
    kind: "Broken",
    versions: {
      v1alpha1: { spec: z.object({ n: z.number() }) },
      v1: { storage: true, spec: z.object({ n: z.number() }) },
    },
    convert: {
      v1alpha1: {
        toHub: () => {
          throw new Error("n is out of range");
        },
        fromHub: (o) => o,
      },
    },
  });
  const obj = {
    ...old,
    apiVersion: "convert.capstan.test/v1alpha1" as const,
    kind: "Broken" as const,
  };
  assert.throws(
    () => Broken.convert({ ...obj, spec: { n: 1 } }, "v1"),
    (e: unknown) =>
      e instanceof ConversionError &&
      e.message ===
        "convert Broken ns/w from convert.capstan.test/v1alpha1 to convert.capstan.test/v1: v1alpha1.toHub failed: n is out of range",
  );
});

test("a converter that returns an invalid object fails naming the field", () => {
  const Sloppy = defineResource({
    group: "convert.capstan.test",
    kind: "Sloppy",
    versions: {
      v1alpha1: { spec: z.object({ n: z.number() }) },
      v1: { storage: true, spec: z.object({ n: z.number() }) },
    },
    convert: {
      v1alpha1: {
        toHub: ({ spec }) => ({ spec: { n: String(spec.n) as unknown as number } }),
        fromHub: (o) => o,
      },
    },
  });
  assert.throws(
    () =>
      Sloppy.convert(
        { ...old, apiVersion: "convert.capstan.test/v1alpha1", kind: "Sloppy", spec: { n: 1 } },
        "v1",
      ),
    (e: unknown) =>
      e instanceof ConversionError && e.field === "spec.n" && /Sloppy ns\/w/.test(e.message),
  );
});

test("the CRD of a definition with converters asks for a v1 conversion webhook", () => {
  const crd = Widget.crd();
  assert.deepEqual(
    crd.spec.versions.map((v) => [v.name, v.served, v.storage]),
    [
      ["v1alpha1", true, false],
      ["v1", true, true],
    ],
  );
  assert.equal(crd.spec.conversion?.strategy, "Webhook");
  assert.deepEqual(
    crd.spec.conversion?.strategy === "Webhook" &&
      crd.spec.conversion.webhook.conversionReviewVersions,
    ["v1"],
  );
  assert.equal(Widget.conversion, "Webhook");
});

test("a converter for the storage version or for no version is refused when the CRD is built", () => {
  const same = { toHub: (o: unknown) => o, fromHub: (o: unknown) => o };
  const Odd = defineResource({
    group: "convert.capstan.test",
    kind: "Odd",
    versions: {
      v1alpha1: { spec: z.object({}) },
      v1: { storage: true, spec: z.object({}) },
    },
    convert: { v1: same, v2: same } as never,
  });
  assert.throws(
    () => Odd.crd(),
    (e: unknown) =>
      e instanceof Error &&
      e.message.includes("convert: v1alpha1 has no converter") &&
      e.message.includes("convert: v1 is the storage version (the hub): it needs no converter") &&
      e.message.includes("convert: v2 is not a version of this resource"),
  );
});

test("a CRD's conversion webhook can be sent to the operator's Service, at the resource's path", () => {
  const crd = withConversionClient(Widget.crd(), {
    service: { namespace: "ops", name: "widget-operator", port: 9443 },
    caBundle: "PEM",
  });
  assert.deepEqual(crd.spec.conversion, {
    strategy: "Webhook",
    webhook: {
      conversionReviewVersions: ["v1"],
      clientConfig: {
        service: {
          namespace: "ops",
          name: "widget-operator",
          port: 9443,
          path: "/convert/convert.capstan.test/widgets",
        },
        caBundle: Buffer.from("PEM").toString("base64"),
      },
    },
  });
});
