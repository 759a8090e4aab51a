// A `capstan run --local-webhooks` that is SIGKILLed cannot remove its configuration: the
// API server keeps calling a dead port. With failurePolicy Fail that must block only the
// operator's own kind, outside the operator's own namespace, and only until the next start
// takes the configuration over.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KubeClient } from "../client/client.js";
import { NotFoundError } from "../client/errors.js";
import type { AnyResource } from "../core/crd/index.js";
import type { CustomResourceDefinition } from "../core/crd/manifest.js";
import { installCrds } from "../runtime/operator/crds.js";
import {
  eventually,
  kubectl,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../testing/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const VWC = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingWebhookConfiguration",
  name: "runwhkill-local-webhooks",
} as const;
let cp: TestControlPlane;
let kube: KubeClient;
let tenant: { name: string; dispose(): Promise<void> };
let own: { name: string; dispose(): Promise<void> };
let fixture: string;
let child: ChildProcess | undefined;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  tenant = await testNamespace(kube, "runwhk");
  own = await testNamespace(kube, "runwhk-op");
  fixture = path.join(mkdtempSync(path.join(os.tmpdir(), "capstan-runwhk-")), "operator.mjs");
  const capstan = pathToFileURL(path.join(here, "..", "index.js")).href;
  writeFileSync(
    fixture,
    `import { defineOperator, defineResource, deny, z } from ${JSON.stringify(capstan)};
export const Gadget = defineResource({
  group: "runwhkill.capstan.test",
  version: "v1",
  kind: "Gadget",
  spec: z.object({ size: z.number().int() }),
});
export default defineOperator((op) => {
  op.admission(Gadget).validate({
    create: ({ object }) => object.spec.size > 10 ? deny("must be at most 10", "spec.size") : undefined,
  });
}, { name: "runwhkill" });
`,
  );
  const mod = (await import(pathToFileURL(fixture).href)) as {
    Gadget: AnyResource & { crd(): CustomResourceDefinition };
  };
  await installCrds(kube, [mod.Gadget]);
  // Serve on every namespace (no -n), from "inside" the operator's own namespace.
  start();
  await served();
  child!.kill("SIGKILL");
  await exited();
});

after(async () => {
  child?.kill("SIGKILL");
  await exited();
  await kube?.delete(VWC).catch(() => undefined);
  await tenant?.dispose();
  await own?.dispose();
  if (fixture) rmSync(path.dirname(fixture), { recursive: true, force: true });
});

function start() {
  child = spawn(
    process.execPath,
    [path.join(here, "main.js"), "run", fixture, "--kubeconfig", cp.kubeconfig, "--local-webhooks"],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, POD_NAMESPACE: own.name } },
  );
}

async function exited() {
  const c = child;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  await new Promise((r) => c.once("exit", r));
}

const gadget = (size: number) =>
  JSON.stringify({
    apiVersion: "runwhkill.capstan.test/v1",
    kind: "Gadget",
    metadata: { generateName: "g-" },
    spec: { size },
  });

const create = (ns: string, input: string, dryRun = false) =>
  kubectl(cp, ["create", "-n", ns, ...(dryRun ? ["--dry-run=server"] : []), "-f", "-"], {
    input,
  });

/** Until the API server calls the running operator's webhook. */
const served = () =>
  eventually(async () => {
    const r = await create(tenant.name, gadget(11), true);
    assert.match(r.stderr, /spec\.size: must be at most 10/);
  });

test("a stopped webhook with failurePolicy Fail refuses creates of its kind in a tenant namespace", async () => {
  const r = await create(tenant.name, gadget(1));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /failed calling webhook/);
});

test("a stopped webhook does not block other kinds in the same namespace", async () => {
  const r = await create(
    tenant.name,
    JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cm-" } }),
  );
  assert.equal(r.code, 0, r.stderr);
});

test("a stopped webhook never blocks its kind in the operator's own namespace", async () => {
  const r = await create(own.name, gadget(1));
  assert.equal(r.code, 0, r.stderr);
});

test("the next capstan run --local-webhooks takes over the configuration a SIGKILLed run left, and SIGTERM removes it", async () => {
  start();
  try {
    await served();
  } finally {
    child!.kill("SIGTERM");
    await exited();
  }
  await assert.rejects(kube.get(VWC), NotFoundError);
});
