// deploy --local over a CRD the local loop pointed at itself: the loopback URL gives way to
// the base's Service; an address someone else set is left alone.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { KubeClient } from "../client/client.js";
import { kubectl, useControlPlane, type TestControlPlane } from "../testing/index.js";
import { isLoopbackUrl, replaceLoopbackConversionUrls } from "./crd-address.js";

const CRD = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" } as const;
let cp: TestControlPlane;
let kube: KubeClient;
const made: string[] = [];

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
});
after(async () => {
  for (const name of made) await kube.delete({ ...CRD, name }).catch(() => undefined);
});

const service = { namespace: "dials-system", name: "dials-webhook", port: 443, path: "/convert" };
/** A CRD of its own group whose conversions go to `clientConfig`. */
function crd(clientConfig: Record<string, unknown>) {
  const group = `g${randomBytes(4).toString("hex")}.capstan.test`;
  const name = `dials.${group}`;
  made.push(name);
  return {
    ...CRD,
    metadata: { name },
    spec: {
      group,
      scope: "Namespaced",
      names: { kind: "Dial", plural: "dials", singular: "dial", listKind: "DialList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          },
        },
      ],
      conversion: {
        strategy: "Webhook",
        webhook: { conversionReviewVersions: ["v1"], clientConfig },
      },
    },
  };
}
/** The same CRD as the generated base has it: conversions to the operator's Service. */
function toService(o: ReturnType<typeof crd>) {
  const webhook = { conversionReviewVersions: ["v1"], clientConfig: { service } };
  return { ...o, spec: { ...o.spec, conversion: { strategy: "Webhook", webhook } } };
}
const yamlOf = (o: unknown) => JSON.stringify(o);
const applyAs = (manager: string, o: unknown, extra: string[] = []) =>
  kubectl(cp, ["apply", "--server-side", `--field-manager=${manager}`, ...extra, "-f", "-"], {
    input: yamlOf(o),
  });

test("the base applies over a CRD the local loop pointed at 127.0.0.1 once the URL gives way to its Service", async () => {
  const local = crd({ url: "https://127.0.0.1:9443/convert" });
  assert.equal((await applyAs("capstan-local", local)).code, 0);
  const base = toService(local);
  const before = await applyAs("deploy", base, ["--force-conflicts", "--dry-run=server"]);
  assert.match(before.stderr, /exactly one of url or service is required/);
  assert.deepEqual(await replaceLoopbackConversionUrls(kube, [base]), [local.metadata.name]);
  const after = await applyAs("deploy", base, ["--force-conflicts"]);
  assert.equal(after.code, 0, after.stderr);
  const live = (await kube.get({ ...CRD, name: local.metadata.name })) as unknown as typeof local;
  assert.deepEqual(live.spec.conversion.webhook.clientConfig, { service });
});

test("a CRD whose conversion address is not loopback is left as it is", async () => {
  const foreign = crd({ url: "https://converter.example.invalid/convert" });
  assert.equal((await applyAs("someone-else", foreign)).code, 0);
  const seen = await kube.get({ ...CRD, name: foreign.metadata.name });
  const base = toService(foreign);
  assert.deepEqual(await replaceLoopbackConversionUrls(kube, [base]), []);
  const now = await kube.get({ ...CRD, name: foreign.metadata.name });
  // Not the resourceVersion: the API server's own CRD controllers write its status meanwhile.
  assert.deepEqual((now as { spec?: unknown }).spec, (seen as { spec?: unknown }).spec);
  const writers = (o: typeof now) =>
    (o.metadata?.managedFields ?? [])
      .filter((f) => f.subresource !== "status")
      .map((f) => f.manager);
  assert.deepEqual(writers(now), writers(seen));
});

test("only https to a loopback address counts as the local loop's URL", () => {
  assert.deepEqual(
    [
      "https://127.0.0.1:9443/convert/a/b",
      "https://localhost:1/x",
      "https://[::1]:2/y",
      "http://127.0.0.1:9443/convert",
      "https://127.0.0.2.example.invalid/",
      "not a url",
    ].map(isLoopbackUrl),
    [true, true, true, false, false, false],
  );
});
