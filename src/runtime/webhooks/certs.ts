/**
 * The webhook server's certificates, made in-process: a CA (what the API server trusts, the
 * `caBundle`) and a serving certificate it signs. ECDSA P-256 keys from node:crypto;
 * certificates from @peculiar/x509, because node:crypto parses certificates but cannot issue
 * them.
 *
 * The module is loaded only by an operator that serves webhooks (server.ts imports it
 * lazily): @peculiar/x509 needs the reflect-metadata global, which no other operator should
 * get.
 */
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** A certificate with its key, as PEM, and its validity (ms since the epoch). */
export interface CertPem {
  cert: string;
  key: string;
  notBefore: number;
  notAfter: number;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // a positive serial, as RFC 5280 asks
  return b.toString("hex");
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

// A minute of backdating absorbs clock skew between the operator and the API server.
const SKEW_MS = 60_000;

export async function createCa(opts: {
  now: number;
  validityMs: number;
  name: string;
}): Promise<CertPem> {
  const keys = await keyPair();
  const notBefore = opts.now - SKEW_MS;
  const notAfter = opts.now + opts.validityMs;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    // The serial in the name keeps two CAs of one operator apart in a bundle.
    name: `CN=${opts.name} webhook CA ${serial().slice(0, 8)}`,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString("pem"), key: await keyPem(keys.privateKey), notBefore, notAfter };
}

export async function issueServing(
  ca: CertPem,
  opts: { now: number; validityMs: number; ips: string[]; dns: string[] },
): Promise<CertPem> {
  const caCert = new x509.X509Certificate(ca.cert);
  const der = x509.PemConverter.decode(ca.key)[0]!;
  const caKey = await webcrypto.subtle.importKey("pkcs8", der, ALG, false, ["sign"]);
  const keys = await keyPair();
  const notBefore = opts.now - SKEW_MS;
  // A leaf never outlives its CA: a client would refuse the chain the moment the CA expires.
  const notAfter = Math.min(opts.now + opts.validityMs, ca.notAfter);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${opts.dns[0] ?? opts.ips[0] ?? "webhook"}`,
    issuer: caCert.subject,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      new x509.SubjectAlternativeNameExtension([
        ...opts.ips.map((value) => ({ type: "ip" as const, value })),
        ...opts.dns.map((value) => ({ type: "dns" as const, value })),
      ]),
    ],
  });
  return { cert: cert.toString("pem"), key: await keyPem(keys.privateKey), notBefore, notAfter };
}
