/**
 * The seed's Printer (seed 001): a message printed to standard output by a Pod. The schema
 * bounds the message; the status follows the Pod.
 */
import { defineResource, k8s, z } from "capstan";

export const Printer = defineResource({
  group: "examples.capstan.dev",
  kind: "Printer",
  shortNames: ["prn"],
  version: "v1",
  spec: z.object({
    message: z
      .string()
      .min(1)
      .max(1024)
      // A NUL cannot cross execve: the container would print the message cut at it.
      // eslint-disable-next-line no-control-regex -- the NUL is the character refused
      .regex(/^[^\x00]*$/, "must not contain a NUL character")
      .describe("Printed exactly as written, never through a shell."),
    image: z
      .string()
      .min(1)
      .max(256)
      // The characters of an image reference: the Pod would refuse surrounding whitespace.
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, "must be an image reference")
      .default("busybox:1.36")
      .describe("Image providing printf."),
  }),
  status: z.object({
    phase: z.string().optional(),
    pod: z.string().optional(),
    observedGeneration: z.number().int().optional(),
    conditions: k8s.conditions().optional(),
  }),
  printerColumns: [
    { name: "Message", type: "string", jsonPath: ".spec.message" },
    { name: "Pod", type: "string", jsonPath: ".status.pod" },
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
  ],
});
