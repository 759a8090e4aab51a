import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { test } from "node:test";
import { CertAuthority } from "./authority.js";
import { DEFAULT_POLICY } from "./rotation.js";

const DAY = 24 * 60 * 60 * 1000;

/** The CAs of a bundle, oldest first. */
const bundle = (pem: string) =>
  pem
    .split(/(?<=-----END CERTIFICATE-----\n)/)
    .filter(Boolean)
    .map((c) => new X509Certificate(c));

const signedBy = (leaf: string, ca: X509Certificate) =>
  new X509Certificate(leaf).verify(ca.publicKey);

test("the serving certificate is for 127.0.0.1 and signed by the CA in the bundle", async () => {
  const a = new CertAuthority({ name: "t", ips: ["127.0.0.1"], dns: ["localhost"] });
  await a.reconcile();
  const { caBundle, cert } = a.current;
  const [ca, ...rest] = bundle(caBundle);
  assert.deepEqual(rest, []);
  assert.ok(signedBy(cert, ca!));
  assert.equal(new X509Certificate(cert).checkIP("127.0.0.1"), "127.0.0.1");
  assert.equal(ca!.ca, true);
});

test("a CA rotation trusts both CAs while the serving certificate moves to the new one", async () => {
  let now = Date.UTC(2026, 0, 1);
  const a = new CertAuthority({ name: "t", ips: ["127.0.0.1"], dns: [], now: () => now });
  await a.reconcile();
  const first = a.current;
  // Renew the CA: the new one joins the bundle, the old one still signs what is served.
  now += DEFAULT_POLICY.caValidityMs - DEFAULT_POLICY.caRenewBeforeMs;
  assert.equal((await a.reconcile()).changed, true);
  const [oldCa, newCa] = bundle(a.current.caBundle);
  assert.ok(newCa && signedBy(a.current.cert, oldCa!));
  // Once the new CA has been trusted for the overlap, it signs the serving certificate...
  now += DEFAULT_POLICY.overlapMs;
  await a.reconcile();
  assert.ok(signedBy(a.current.cert, newCa));
  assert.equal(bundle(a.current.caBundle).length, 2);
  // ...and after another overlap the old CA leaves the bundle.
  now += DEFAULT_POLICY.overlapMs;
  await a.reconcile();
  assert.deepEqual(
    bundle(a.current.caBundle).map((c) => c.fingerprint256),
    [newCa.fingerprint256],
  );
  assert.notEqual(a.current.cert, first.cert);
});

test("nothing changes while nothing is due, and the next look is when the leaf needs renewal", async () => {
  let now = 0;
  const a = new CertAuthority({ name: "t", ips: ["127.0.0.1"], dns: [], now: () => now });
  await a.reconcile();
  now = DAY;
  const r = await a.reconcile();
  assert.deepEqual(r, {
    changed: false,
    next: DEFAULT_POLICY.leafValidityMs - DEFAULT_POLICY.leafRenewBeforeMs,
  });
});
