/**
 * A namespace of its own for each test: created with a unique name, deleted (without
 * waiting) when the test's `after` hook calls `dispose`.
 */
import { randomBytes } from "node:crypto";
import type { KubeClient } from "../client/client.js";

/** Create a namespace with a unique name (`<prefix>-<8 hex>`); `dispose()` deletes it. */
export async function testNamespace(
  kube: KubeClient,
  prefix = "t",
): Promise<{
  name: string;
  /** Delete the namespace, without waiting for it to go. */
  dispose(): Promise<void>;
}> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return {
    name,
    dispose: async () => {
      await kube.delete({ apiVersion: "v1", kind: "Namespace", name }).catch(() => undefined);
    },
  };
}
