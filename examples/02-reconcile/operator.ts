// A level-triggered controller with a custom resource defined in TypeScript: each Greeting
// owns one ConfigMap holding its text (server-side applied), and reports Ready with the
// generation it saw. It reads before it writes, so a converged Greeting costs no write —
// and restarting the operator over many of them sends none. Deleting the Greeting lets the
// garbage collector remove the ConfigMap.
import {
  defineOperator,
  defineResource,
  done,
  k8s,
  ownerReference,
  setCondition,
  z,
} from "capstan";
import { NotFoundError } from "capstan/client";

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
type GreetingObject = typeof Greeting.$object;
const CONFIGMAP = { apiVersion: "v1", kind: "ConfigMap" } as const;

export default defineOperator((op) => {
  op.controller<GreetingObject>({
    name: "greetings",
    for: Greeting,
    owns: [CONFIGMAP],
    async reconcile(g, ctx) {
      const text = `Hello, ${g.spec.name}${g.spec.excited ? "!" : "."}`;
      const name = `greeting-${g.metadata.name}`;
      const ns = g.metadata.namespace;
      const current = await ctx.client.get({ ...CONFIGMAP, namespace: ns, name }).catch((e) => {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      });
      if (current?.data?.text !== text)
        await ctx.client.apply(
          {
            ...CONFIGMAP,
            metadata: { name, namespace: ns, ownerReferences: [ownerReference(g, Greeting)] },
            data: { text },
          },
          { fieldManager: "greetings" },
        );
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
