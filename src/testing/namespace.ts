/**
 * A namespace of its own for each test: created with a unique name, deleted (without
 * waiting) when the test's `after` hook calls `dispose`.
 */
import { randomBytes } from "node:crypto";
import type { KubeClient } from "../client/client.js";

export async function testNamespace(
  kube: KubeClient,
  prefix = "t",
): Promise<{ name: string; dispose(): Promise<void> }> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return {
    name,
    dispose: async () => {
      await kube.delete({ apiVersion: "v1", kind: "Namespace", name }).catch(() => undefined);
    },
  };
}
