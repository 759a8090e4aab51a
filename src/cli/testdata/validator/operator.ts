/**
 * An operator with a validate handler only, for deploy-webhooks.test.ts: it has a
 * ValidatingWebhookConfiguration and no mutating one.
 */
import { defineOperator, defineResource, deny, z } from "capstan";

export const Ticket = defineResource({
  group: "tickets.capstan.test",
  version: "v1",
  kind: "Ticket",
  spec: z.object({ seats: z.number().int() }),
});

export default defineOperator(
  (op) => {
    op.admission(Ticket).validate({
      create: ({ object }) =>
        object.spec.seats > 9 ? deny("at most 9 seats", "spec.seats") : undefined,
    });
  },
  { name: "validator" },
);
