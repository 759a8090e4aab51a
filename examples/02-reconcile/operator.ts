// A level-triggered controller with a custom resource defined in TypeScript: each Greeting
// owns one ConfigMap holding its text, and reports Ready with the generation it saw.
// `ctx.ensureChild` writes the ConfigMap only when it differs — so a converged Greeting
// costs no write, and restarting the operator over many of them sends none — and never
// touches a ConfigMap of that name that the Greeting does not control (it says Conflict).
// `childName` keeps the name valid and unique for any Greeting name. Deleting the Greeting
// lets the garbage collector remove the ConfigMap.
import { childName, defineOperator, defineResource, done, k8s, setCondition, z } from "capstan";

export const Greeting = defineResource({
  group: "examples.capstan.dev",
  version: "v1",
  kind: "Greeting",
  spec: z.object({ name: z.string().min(1).max(63), excited: z.boolean().default(false) }),
  status: z.object({
    observedGeneration: z.number().int().optional(),
    conditions: k8s.conditions().optional(),
  }),
});
const CONFIGMAP = { apiVersion: "v1", kind: "ConfigMap" } as const;

export default defineOperator((op) => {
  op.controller({
    name: "greetings",
    for: Greeting,
    owns: [CONFIGMAP],
    async reconcile(g, ctx) {
      const text = `Hello, ${g.spec.name}${g.spec.excited ? "!" : "."}`;
      await ctx.ensureChild({
        ...CONFIGMAP,
        metadata: {
          name: childName(g, "greeting", { rule: "dns1123-subdomain" }),
          namespace: g.metadata.namespace,
        },
        data: { text },
      });
      await ctx.patchStatus({
        observedGeneration: g.metadata.generation,
        conditions: setCondition(g.status?.conditions, {
          type: "Ready",
          status: "True",
          reason: "Applied",
          message: text,
        }),
      });
      return done();
    },
  });
});
