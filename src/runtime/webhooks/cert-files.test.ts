// Certificate files that something else renews (cert-manager through a Secret volume): the
// webhook server presents the new certificate to new connections once the files change,
// whether rewritten in place or swapped the kubelet's way (a `..data` symlink renamed).
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import {
  eventually,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
} from "../../testing/index.js";
import { createCa, issueServing, type CertPem } from "./certs.js";
import { readCertDir } from "./cert-files.js";
import { probeKind, servedFingerprint } from "./webhooks.testkit.js";

const Probe = probeKind("files.capstan.test");

const DAY = 24 * 60 * 60 * 1000;
let ca: CertPem;
let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
const dirs: string[] = [];
const running: RunningOperator[] = [];

async function leaf(): Promise<CertPem> {
  return issueServing(ca, { now: Date.now(), validityMs: DAY, ips: ["127.0.0.1"], dns: [] });
}

function files(dir: string, l: CertPem): void {
  writeFileSync(path.join(dir, "tls.crt"), l.cert);
  writeFileSync(path.join(dir, "tls.key"), l.key);
  writeFileSync(path.join(dir, "ca.crt"), ca.cert);
}

/** A Secret volume as the kubelet lays it out: files behind a `..data` symlink. */
function kubeletSwap(dir: string, l: CertPem, n: number): void {
  const ts = path.join(dir, `..2026_12_02_${n}`);
  mkdirSync(ts);
  files(ts, l);
  symlinkSync(path.basename(ts), path.join(dir, "..data_tmp"));
  renameSync(path.join(dir, "..data_tmp"), path.join(dir, "..data"));
  if (n === 1)
    for (const f of ["tls.crt", "tls.key", "ca.crt"])
      symlinkSync(path.join("..data", f), path.join(dir, f));
}

const served = (r: RunningOperator) => servedFingerprint(r.operator.webhookPort!, ca.cert);

const fingerprint = (l: CertPem) => new X509Certificate(l.cert).fingerprint256;

async function serve(dir: string): Promise<RunningOperator> {
  const cp = await useControlPlane();
  const r = await runOperator((o) => void o.admission(Probe).validate({ create: () => {} }), {
    kubeconfig: cp.kubeconfig,
    crds: [Probe],
    namespaces: [ns.name],
    // A check far away: what is caught is caught by the watch.
    webhooks: { certs: { dir, pollMs: 10 * 60_000 } },
  });
  running.push(r);
  return r;
}

before(async () => {
  const cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ns = await testNamespace(kube, "certfiles");
  ca = await createCa({ now: Date.now(), validityMs: 2 * DAY, name: "files" });
});

after(async () => {
  for (const r of running) await r.stop();
  await ns?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), "capstan-certs-"));
  dirs.push(d);
  return d;
}

test("certificate files rewritten while serving are presented to new connections", async () => {
  const dir = tempDir();
  const one = await leaf();
  files(dir, one);
  const r = await serve(dir);
  assert.equal(await served(r), fingerprint(one));
  const two = await leaf();
  files(dir, two);
  await eventually(async () => assert.equal(await served(r), fingerprint(two)));
});

test("a Secret volume's symlink swap is caught and the new certificate presented", async () => {
  const dir = tempDir();
  const one = await leaf();
  kubeletSwap(dir, one, 1);
  const r = await serve(dir);
  assert.equal(await served(r), fingerprint(one));
  const two = await leaf();
  kubeletSwap(dir, two, 2);
  await eventually(async () => assert.equal(await served(r), fingerprint(two)));
});

test("a key that does not match the certificate is refused, naming the file", async () => {
  const dir = tempDir();
  files(dir, await leaf());
  writeFileSync(path.join(dir, "tls.key"), (await leaf()).key);
  await assert.rejects(readCertDir(dir), /tls\.key is not the key of .*tls\.crt/);
});
