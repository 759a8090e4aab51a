// Two replicas of one operator sharing their webhook certificates through a Secret: both
// serve the certificate it holds, and a CA rotation that one of them makes while requests
// flow through both leaves both serving.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import {
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
} from "../../testing/index.js";
import { FAST_POLICY, probeKind, servedFingerprint, trafficUntil } from "./webhooks.testkit.js";

const Probe = probeKind("replicas.capstan.test");
const S = 1000;
const SECRET = "probe-webhook-certs";

let kubeconfig: string;
let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
const replicas: RunningOperator[] = [];
const calls = [0, 0];

before(async () => {
  const cp = await useControlPlane();
  kubeconfig = cp.kubeconfig;
  kube = await KubeClient.fromKubeconfig({ path: kubeconfig });
  ns = await testNamespace(kube, "replicas");
  for (const i of [0, 1])
    replicas.push(
      await runOperator(
        (o) =>
          void o.admission(Probe).validate({
            create: () => {
              calls[i]!++;
            },
          }),
        {
          kubeconfig,
          crds: [Probe],
          namespaces: [ns.name],
          webhooks: {
            policy: FAST_POLICY,
            certs: { secret: { namespace: ns.name, name: SECRET } },
          },
        },
      ),
    );
});

after(async () => {
  for (const r of replicas) await r.stop();
  await ns?.dispose();
});

async function secretCerts(): Promise<{ cas: string[]; leaf: string }> {
  const s = await kube.get({ apiVersion: "v1", kind: "Secret", namespace: ns.name, name: SECRET });
  const text = (k: string) => Buffer.from(s.data![k]!, "base64").toString();
  return {
    cas: text("ca.crt")
      .split(/(?<=-----END CERTIFICATE-----\n)/)
      .filter(Boolean)
      .map((c) => new X509Certificate(c).fingerprint256),
    leaf: new X509Certificate(text("tls.crt")).fingerprint256,
  };
}

const served = (r: RunningOperator) => servedFingerprint(r.operator.webhookPort!);

test("two replicas sharing the Secret serve the certificate it holds", async () => {
  await eventually(async () => {
    const { leaf } = await secretCerts();
    assert.deepEqual(await Promise.all(replicas.map(served)), [leaf, leaf]);
  });
});

test("a CA rotation made by one replica while requests flow through both loses no request", async () => {
  const [first] = (await secretCerts()).cas;
  calls.fill(0);
  const { sent, failures, done } = await trafficUntil(
    kube,
    Probe,
    ns.name,
    async () => !(await secretCerts()).cas.includes(first!),
    40 * S,
  );
  assert.ok(done, "the first CA was rotated out within 40 s");
  assert.deepEqual(failures, []);
  assert.deepEqual(calls, [sent, sent], "every request reached both replicas");
});

test("a Secret of that name that Capstan did not make is refused, naming it", async () => {
  const name = "foreign-certs";
  await kube.create({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: ns.name },
    stringData: { "tls.crt": "theirs" },
  });
  await assert.rejects(
    runOperator((o) => void o.admission(Probe).validate({ create: () => {} }), {
      kubeconfig,
      namespaces: [ns.name],
      webhooks: { certs: { secret: { namespace: ns.name, name } } },
    }),
    new RegExp(`Secret ${ns.name}/${name} exists and is not Capstan's`),
  );
});
