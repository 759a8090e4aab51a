/**
 * A throwaway `Widget` CRD in a group of the test's choosing (so parallel test files never
 * share one): spec.size and spec.note, free-form status, status and scale subresources.
 * Installed by server-side apply; resolves once the kind is served.
 */
import type { KubeClient } from "../client/client.js";
import { KubeClient as Client } from "../client/client.js";
import { useControlPlane, type TestControlPlane } from "./controlplane.js";

/** Install the throwaway `Widget` CRD in `group`; resolves once it is served. */
export async function installWidgetCrd(
  kube: KubeClient,
  group: string,
): Promise<{ apiVersion: string; kind: "Widget" }> {
  const name = `widgets.${group}`;
  await kube.apply(
    {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name },
      spec: {
        group,
        scope: "Namespaced",
        names: { kind: "Widget", plural: "widgets", singular: "widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: {
              status: {},
              scale: { specReplicasPath: ".spec.size", statusReplicasPath: ".status.size" },
            },
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    properties: { size: { type: "integer" }, note: { type: "string" } },
                  },
                  status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                },
              },
            },
          },
        ],
      },
    },
    { fieldManager: "capstan-test", force: true },
  );
  await kube.wait(
    { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name },
    "condition=Established",
  );
  return { apiVersion: `${group}/v1`, kind: "Widget" };
}

/**
 * The shared control plane, a client, and the Widget CRD in `group`. The fixture does this
 * and the namespaces and operators too: prefer `useOperatorFixture({ widgets: group })`.
 */
export async function useWidgets(group: string): Promise<{
  cp: TestControlPlane;
  kube: KubeClient;
  Widget: { apiVersion: string; kind: "Widget" };
}> {
  const cp = await useControlPlane();
  const kube = await Client.fromKubeconfig({ path: cp.kubeconfig });
  return { cp, kube, Widget: await installWidgetCrd(kube, group) };
}
