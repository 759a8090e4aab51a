// The crd module against the real API server: the generated CRD is accepted, every object of
// the corpus gets the expected verdict from the API server and the same one from safeParse,
// defaults are applied alike, printer columns show in kubectl, and two versions are served.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { InvalidError, KubeClient } from "../../client/index.js";
import { installCrds } from "../../runtime/operator/crds.js";
import {
  kubectlOk,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../../testing/index.js";
import { corpus, type Cause } from "./testdata/corpus.js";
import { widget } from "./testdata/widget.js";

let cp: TestControlPlane;
let kube: KubeClient;
let ns: string;
let dispose: () => Promise<void>;
const W = widget(`w${randomBytes(3).toString("hex")}.capstan.test`);
const CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  name: W.name,
} as const;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ({ name: ns, dispose } = await testNamespace(kube, "crd"));
  await installCrds(kube, [W]);
});
after(async () => {
  await kube.delete(CRD).catch(() => undefined);
  await dispose();
});

const sorted = (causes: Cause[]) =>
  [...causes].sort((a, b) => `${a[0]}|${a[1]}`.localeCompare(`${b[0]}|${b[1]}`));
const widgetObject = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: W.apiVersion,
  kind: W.kind,
  metadata: { name, namespace: ns },
  spec,
});

async function serverCauses(obj: ReturnType<typeof widgetObject>): Promise<Cause[]> {
  try {
    await kube.create(obj, { dryRun: true });
    return [];
  } catch (e) {
    if (!(e instanceof InvalidError)) throw e;
    return e.causes.map((c) => [c.field === "<nil>" ? "" : (c.field ?? ""), c.reason ?? ""]);
  }
}

describe("a corpus of objects judged by the API server and by safeParse", () => {
  corpus.forEach((entry, i) => {
    test(`${entry.title}: ${entry.causes.length ? entry.causes.map((c) => c.join(" ")).join(", ") : "accepted"}`, async () => {
      const obj = widgetObject(`c${i}`, entry.spec);
      assert.deepEqual(sorted(await serverCauses(obj)), sorted(entry.causes), "API server");
      const r = W.safeParse(obj);
      assert.deepEqual(
        sorted(r.problems.map((p) => [p.path, p.code])),
        sorted(entry.causes),
        "safeParse",
      );
      assert.deepEqual(r.skipped, []);
    });
  });
});

test("the API server applies defaults, including inside list items and union members, as safeParse does", async () => {
  const input = widgetObject("defaults", {
    name: "d",
    ports: [{ name: "http", port: 80 }],
    source: { type: "git", url: "u" },
  });
  await kube.create(input);
  const stored = (await kube.get({
    apiVersion: W.apiVersion,
    kind: W.kind,
    namespace: ns,
    name: "defaults",
  })) as unknown as typeof input;
  assert.deepEqual(stored.spec, {
    name: "d",
    size: "medium",
    replicas: 1,
    ports: [{ name: "http", port: 80, protocol: "TCP" }],
    source: { type: "git", url: "u", ref: "main" },
  });
  const parsed = W.parse(input);
  assert.deepEqual(parsed.spec, stored.spec);
});

test("unknown fields are pruned by the API server and by safeParse, except where preserved", async () => {
  const input = widgetObject("pruned", { name: "p", extra: 1, config: { kept: { deep: true } } });
  await kube.create(input);
  const stored = (await kube.get({
    apiVersion: W.apiVersion,
    kind: W.kind,
    namespace: ns,
    name: "pruned",
  })) as unknown as typeof input & { spec: { config?: unknown } };
  assert.equal("extra" in stored.spec, false);
  assert.deepEqual(stored.spec.config, { kept: { deep: true } });
  assert.deepEqual(W.parse(input).spec, stored.spec);
});

test("printer columns show in kubectl get", async () => {
  await kube.create(widgetObject("printed", { name: "p", size: "large", replicas: 4 }));
  const out = await kubectlOk(cp, ["get", `${W.plural}.${W.group}`, "-n", ns, "printed"]);
  const [header, row] = out.trim().split("\n");
  assert.deepEqual(header?.split(/\s+/), ["NAME", "SIZE", "REPLICAS", "PHASE"]);
  assert.deepEqual(row?.split(/\s+/), ["printed", "large", "4"]);
});

test("the short name and category find the resource in kubectl", async () => {
  await kube.create(widgetObject("short", { name: "s" }));
  const byShort = await kubectlOk(cp, ["get", "wdg", "-n", ns, "short", "-o", "name"]);
  assert.equal(byShort.trim(), `widget.${W.group}/short`);
  const byCategory = await kubectlOk(cp, ["get", "capstan", "-n", ns, "-o", "name"]);
  assert.match(byCategory, new RegExp(`widget\\.${W.group.replaceAll(".", "\\.")}/short`));
});

test("two versions are served at once: an object written as v1beta1 reads as v1 and back", async () => {
  const beta = W.versions.v1beta1;
  await kube.create({
    apiVersion: beta.apiVersion,
    kind: W.kind,
    metadata: { name: "old", namespace: ns },
    spec: { name: "o", replicas: 2 },
  });
  const asV1 = (await kube.get({
    apiVersion: W.apiVersion,
    kind: W.kind,
    namespace: ns,
    name: "old",
  })) as { apiVersion: string; spec: object };
  assert.equal(asV1.apiVersion, W.apiVersion);
  assert.deepEqual(asV1.spec, { name: "o", replicas: 2, size: "medium" });
  const asBeta = (await kube.get({
    apiVersion: beta.apiVersion,
    kind: W.kind,
    namespace: ns,
    name: "old",
  })) as { apiVersion: string; spec: object };
  assert.equal(asBeta.apiVersion, beta.apiVersion);
  assert.equal(beta.safeParse(asBeta).success, true);
  assert.equal(W.safeParse(asV1).success, true);
});

test("the scale subresource reads and writes spec.replicas", async () => {
  await kube.create(widgetObject("scaled", { name: "s", replicas: 1 }));
  await kubectlOk(cp, ["scale", `${W.plural}.${W.group}/scaled`, "-n", ns, "--replicas=3"]);
  const got = (await kube.get({
    apiVersion: W.apiVersion,
    kind: W.kind,
    namespace: ns,
    name: "scaled",
  })) as { spec: { replicas: number } };
  assert.equal(got.spec.replicas, 3);
});
