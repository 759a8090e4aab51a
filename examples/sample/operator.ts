/**
 * The Nuvolaris Sample operator (seed 004): a Deployment rendered from a kustomize base plus
 * a patch setting replicas to `spec.count`, server-side-applied and owned by the Sample.
 * Changing `count` scales it; deleting the Sample deletes it through the garbage collector.
 * A `count` that is not a whole number from 0 to 100 is refused in status and an Event.
 */
import {
  defineOperator,
  done,
  ownerReference,
  PermanentError,
  type KubeObject,
} from "../../src/runtime/index.js";
import { Sample } from "../crds/sample.js";
import { render } from "./render.js";

/** True when every field of `want` is in `have` with the same value (lists element-wise). */
function isSubset(want: unknown, have: unknown): boolean {
  if (want === null || typeof want !== "object") return want === have;
  if (Array.isArray(want))
    return (
      Array.isArray(have) &&
      want.length === have.length &&
      want.every((w, i) => isSubset(w, have[i]))
    );
  if (have === null || typeof have !== "object") return false;
  return Object.entries(want).every(([k, v]) => isSubset(v, (have as Record<string, unknown>)[k]));
}

type SampleObject = KubeObject & {
  spec?: { count?: unknown };
  status?: { replicas?: number; deployment?: string };
};

export default defineOperator(
  (op) =>
    void op.controller<SampleObject>({
      name: "sample",
      for: { apiVersion: Sample.apiVersion, kind: Sample.kind },
      owns: [{ apiVersion: "apps/v1", kind: "Deployment" }],
      async reconcile(sample, { client, patchStatus }) {
        const count = sample.spec?.count;
        if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > 100) {
          throw new PermanentError(
            `spec.count must be a whole number from 0 to 100, got ${JSON.stringify(count)}`,
          );
        }
        const objects = await render({
          name: sample.metadata.name!,
          namespace: sample.metadata.namespace!,
          count,
          kubectl: process.env.CAPSTAN_KUBECTL ?? "kubectl",
        });
        let deployment: string | undefined;
        for (const obj of objects) {
          const meta = obj.metadata as { name: string; ownerReferences?: unknown[] };
          meta.ownerReferences = [
            ownerReference(sample, { apiVersion: Sample.apiVersion, kind: Sample.kind }),
          ];
          const target = obj as {
            apiVersion: string;
            kind: string;
            metadata: { name: string; namespace: string };
          };
          // Converged means no write: skip the apply when the live object already has it all.
          const live = await client
            .get({ ...target, name: target.metadata.name, namespace: target.metadata.namespace })
            .catch(() => undefined);
          const current =
            live &&
            isSubset(obj.spec, (live as { spec?: unknown }).spec) &&
            isSubset(meta.ownerReferences, live.metadata?.ownerReferences);
          const applied = current
            ? live
            : await client.apply(target, { fieldManager: "sample", force: true });
          if (obj.kind === "Deployment") deployment = applied.metadata?.name;
        }
        await patchStatus({ replicas: count, deployment });
        return done();
      },
    }),
  { name: "sample" },
);

export { Sample };
