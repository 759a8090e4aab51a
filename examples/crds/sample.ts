/**
 * The Nuvolaris training's `Sample` resource: spec and status keep whatever fields they are
 * given, with the status subresource on. In an application: `from "capstan"`.
 */
import { defineResource, k8s } from "capstan";

export const Sample = defineResource({
  group: "nuvolaris.org",
  kind: "Sample",
  shortNames: ["sam"],
  version: "v1",
  spec: k8s.preserveUnknown(),
  status: k8s.preserveUnknown(),
});
