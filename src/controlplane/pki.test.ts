// The throwaway PKI: every certificate chains to the cluster's CA and carries the identity
// and addresses the components rely on.
import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { before, describe, test } from "node:test";
import { createPki, issueClientCert, type Pki } from "./pki.js";

let pki: Pki;
before(async () => {
  pki = await createPki();
});

describe("control-plane PKI", () => {
  test("issues a CA certificate that may sign others", () => {
    const ca = new X509Certificate(pki.ca.cert);
    assert.equal(ca.ca, true);
    assert.ok(ca.verify(ca.publicKey));
  });

  test("signs every leaf with the CA and pairs it with its private key", () => {
    const ca = new X509Certificate(pki.ca.cert);
    for (const leaf of [pki.apiserver, pki.admin, pki.controllerManager, pki.scheduler]) {
      const cert = new X509Certificate(leaf.cert);
      assert.ok(cert.verify(ca.publicKey), cert.subject);
      assert.equal(cert.ca, false);
      assert.ok(cert.checkPrivateKey(createPrivateKey(leaf.key)), cert.subject);
    }
  });

  test("serves kube-apiserver on loopback and the in-cluster service names", () => {
    const cert = new X509Certificate(pki.apiserver.cert);
    assert.ok(cert.checkIP("127.0.0.1"));
    assert.ok(cert.checkIP("10.0.0.1"));
    assert.equal(cert.checkHost("kubernetes.default.svc"), "kubernetes.default.svc");
    assert.equal(cert.checkIP("192.0.2.1"), undefined);
  });

  test("makes the admin a member of system:masters and names each component", () => {
    assert.match(new X509Certificate(pki.admin.cert).subject, /O=system:masters/);
    assert.match(
      new X509Certificate(pki.controllerManager.cert).subject,
      /CN=system:kube-controller-manager/,
    );
    assert.match(new X509Certificate(pki.scheduler.cert).subject, /CN=system:kube-scheduler/);
  });

  test("gives the service-account signer matching private and public halves", () => {
    const fromPrivate = createPublicKey(createPrivateKey(pki.serviceAccount.key)).export({
      type: "spki",
      format: "pem",
    });
    assert.equal(
      fromPrivate,
      createPublicKey(pki.serviceAccount.pub).export({ type: "spki", format: "pem" }),
    );
  });

  test("uses a fresh CA for every cluster", async () => {
    const other = await createPki();
    assert.notEqual(other.ca.cert, pki.ca.cert);
    const ca = new X509Certificate(pki.ca.cert);
    assert.equal(new X509Certificate(other.admin.cert).verify(ca.publicKey), false);
  });

  test("mints a node identity later from the kept CA certificate and key", async () => {
    const node = await issueClientCert(pki.ca, "CN=system:node:capstan-node, O=system:nodes");
    const cert = new X509Certificate(node.cert);
    assert.ok(cert.verify(new X509Certificate(pki.ca.cert).publicKey));
    assert.ok(cert.checkPrivateKey(createPrivateKey(node.key)));
    assert.match(cert.subject, /CN=system:node:capstan-node/);
    assert.match(cert.subject, /O=system:nodes/);
  });
});
