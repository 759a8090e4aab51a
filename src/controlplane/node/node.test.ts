// A real node: a Pod runs to completion and its log is exactly what it printed. Registered
// only where a node can run (Linux, root); elsewhere preflight.test.ts covers the refusal.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { eventually, kubectlOk, nodeUnavailable, useControlPlane } from "../../testing/index.js";

const MESSAGE = `it's "quoted" $(rm -rf /); echo pwned\n\`tick\` \\ é日😀`;

if (nodeUnavailable() === undefined) {
  describe("a real node", () => {
    test("a busybox Pod printing a hostile message succeeds and its log is the message byte for byte", async () => {
      const cp = await useControlPlane({ node: true });
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "printer", namespace: "default" },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "print",
              image: "busybox",
              imagePullPolicy: "IfNotPresent",
              command: ["printf", "%s\\n", MESSAGE],
            },
          ],
        },
      };
      await kubectlOk(cp, ["create", "-f", "-"], { input: JSON.stringify(pod) });
      await eventually(
        async () => {
          const phase = await kubectlOk(cp, [
            "get",
            "pod",
            "printer",
            "-o",
            "jsonpath={.status.phase}",
          ]);
          if (phase === "Failed")
            throw new assert.AssertionError({ message: "Pod default/printer failed" });
          if (phase !== "Succeeded")
            throw new Error(`Pod default/printer is ${phase || "unscheduled"}`);
        },
        { timeoutMs: 60_000, what: "Pod default/printer Succeeded" },
      );
      const log = await kubectlOk(cp, ["logs", "printer"]);
      assert.equal(Buffer.from(log).toString("hex"), Buffer.from(`${MESSAGE}\n`).toString("hex"));
    });
  });
}
