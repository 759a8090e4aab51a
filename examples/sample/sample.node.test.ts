// The Sample on a cluster with a real node (Linux, root): its Deployment's Pods run, follow
// `count`, and a deleted Pod is replaced. Registered only where a node can run;
// sample.test.ts covers everything that needs no node.
// The base's `nginx:1.27` is a stand-in imported into the node (standin.testkit.ts).
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { eventually, nodeUnavailable, useOperatorFixture } from "capstan/testing";
import sample, { Sample } from "./operator.js";
import { importStandIn } from "./standin.testkit.js";

if (nodeUnavailable() === undefined) {
  const f = useOperatorFixture({ node: true, crds: [Sample], spaces: ["node"], prefix: "sample" });
  const DEPLOY = { apiVersion: "apps/v1", kind: "Deployment" } as const;
  const ref = () => ({
    apiVersion: Sample.apiVersion,
    kind: Sample.kind,
    namespace: f.ns.node,
    name: "web",
  });
  /** The Sample's Pods that run and are not being deleted. */
  const running = async () =>
    (
      await f.kube.list(
        { apiVersion: "v1", kind: "Pod", namespace: f.ns.node },
        { labelSelector: { "nuvolaris.org/sample": "web" } },
      )
    ).items.filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp);
  const runningCount = (n: number) =>
    eventually(
      async () => {
        const pods = await running();
        assert.equal(pods.length, n, pods.map((p) => p.metadata?.name).join() || "none");
        return pods;
      },
      { timeoutMs: 90_000, what: `${n} running Pods of Sample web` },
    );

  f.before(async () => {
    process.env.CAPSTAN_KUBECTL = path.join(f.cp.bin, "kubectl");
    await importStandIn(f.cp.dir);
    await f.run(sample, { namespaces: [f.ns.node] });
    await f.kube.create({
      apiVersion: Sample.apiVersion,
      kind: Sample.kind,
      metadata: { name: "web", namespace: f.ns.node },
      spec: { count: 2 },
    });
  });

  describe("Sample on a node", () => {
    test("its Deployment becomes Available with count Pods running", async () => {
      await eventually(
        async () => {
          const d = await f.kube.get({ ...DEPLOY, namespace: f.ns.node, name: "web-demo-deploy" });
          const available = d.status?.conditions?.find((c) => c.type === "Available");
          assert.equal(available?.status, "True", available?.message);
          assert.equal(d.status?.availableReplicas, 2);
        },
        { timeoutMs: 90_000, what: "Deployment web-demo-deploy Available" },
      );
      await runningCount(2);
    });

    test("changing count scales the running Pods up and down", async () => {
      await runningCount(2);
      await f.kube.patch(ref(), { spec: { count: 3 } });
      await runningCount(3);
      await f.kube.patch(ref(), { spec: { count: 1 } });
      await runningCount(1);
    });

    test("a deleted Pod is replaced by its controller", async () => {
      const [victim] = await runningCount(1);
      await f.kube.delete({
        apiVersion: "v1",
        kind: "Pod",
        namespace: f.ns.node,
        name: victim!.metadata!.name!,
      });
      const [replacement] = await runningCount(1);
      assert.notEqual(replacement!.metadata!.uid, victim!.metadata!.uid);
    });
  });
}
