// `capstan run --local-webhooks` (what `capstan dev` runs): the operator serves its admission
// handlers on 127.0.0.1 and registers them with the local control plane; on SIGTERM it
// removes the configurations again.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KubeClient } from "../client/client.js";
import { NotFoundError } from "../client/errors.js";
import {
  eventually,
  kubectl,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../testing/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
let cp: TestControlPlane;
let kube: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
let fixture: string;

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ns = await testNamespace(kube, "runwh");
  fixture = path.join(mkdtempSync(path.join(os.tmpdir(), "capstan-runwh-")), "operator.mjs");
  const capstan = pathToFileURL(path.join(here, "..", "index.js")).href;
  writeFileSync(
    fixture,
    `import { defineOperator, deny } from ${JSON.stringify(capstan)};
export default defineOperator((op) => {
  op.admission({ apiVersion: "v1", kind: "ConfigMap" }).validate({
    create: ({ object }) => object.data?.color === "red" ? deny("red is not allowed", "data.color") : undefined,
  });
}, { name: "runwh" });
`,
  );
});

after(async () => {
  await ns?.dispose();
});

const redConfigMap = JSON.stringify({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "red" },
  data: { color: "red" },
});

test("capstan run --local-webhooks serves a ConfigMap validator and removes it on SIGTERM", async () => {
  const child = spawn(
    process.execPath,
    [
      path.join(here, "main.js"),
      "run",
      fixture,
      "--kubeconfig",
      cp.kubeconfig,
      "-n",
      ns.name,
      "--local-webhooks",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = new Promise((r) => child.once("exit", r));
  try {
    await eventually(async () => {
      const r = await kubectl(cp, ["create", "-n", ns.name, "--dry-run=server", "-f", "-"], {
        input: redConfigMap,
      });
      assert.match(r.stderr, /data\.color: red is not allowed/);
    });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  await assert.rejects(
    kube.get({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      name: "runwh-local-webhooks",
    }),
    NotFoundError,
  );
});
