/**
 * The benchmark's workload, shared by the orchestrator and the TypeScript contenders: the
 * `Widget` CRD and the ConfigMap each Widget owns.
 */
import type { KubeClient } from "../../src/client/index.js";
import { ownerReference, type ApiObject } from "../../src/runtime/index.js";

export const GROUP = "bench.capstan.dev";
export const WIDGET = { apiVersion: `${GROUP}/v1`, kind: "Widget" } as const;
export const CONFIGMAP = { apiVersion: "v1", kind: "ConfigMap" } as const;

export type Widget = ApiObject & {
  spec: { size: number };
  status?: { phase?: string; observedGeneration?: number };
};

export const isReady = (w: Widget): boolean =>
  w.status?.phase === "Ready" && w.status.observedGeneration === w.metadata.generation;

/** The child every contender server-side-applies for a Widget. */
export function configMapFor(w: Widget) {
  return {
    ...CONFIGMAP,
    metadata: {
      name: w.metadata.name!,
      namespace: w.metadata.namespace!,
      ownerReferences: [ownerReference(w, WIDGET)],
    },
    data: { size: String(w.spec.size), widget: w.metadata.name! },
  };
}

export async function installWidgetCrd(kube: KubeClient): Promise<void> {
  const name = `widgets.${GROUP}`;
  await kube.apply(
    {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name },
      spec: {
        group: GROUP,
        scope: "Namespaced",
        names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: { type: "object", properties: { size: { type: "integer" } } },
                  status: {
                    type: "object",
                    properties: {
                      phase: { type: "string" },
                      observedGeneration: { type: "integer" },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    },
    { fieldManager: "capstan-bench", force: true },
  );
  await kube.wait(
    { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name },
    "condition=Established",
  );
}
