// `capstan build image` on a cluster with a real node (Linux, root): the Printer example's
// image, imported without a registry, runs in a Pod made from the generated Deployment's Pod
// template — numeric non-root user, read-only root filesystem, no capabilities, in a namespace
// that enforces the restricted Pod Security Standard. The API server need not be reachable
// from the Pod: the operator logs that it starts before it waits for it.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Pod, PodSpec } from "kubernetes-types/core/v1.js";
import { KubeClient } from "../client/index.js";
import { readNodeRuntime } from "../controlplane/index.js";
import {
  eventually,
  kubectlOk,
  nodeUnavailable,
  testNamespace,
  useControlPlane,
  type TestControlPlane,
} from "../testing/index.js";
import { buildImage, type BuiltImage } from "./build-image.js";
import { HEALTH_PORT } from "./deploy.js";
import { deploymentObject } from "./deploy-manifests.js";

const run = promisify(execFile);
const PRINTER = fileURLToPath(new URL("../../../examples/printer", import.meta.url));

if (nodeUnavailable() === undefined) {
  let cp: TestControlPlane;
  let kube: KubeClient;
  let ns: { name: string; dispose(): Promise<void> };
  let built: BuiltImage;

  /** The generated Deployment's Pod spec for the built image, on the default ServiceAccount. */
  const templateSpec = (): PodSpec => {
    const d = deploymentObject({
      name: "printer-operator",
      namespace: ns.name,
      image: built.name,
      replicas: 1,
      module: built.module,
      watch: [ns.name],
      installCrds: false,
      healthPort: HEALTH_PORT,
    }) as { spec: { template: { spec: PodSpec } } };
    const { serviceAccountName: _, ...spec } = d.spec.template.spec;
    return spec;
  };
  const createPod = (name: string, spec: PodSpec) =>
    kube.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: ns.name },
      spec,
    });
  const getPod = (name: string): Promise<Pod> =>
    kube.get({ apiVersion: "v1", kind: "Pod", namespace: ns.name, name });

  before(async () => {
    cp = await useControlPlane({ node: true });
    kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
    built = await buildImage(PRINTER, { clusterDir: cp.dir, import: true });
    ns = await testNamespace(kube, "build-image");
    await kube.patch(
      { apiVersion: "v1", kind: "Namespace", name: ns.name },
      { metadata: { labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
    );
  });
  after(async () => {
    await ns.dispose();
  });

  describe("capstan build image on a node", () => {
    test("is imported into the node's containerd under the name the Pod asks for", async (t) => {
      t.diagnostic(
        `${built.name}: ${built.layout.size} bytes, built in ${Math.round(built.buildMs)} ms, ` +
          `imported in ${Math.round(built.importMs ?? 0)} ms`,
      );
      const node = readNodeRuntime(cp.dir);
      const { stdout } = await run(node.ctr, [
        ...["-n", "k8s.io", "--address", node.containerdSocket],
        ...["images", "ls", "-q", "name==docker.io/library/printer-operator:dev"],
      ]);
      assert.equal(stdout.trim(), "docker.io/library/printer-operator:dev");
    });

    test("a Pod from the generated Deployment's template runs the operator from the image", async () => {
      const spec = templateSpec();
      const c = spec.containers[0]!;
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
      assert.equal(spec.securityContext?.runAsNonRoot, true);
      await createPod("operator", spec);
      await eventually(
        async () => {
          const p = await getPod("operator");
          const state = p.status?.containerStatuses?.[0]?.state;
          assert.ok(state?.running, `container state ${JSON.stringify(state)}`);
          const log = await kubectlOk(cp, ["logs", "-n", ns.name, "operator"]);
          assert.match(log, /"msg":"operator starting"/);
        },
        { timeoutMs: 90_000, what: `Pod ${ns.name}/operator running, its log saying it starts` },
      );
    });

    test("Capstan's CLI in the image runs to completion as the image's user", async () => {
      const spec = templateSpec();
      const c = spec.containers[0]!;
      await createPod("help", {
        ...spec,
        restartPolicy: "Never",
        containers: [
          { ...c, args: ["--help"], livenessProbe: undefined, readinessProbe: undefined },
        ],
      });
      await eventually(
        async () => {
          const p = await getPod("help");
          assert.notEqual(p.status?.phase, "Failed", `Pod ${ns.name}/help failed`);
          assert.equal(p.status?.phase, "Succeeded");
        },
        { timeoutMs: 90_000, what: `Pod ${ns.name}/help Succeeded` },
      );
      const log = await kubectlOk(cp, ["logs", "-n", ns.name, "help"]);
      assert.match(log, /^Usage: capstan /m);
    });
  });
}
