/**
 * An operator that only serves admission webhooks, for the in-cluster test
 * (deploy-webhooks.node.test.ts): Gates get `spec.color` "green" by default and a red one is
 * refused.
 */
import { defineOperator, defineResource, deny, z } from "capstan";

export const Gate = defineResource({
  group: "gates.capstan.test",
  version: "v1",
  kind: "Gate",
  spec: z.object({ color: z.string().optional() }),
});

export default defineOperator(
  (op) => {
    op.admission(Gate)
      .validate({
        create: ({ object }) =>
          object.spec.color === "red" ? deny("red gates are not allowed", "spec.color") : undefined,
      })
      .mutate(({ object }) => {
        object.spec.color ??= "green";
      });
  },
  { name: "gatekeeper" },
);
