// The Printer on a cluster with a real node (Linux, root): its Pod runs, prints the message
// exactly and the Printer's status follows it to Succeeded. Registered only where a node can
// run; printer.test.ts covers everything that needs no node.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { eventually, kubectlOk, nodeUnavailable, useOperatorFixture } from "capstan/testing";
import printer, { podFor, Printer } from "./operator.js";

const MESSAGE = `it's "quoted" $(rm -rf /) \`id\`; echo pwned\nsecond line ünïcødé 日本 🚀 %s %n \\n`;

if (nodeUnavailable() === undefined) {
  const f = useOperatorFixture({
    node: true,
    operator: printer,
    crds: [Printer],
    spaces: ["node"],
    prefix: "printer",
  });
  let pod: string;
  const ref = () => ({
    apiVersion: Printer.apiVersion,
    kind: Printer.kind,
    namespace: f.ns.node,
    name: "hostile",
  });

  f.before(async () => {
    const spec = { message: MESSAGE, image: "busybox:1.36" };
    await f.kube.create({
      apiVersion: Printer.apiVersion,
      kind: Printer.kind,
      metadata: { name: "hostile", namespace: f.ns.node },
      spec,
    });
    pod = podFor({ metadata: { name: "hostile", namespace: f.ns.node }, spec }).metadata.name;
  });

  describe("Printer on a node", () => {
    test("the Printer's Pod runs to Succeeded", async () => {
      await eventually(
        async () => {
          const p = await f.kube.get({
            apiVersion: "v1",
            kind: "Pod",
            namespace: f.ns.node,
            name: pod,
          });
          if (p.status?.phase === "Failed")
            throw new assert.AssertionError({ message: `Pod ${f.ns.node}/${pod} failed` });
          assert.equal(p.status?.phase, "Succeeded");
        },
        { timeoutMs: 60_000, what: `Pod ${pod} Succeeded` },
      );
    });

    test("the Pod's log is the message byte for byte, multibyte characters included", async () => {
      const log = await eventually(
        async () => {
          const out = await kubectlOk(f.cp, ["logs", "-n", f.ns.node, pod]);
          assert.notEqual(out, "", "the container has printed");
          return out;
        },
        { timeoutMs: 60_000, what: `the log of Pod ${pod}` },
      );
      assert.equal(Buffer.from(log).toString("hex"), Buffer.from(`${MESSAGE}\n`).toString("hex"));
    });

    test("the Printer's status.phase becomes Succeeded and names the Pod", async () => {
      await eventually(
        async () => {
          const p = (await f.kube.get(ref())) as { status?: { phase?: string; pod?: string } };
          assert.deepEqual([p.status?.phase, p.status?.pod], ["Succeeded", pod]);
        },
        { timeoutMs: 60_000, what: "Printer status.phase Succeeded" },
      );
    });
  });
}
