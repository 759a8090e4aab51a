/**
 * Test fixture: a resource that uses every schema feature the crd module supports, in two
 * versions, so one CRD exercises conversion, the structural checker, the API server and
 * runtime validation together. `widget(group)` makes a copy in a group of the caller's choosing
 * (tests sharing one cluster must not share CRDs).
 */
import { defineResource, k8s, z } from "../index.js";

export const widgetSpec = k8s.cel(
  z.object({
    name: z
      .string()
      .min(1)
      .max(20)
      .regex(/^[a-z][a-z0-9-]*$/)
      .describe("A short name"),
    size: z.enum(["small", "medium", "large"]).default("medium").describe("How big the widget is"),
    replicas: z.int().min(0).max(10).default(1),
    minReplicas: z.int().min(0).optional(),
    maxReplicas: z.int().min(0).optional(),
    email: z.email().optional(),
    uid: z.uuid().optional(),
    port: k8s.intOrString().optional(),
    ratio: z.number().gt(0).lte(1).optional(),
    note: z.string().nullable().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    tags: k8s.listType(z.array(z.string()).max(5), "set").optional(),
    ports: k8s
      .listMap(
        z.array(
          z.object({
            name: z.string(),
            port: z.int().min(1).max(65535),
            protocol: z.enum(["TCP", "UDP"]).default("TCP"),
          }),
        ),
        ["name"],
      )
      .optional(),
    config: k8s.preserveUnknown().optional(),
    template: k8s.embedded().optional(),
    source: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("git"), url: z.string(), ref: z.string().default("main") }),
        z.object({ type: z.literal("image"), image: z.string() }),
      ])
      .optional(),
    owner: k8s
      .cel(z.string().max(30), "self == self.lowerAscii()", "owner must be lower case")
      .optional(),
  }),
  "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
  "minReplicas must not exceed maxReplicas",
);

export const widgetStatus = z.object({
  phase: z.enum(["Pending", "Ready"]).optional(),
  readyReplicas: z.int().optional(),
  selector: z.string().optional(),
});

export function widget(group: string) {
  return defineResource({
    group,
    kind: "Widget",
    shortNames: ["wdg"],
    categories: ["capstan"],
    versions: {
      v1: {
        served: true,
        storage: true,
        spec: widgetSpec,
        status: widgetStatus,
        printerColumns: [
          { name: "Size", type: "string", jsonPath: ".spec.size" },
          { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
          { name: "Phase", type: "string", jsonPath: ".status.phase" },
        ],
        scale: {
          specReplicasPath: ".spec.replicas",
          statusReplicasPath: ".status.readyReplicas",
          labelSelectorPath: ".status.selector",
        },
      },
      v1beta1: {
        served: true,
        storage: false,
        deprecated: true,
        deprecationWarning: "capstan.test/v1beta1 Widget is deprecated; use v1",
        spec: z.object({ name: z.string(), replicas: z.int().optional() }),
      },
    },
  });
}

export const Widget = widget("widgets.capstan.test");
