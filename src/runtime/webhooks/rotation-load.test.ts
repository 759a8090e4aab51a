// A CA rotation while admission requests flow: the new CA joins the caBundle before it signs
// the serving certificate, and the old one leaves only after, so no request fails.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import {
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
} from "../../testing/index.js";
import { FAST_POLICY as fast, probeKind, trafficUntil } from "./webhooks.testkit.js";

const Probe = probeKind("rotation.capstan.test");
const S = 1000;

let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
let op: RunningOperator;
let calls = 0;

before(async () => {
  const cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ns = await testNamespace(kube, "rot");
  op = await runOperator(
    (o) =>
      void o.admission(Probe).validate({
        create: () => {
          calls++;
        },
      }),
    {
      kubeconfig: cp.kubeconfig,
      crds: [Probe],
      namespaces: [ns.name],
      webhooks: { policy: fast },
    },
  );
});

after(async () => {
  await op?.stop();
  await ns?.dispose();
});

const VWC = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingWebhookConfiguration",
} as const;

async function trustedCas(): Promise<string[]> {
  const port = op.operator.webhookPort!;
  const { items } = await kube.list(VWC);
  const ours = items
    .flatMap(
      (c) =>
        (c as { webhooks?: { clientConfig: { url?: string; caBundle: string } }[] }).webhooks ?? [],
    )
    .find((w) => w.clientConfig.url?.startsWith(`https://127.0.0.1:${port}/`))!;
  const pem = Buffer.from(ours.clientConfig.caBundle, "base64").toString();
  return pem
    .split(/(?<=-----END CERTIFICATE-----\n)/)
    .filter(Boolean)
    .map((c) => new X509Certificate(c).fingerprint256);
}

test("a CA rotation while requests flow loses no request", async () => {
  const [first] = await trustedCas();
  const { sent, failures, done } = await trafficUntil(
    kube,
    Probe,
    ns.name,
    async () => !(await trustedCas()).includes(first!),
    30 * S,
  );
  assert.ok(done, "the first CA was rotated out within 30 s");
  assert.deepEqual(failures, []);
  assert.equal(calls, sent, "every request reached the webhook");
});
