/**
 * The Nuvolaris Sample operator (seed 004): a Deployment rendered from a kustomize base plus
 * a patch setting replicas to `spec.count`, owned by the Sample. Changing `count` scales it;
 * deleting the Sample deletes it through the garbage collector.
 *
 * Safe by default:
 * - Every rendered object goes through `ctx.ensureChild`: created with the Sample as its
 *   controller, updated only while the Sample controls it, not written when it already
 *   matches. A Deployment of that name that belongs to anyone else is never changed: the
 *   Sample shows `Conflict=True` and a Warning Event, and retries (the other may go away).
 * - Rendered names are unique per Sample name and valid for any of them (render.ts); the
 *   selector label is `ownerLabelValue(sample)`, valid for names longer than a label allows.
 * - A `count` that is not a whole number from 0 to 100 is refused (reason `InvalidSpec`) in
 *   status and a Warning Event, and not retried until the Sample changes.
 */
import { truncateUtf8 } from "capstan";
import { defineOperator, done, ownerLabelValue, PermanentError } from "capstan";
import { Sample } from "../crds/sample.js";
import { render } from "./render.js";

export default defineOperator(
  (op) =>
    void op.controller({
      name: "sample",
      for: Sample,
      owns: [{ apiVersion: "apps/v1", kind: "Deployment" }],
      async reconcile(sample, ctx) {
        const { name, namespace } = sample.metadata as { name: string; namespace: string };
        const count = sample.spec?.count;
        if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > 100) {
          // The value is echoed for recognition only: shortened, on a character boundary.
          const got = truncateUtf8(JSON.stringify(count) ?? "nothing", 64);
          throw new PermanentError(
            `Sample ${namespace}/${name}: spec.count must be a whole number from 0 to 100, got ${got}`,
            { reason: "InvalidSpec" },
          );
        }
        const objects = await render({
          name,
          namespace,
          count,
          labels: { "nuvolaris.org/sample": ownerLabelValue(sample) },
          kubectl: process.env.CAPSTAN_KUBECTL ?? "kubectl",
        });
        let deployment: string | undefined;
        for (const obj of objects) {
          const { object } = await ctx.ensureChild(obj);
          if (object.kind === "Deployment") deployment = object.metadata.name;
        }
        await ctx.patchStatus({ replicas: count, deployment });
        return done();
      },
    }),
  { name: "sample" },
);

export { Sample };
