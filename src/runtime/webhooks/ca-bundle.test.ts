// The operator writes its CA bundle into configurations that generate deploy's manifests
// made without one, and leaves one that has it untouched.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { useControlPlane } from "../../testing/index.js";
import { injectCaBundle } from "./ca-bundle.js";

const name = `cabundle-${randomBytes(4).toString("hex")}`;
const VWC = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingWebhookConfiguration",
  name,
} as const;
let kube: KubeClient;

before(async () => {
  kube = await KubeClient.fromKubeconfig({ path: (await useControlPlane()).kubeconfig });
  await kube.create({
    ...VWC,
    metadata: { name },
    webhooks: [
      {
        name: "validate.things.cabundle.capstan.test",
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        clientConfig: { service: { namespace: "nowhere", name: "svc", port: 443 } },
        // Matches nothing anyone writes: the Service behind it does not exist.
        rules: [
          {
            apiGroups: ["cabundle.capstan.test"],
            apiVersions: ["v1"],
            resources: ["things"],
            operations: ["CREATE"],
          },
        ],
      },
    ],
  });
});

after(async () => {
  await kube.delete(VWC);
});

const bundleOf = async () =>
  ((await kube.get(VWC)) as { webhooks: { clientConfig: { caBundle?: string } }[] }).webhooks[0]!
    .clientConfig.caBundle;

test("the bundle is written into a configuration made without one, and not written again", async () => {
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  await injectCaBundle(kube, name, pem);
  assert.equal(await bundleOf(), Buffer.from(pem).toString("base64"));
  const rv = (await kube.get(VWC)).metadata?.resourceVersion;
  await injectCaBundle(kube, name, pem);
  assert.equal((await kube.get(VWC)).metadata?.resourceVersion, rv);
});
