/**
 * The local control plane's public-key infrastructure: one throwaway CA per cluster, a
 * serving certificate for kube-apiserver, client certificates for the admin and the
 * control-plane components, and the service-account signing key.
 *
 * Keys are ECDSA P-256 from node:crypto (fast to generate, accepted by every component);
 * certificates are built with @peculiar/x509 because node:crypto can parse certificates
 * but not issue them.
 */
// @peculiar/x509 resolves its ASN.1 codecs through tsyringe, which needs this polyfill.
// Only the supervisor process loads this module, so the global it adds stays there.
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface KeyPairPem {
  cert: string;
  key: string;
}

export interface Pki {
  ca: KeyPairPem;
  /** Serving certificate of kube-apiserver. */
  apiserver: KeyPairPem;
  /** Client identity in group system:masters. */
  admin: KeyPairPem;
  controllerManager: KeyPairPem;
  scheduler: KeyPairPem;
  /** Service-account token signing key (PKCS#8) and its public half (SPKI). */
  serviceAccount: { key: string; pub: string };
}

function serial(): string {
  // Positive 16-byte serial, as RFC 5280 asks.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString("hex");
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

interface Leaf {
  subject: string;
  usage: "server" | "client";
  ips?: string[];
  dns?: string[];
}

async function issue(
  ca: { cert: x509.X509Certificate; keys: CryptoKeyPair },
  leaf: Leaf,
): Promise<KeyPairPem> {
  const keys = await keyPair();
  const now = Date.now();
  const ext: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(
      [
        leaf.usage === "server"
          ? x509.ExtendedKeyUsage.serverAuth
          : x509.ExtendedKeyUsage.clientAuth,
      ],
      false,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
  ];
  if (leaf.ips || leaf.dns) {
    ext.push(
      new x509.SubjectAlternativeNameExtension([
        ...(leaf.ips ?? []).map((value) => ({ type: "ip" as const, value })),
        ...(leaf.dns ?? []).map((value) => ({ type: "dns" as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: leaf.subject,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * DAY),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: ext,
  });
  return { cert: cert.toString("pem"), key: await keyPem(keys.privateKey) };
}

/** Create a fresh CA and every certificate one local control plane needs. */
export async function createPki(): Promise<Pki> {
  const caKeys = await keyPair();
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=capstan-local-ca",
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * DAY),
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const ca = { cert: caCert, keys: caKeys };
  const [apiserver, admin, controllerManager, scheduler, sa] = await Promise.all([
    issue(ca, {
      subject: "CN=kube-apiserver",
      usage: "server",
      ips: ["127.0.0.1", "10.0.0.1"],
      dns: [
        "localhost",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
      ],
    }),
    issue(ca, { subject: "CN=capstan-admin, O=system:masters", usage: "client" }),
    issue(ca, { subject: "CN=system:kube-controller-manager", usage: "client" }),
    issue(ca, { subject: "CN=system:kube-scheduler", usage: "client" }),
    keyPair(),
  ]);
  const saPub = Buffer.from(await webcrypto.subtle.exportKey("spki", sa.publicKey));
  return {
    ca: { cert: caCert.toString("pem"), key: await keyPem(caKeys.privateKey) },
    apiserver,
    admin,
    controllerManager,
    scheduler,
    serviceAccount: {
      key: await keyPem(sa.privateKey),
      pub: x509.PemConverter.encode(saPub, "PUBLIC KEY"),
    },
  };
}

/** A client certificate signed by a cluster's CA, kept as PEM in its directory: the node's
 * identities are minted when a node is first asked for, not with every cluster. */
export async function issueClientCert(ca: KeyPairPem, subject: string): Promise<KeyPairPem> {
  const cert = new x509.X509Certificate(ca.cert);
  const der = x509.PemConverter.decode(ca.key)[0]!;
  const privateKey = await webcrypto.subtle.importKey("pkcs8", der, ALG, false, ["sign"]);
  const publicKey = await cert.publicKey.export();
  return issue({ cert, keys: { privateKey, publicKey } }, { subject, usage: "client" });
}
