// `capstan run --install-crds --local-webhooks` (what `capstan dev` runs) with a resource that
// has converters: the CRD it installs carries a placeholder address, and the operator points
// it at itself once installed, so a write at the old version and a read at the new one work.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KubeClient } from "../client/client.js";
import {
  eventually,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../testing/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const GROUP = "runconvert.capstan.test";
let cp: TestControlPlane;
let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
let dir: string;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ns = await testNamespace(kube, "runconv");
  dir = mkdtempSync(path.join(os.tmpdir(), "capstan-runconv-"));
  const capstan = pathToFileURL(path.join(here, "..", "index.js")).href;
  writeFileSync(
    path.join(dir, "operator.mjs"),
    `import { defineOperator, defineResource, z } from ${JSON.stringify(capstan)};
export const Dial = defineResource({
  group: ${JSON.stringify(GROUP)},
  kind: "Dial",
  versions: {
    v1alpha1: { spec: z.object({ percent: z.number() }) },
    v1: { storage: true, spec: z.object({ ratio: z.number() }) },
  },
  convert: {
    v1alpha1: {
      toHub: ({ spec }) => ({ spec: { ratio: spec.percent / 100 } }),
      fromHub: ({ spec }) => ({ spec: { percent: spec.ratio * 100 } }),
    },
  },
});
export default defineOperator((op) => {
  op.on(Dial).create(() => undefined);
}, { name: "runconv" });
`,
  );
});

after(async () => {
  await kube
    ?.delete({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name: `dials.${GROUP}`,
    })
    .catch(() => undefined);
  await ns?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test("capstan run --install-crds --local-webhooks points the CRD it installs at its conversion webhook", async () => {
  const child = spawn(
    process.execPath,
    [
      path.join(here, "main.js"),
      "run",
      path.join(dir, "operator.mjs"),
      "--kubeconfig",
      cp.kubeconfig,
      "-n",
      ns.name,
      "--install-crds",
      "--local-webhooks",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = new Promise((r) => child.once("exit", r));
  try {
    await eventually(() =>
      kube.create({
        apiVersion: `${GROUP}/v1alpha1`,
        kind: "Dial",
        metadata: { name: "half", namespace: ns.name },
        spec: { percent: 50 },
      }),
    );
    const v1 = await kube.get<
      { apiVersion: string; kind: string; namespace: string; name: string },
      { spec: unknown }
    >({ apiVersion: `${GROUP}/v1`, kind: "Dial", namespace: ns.name, name: "half" });
    assert.deepEqual(v1.spec, { ratio: 0.5 });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
});
