// `capstan deploy --local` of an operator with admission handlers, on a cluster with a real
// node: the generated base, applied with nothing changed but the image, runs two replicas
// that share their certificates through the Secret, and the API server reaches them through
// the Service: a bad object is refused with the handler's message, a default is stored.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { KubeClient } from "../client/index.js";
import { InvalidError } from "../client/errors.js";
import {
  eventually,
  kubectl,
  nodeUnavailable,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../testing/index.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, "main.js");
const GATEKEEPER = fileURLToPath(
  new URL("../../../src/cli/testdata/gatekeeper/operator.ts", import.meta.url),
);
const GATE = { apiVersion: "gates.capstan.test/v1", kind: "Gate" } as const;

if (nodeUnavailable() === undefined) {
  const id = `gk-${Math.random().toString(16).slice(2, 8)}`;
  const name = `${id}-operator`;
  const ns = `${id}-system`;
  const out = mkdtempSync(path.join(os.tmpdir(), "capstan-deploy-webhooks-"));
  let cp: TestControlPlane;
  let kube: KubeClient;
  let apps: { name: string; dispose(): Promise<void> };
  let printed = "";

  before(async () => {
    cp = await useControlPlane({ node: true });
    kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
    apps = await testNamespace(kube, "gates");
    try {
      const r = await run(
        process.execPath,
        [
          ...[MAIN, "deploy", "--local", GATEKEEPER, "--cluster-dir", cp.dir, "--out", out],
          ...["--name", name, "--replicas", "2", "--install-crds", "-n", apps.name],
          ...["--timeout", "150"],
        ],
        { timeout: 240_000 },
      );
      printed = r.stdout;
    } catch (e) {
      // What the Pods said is what tells why they are not Ready.
      const pods = await kubectl(cp, ["get", "pods", "-n", ns, "-o", "wide"]);
      const logs = await kubectl(cp, ["logs", "-n", ns, `deployment/${name}`, "--tail=40"]);
      throw new Error(`${String(e)}\n${pods.stdout}\n${logs.stdout}${logs.stderr}`, { cause: e });
    }
  });
  after(async () => {
    // Cluster-scoped objects the base made; the namespaces go with their contents.
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"])
      await kube
        .delete({ apiVersion: "admissionregistration.k8s.io/v1", kind, name })
        .catch(() => undefined);
    await apps?.dispose();
    await kubectl(cp, ["delete", "namespace", ns, "--wait=false"]);
    for (const n of [name, `${name}-webhooks`])
      for (const kind of ["ClusterRoleBinding", "ClusterRole"])
        await kube
          .delete({ apiVersion: "rbac.authorization.k8s.io/v1", kind, name: n })
          .catch(() => undefined);
    await kube
      .delete({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        name: "gates.gates.capstan.test",
      })
      .catch(() => undefined);
    rmSync(out, { recursive: true, force: true });
  });

  describe("capstan deploy --local with admission handlers", () => {
    test("both replicas become Ready serving webhooks, with the CA of the Secret in the configurations", async (t) => {
      t.diagnostic(printed.trimEnd());
      assert.match(printed, new RegExp(`^Deployment ${ns}/${name} is Ready in`, "m"));
      const secret = await kube.get({
        apiVersion: "v1",
        kind: "Secret",
        namespace: ns,
        name: `${name}-webhook-certs`,
      });
      const vwc = (await kube.get({
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        name,
      })) as Obj;
      assert.equal(vwc.webhooks[0].clientConfig.caBundle, secret.data!["ca.crt"]);
    });

    test("a red Gate is refused through the Service with the handler's message", async () => {
      await eventually(
        async () => {
          const e = await kube
            .create({
              ...GATE,
              metadata: { name: "red", namespace: apps.name },
              spec: { color: "red" },
            })
            .then(
              () => undefined,
              (err: unknown) => err,
            );
          assert.ok(e instanceof InvalidError, `refused: ${String(e)}`);
          assert.match(e.message, /spec\.color: red gates are not allowed/);
        },
        { timeoutMs: 30_000, what: "a red Gate refused by the webhook" },
      );
    });

    test("a Gate without a color is stored with the default the mutating handler gives", async () => {
      const g = (await kube.create({
        ...GATE,
        metadata: { name: "plain", namespace: apps.name },
        spec: {},
      })) as Obj;
      assert.equal(g.spec.color, "green");
    });
  });
}
