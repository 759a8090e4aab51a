import assert from "node:assert/strict";
import { test } from "node:test";
import { CertAuthority } from "./authority.js";
import { withBundle } from "./ca-bundle.js";
import { readState, secretOf, STATE_KEY } from "./secret-store.js";

const DAY = 24 * 60 * 60 * 1000;
const names = { name: "t", ips: ["127.0.0.1"], dns: ["svc.ns.svc"] };
const ref = { namespace: "ops", name: "op-webhook-certs" };

async function made(now = Date.now()) {
  const a = new CertAuthority({ ...names, now: () => now });
  await a.reconcile();
  return a;
}

test("a replica that loads another's Secret serves the same CA and certificate without rotating", async () => {
  const first = await made();
  const secret = secretOf(ref, first.state(), first.current);
  const second = new CertAuthority({ ...names, state: readState(secret) });
  assert.equal((await second.reconcile()).changed, false);
  assert.deepEqual(second.current, first.current);
});

test("a certificate issued for other names is issued again, under the same CA", async () => {
  const first = await made();
  const other = new CertAuthority({
    ...names,
    dns: ["other.ns.svc"],
    state: readState(secretOf(ref, first.state(), first.current)),
  });
  assert.equal((await other.reconcile()).changed, true);
  assert.equal(other.current.caBundle, first.current.caBundle);
  assert.notEqual(other.current.cert, first.current.cert);
});

test("a replica that loads a Secret due for rotation rotates from its state", async () => {
  const t0 = Date.now();
  const first = await made(t0);
  const later = new CertAuthority({
    ...names,
    now: () => t0 + 25 * DAY,
    state: readState(secretOf(ref, first.state(), first.current)),
  });
  assert.equal((await later.reconcile()).changed, true);
  assert.equal(later.current.caBundle, first.current.caBundle);
  assert.notEqual(later.current.cert, first.current.cert);
});

test("a Secret of that name without Capstan's label is refused, naming it", () => {
  const foreign = {
    apiVersion: "v1" as const,
    kind: "Secret" as const,
    metadata: { ...ref, labels: { app: "theirs" } },
    data: {},
  };
  assert.throws(
    () => readState(foreign),
    /Secret ops\/op-webhook-certs exists and is not Capstan's/,
  );
});

test("Capstan's empty Secret (from generate deploy) has no state yet", () => {
  const empty = {
    apiVersion: "v1" as const,
    kind: "Secret" as const,
    metadata: { ...ref, labels: { "app.kubernetes.io/managed-by": "capstan" } },
  };
  assert.equal(readState(empty), undefined);
});

test("an unreadable state names the Secret and the key", () => {
  const bad = {
    apiVersion: "v1" as const,
    kind: "Secret" as const,
    metadata: { ...ref, labels: { "app.kubernetes.io/managed-by": "capstan" } },
    data: { [STATE_KEY]: Buffer.from("{nope").toString("base64") },
  };
  assert.throws(() => readState(bad), /Secret ops\/op-webhook-certs data\.capstan-state\.json/);
});

test("the Secret keeps the labels it had and shows the certificates as tls.crt, tls.key, ca.crt", async () => {
  const a = await made();
  const s = secretOf({ ...ref, labels: { "app.kubernetes.io/name": "op" } }, a.state(), a.current);
  assert.equal(s.metadata.labels?.["app.kubernetes.io/name"], "op");
  const text = (k: string) => Buffer.from(s.data![k]!, "base64").toString();
  assert.equal(text("tls.crt"), a.current.cert);
  assert.equal(text("ca.crt"), a.current.caBundle);
});

test("the bundle is written into every webhook of a configuration, and not again when it has it", () => {
  const c = {
    metadata: { name: "op" },
    webhooks: [
      { name: "a", clientConfig: {} },
      { name: "b", clientConfig: { caBundle: "old" } },
    ],
  };
  const updated = withBundle(c, "new")!;
  assert.deepEqual(
    updated.webhooks.map((w) => w.clientConfig.caBundle),
    ["new", "new"],
  );
  assert.equal(withBundle(updated, "new"), undefined);
});
