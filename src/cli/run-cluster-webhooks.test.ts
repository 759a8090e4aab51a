import assert from "node:assert/strict";
import { test } from "node:test";
import { clusterWebhooks, crdToInstall } from "./run-cluster-webhooks.js";

test("the generated flags serve on all interfaces with the Secret's certificates, for the Service's names", () => {
  const o = clusterWebhooks(
    {
      webhookPort: 9443,
      webhookService: "op-webhook",
      webhookSecret: "op-webhook-certs",
      webhookConfiguration: "op",
    },
    "op-system",
  );
  assert.deepEqual(o, {
    host: "0.0.0.0",
    port: 9443,
    dns: ["op-webhook.op-system.svc", "op-webhook.op-system.svc.cluster.local"],
    certs: { secret: { namespace: "op-system", name: "op-webhook-certs" } },
    inject: { name: "op" },
  });
});

test("a webhook port without a Secret or a certificate directory is refused, naming both", () => {
  assert.throws(
    () => clusterWebhooks({ webhookPort: 9443 }, "ns"),
    /--webhook-port needs --webhook-secret <name> or --webhook-cert-dir <dir>/,
  );
});

test("without a webhook port nothing is served in the cluster way", () => {
  assert.equal(clusterWebhooks({ webhookSecret: "s" }, "ns"), undefined);
});

test("with a webhook Service, --install-crds sends a CRD's conversions to it, at the CRD's path", async () => {
  const { Bucket } = await import("../../examples/versions/operator.js");
  const flags = { webhookPort: 9443, webhookService: "op-webhook", webhookSecret: "s" };
  const crd = crdToInstall(Bucket.crd(), flags, "op-system");
  const conversion = crd.spec.conversion;
  assert.ok(conversion?.strategy === "Webhook");
  assert.deepEqual(conversion.webhook.clientConfig, {
    service: {
      namespace: "op-system",
      name: "op-webhook",
      port: 443,
      path: "/convert/storage.example.com/buckets",
    },
  });
});

test("without a webhook Service, --install-crds applies the CRD as the definition builds it", async () => {
  const { Bucket } = await import("../../examples/versions/operator.js");
  assert.deepEqual(crdToInstall(Bucket.crd(), {}, "op-system"), Bucket.crd());
});
