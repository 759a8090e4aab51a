// /readyz of an operator that serves webhooks: the Service sends reviews only to Ready Pods,
// so Ready means the webhook server listens with a certificate that is still valid.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { runOperator, testNamespace, useControlPlane } from "../../testing/index.js";
import { createCa, issueServing, type CertPem } from "./certs.js";
import { probeKind } from "./webhooks.testkit.js";

const Probe = probeKind("ready.capstan.test");
const DAY = 24 * 60 * 60 * 1000;
let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
const dirs: string[] = [];

before(async () => {
  kube = await KubeClient.fromKubeconfig({ path: (await useControlPlane()).kubeconfig });
  ns = await testNamespace(kube, "ready");
});

after(async () => {
  await ns?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A directory with a serving certificate issued at `now` for `validityMs`, and its CA. */
async function certDir(now: number, validityMs: number): Promise<string> {
  const ca: CertPem = await createCa({ now, validityMs: 10 * DAY, name: "ready" });
  const leaf = await issueServing(ca, { now, validityMs, ips: ["127.0.0.1"], dns: [] });
  const dir = mkdtempSync(path.join(tmpdir(), "capstan-ready-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "tls.crt"), leaf.cert);
  writeFileSync(path.join(dir, "tls.key"), leaf.key);
  writeFileSync(path.join(dir, "ca.crt"), ca.cert);
  return dir;
}

async function readyz(dir: string): Promise<{ code: number; body: string }> {
  const op = await runOperator((o) => void o.admission(Probe).validate({ create: () => {} }), {
    kubeconfig: (await useControlPlane()).kubeconfig,
    crds: [Probe],
    namespaces: [ns.name],
    health: { port: 0 },
    webhooks: { certs: { dir } },
  });
  try {
    const res = await fetch(`${op.healthUrl()!}/readyz`);
    return { code: res.status, body: await res.text() };
  } finally {
    await op.stop();
  }
}

test("an operator with only webhooks is Ready once its server listens with a valid certificate", async () => {
  const { code } = await readyz(await certDir(Date.now(), DAY));
  assert.equal(code, 200);
});

test("an expired serving certificate makes /readyz fail, saying so", async () => {
  const { code, body } = await readyz(await certDir(Date.now() - 3 * DAY, DAY));
  assert.equal(code, 503);
  assert.match(body, /webhook server: its serving certificate expired at/);
});
