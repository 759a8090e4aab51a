// The CRD side of the conversion webhook on the real control plane: its caBundle follows the
// operator's CA through rotations with no read failing, and a CRD the definition does not
// describe is never patched.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { pino } from "pino";
import { defineResource, z } from "../../core/crd/index.js";
import { installCrds } from "../operator/crds.js";
import { eventually, runOperator, useOperatorFixture } from "../../testing/index.js";
import { registerConversions } from "./conversion.js";
import { FAST_POLICY } from "./webhooks.testkit.js";

const GROUP = "crd.conversion.capstan.test";
const same = { toHub: <T>(o: T) => o, fromHub: <T>(o: T) => o };
const Gizmo = defineResource({
  group: GROUP,
  kind: "Gizmo",
  versions: {
    v1alpha1: { spec: z.object({ n: z.number().int() }) },
    v1: { storage: true, spec: z.object({ n: z.number().int() }) },
  },
  convert: { v1alpha1: same },
});
const CRD = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" } as const;
type Crd = {
  spec: { conversion?: { strategy: string; webhook?: { clientConfig: { caBundle?: string } } } };
};

const f = useOperatorFixture({ spaces: ["main"], prefix: "convert-crd" });

after(async () => {
  for (const name of [Gizmo.name, `gadgets.${GROUP}`])
    await f.kube.delete({ ...CRD, name }).catch(() => undefined);
});

test("the CRD's caBundle follows a CA rotation and no converted read fails meanwhile", async () => {
  const op = await runOperator((o) => void o.serveConversion(Gizmo), {
    kubeconfig: f.cp.kubeconfig,
    crds: [Gizmo],
    namespaces: [f.ns.main],
    webhooks: { policy: FAST_POLICY },
  });
  try {
    await f.kube.create({
      ...Gizmo.typeRef,
      metadata: { name: "g", namespace: f.ns.main },
      spec: { n: 1 },
    });
    const alpha = {
      apiVersion: `${GROUP}/v1alpha1`,
      kind: "Gizmo",
      namespace: f.ns.main,
      name: "g",
    };
    await eventually(() => f.kube.get(alpha));
    const bundles = new Set<string>();
    let reads = 0;
    const until = Date.now() + 12_000; // one rotation (about 8 s) and then some
    while (Date.now() < until) {
      const crd = await f.kube.get<typeof CRD & { name: string }, Crd>({
        ...CRD,
        name: Gizmo.name,
      });
      bundles.add(crd.spec.conversion?.webhook?.clientConfig.caBundle ?? "");
      await f.kube.get(alpha); // converted by the webhook: throws if the CA is not trusted
      reads++;
    }
    // The first CA alone, then both during the overlap, then the new one alone.
    assert.ok(bundles.size >= 3, `caBundle values seen: ${bundles.size} over ${reads} reads`);
  } finally {
    await op.stop();
  }
});

test("a CRD whose versions are not the definition's is not patched", async () => {
  const Installed = defineResource({
    group: GROUP,
    kind: "Gadget",
    version: "v1",
    spec: z.object({ n: z.number() }),
  });
  const Other = defineResource({
    group: GROUP,
    kind: "Gadget",
    versions: {
      v1beta1: { spec: z.object({ n: z.number() }) },
      v1: { storage: true, spec: z.object({ n: z.number() }) },
    },
    convert: { v1beta1: same },
  });
  await installCrds(f.kube, [Installed]);
  const lines: string[] = [];
  const log = pino({ level: "info" }, { write: (l: string) => void lines.push(l) });
  await registerConversions(f.kube, log, [Other], {
    url: "https://127.0.0.1:1",
    caBundle: "not a CA",
  });
  const crd = await f.kube.get<typeof CRD & { name: string }, Crd>({ ...CRD, name: Other.name });
  assert.equal(crd.spec.conversion?.strategy, "None");
  assert.match(
    lines.join(""),
    /not patching CustomResourceDefinition gadgets\.crd\.conversion\.capstan\.test: its versions are v1, the definition's v1, v1beta1/,
  );
});
