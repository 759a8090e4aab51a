/**
 * The Printer operator. For each Printer it keeps one Pod that prints the message with
 * `printf '%s\n' <message>` — the message is an argument, never shell input, so quotes,
 * `$(…)`, `;` and newlines print as written.
 *
 * Safe by default:
 * - The Pod's name is `childName(printer, <hash of image and message>)`: unique per Printer
 *   name (two names sharing a long prefix get two Pods), valid for any Printer name, and
 *   changed by a new message, which replaces the Pod.
 * - The Pod is written through `ctx.ensureChild`: a Pod of that name that this Printer does
 *   not control is never changed; the Printer shows `Conflict=True` and a Warning Event.
 * - Pods of an earlier message are deleted only when this Printer (its uid) controls them,
 *   with the uid as a precondition of the delete.
 * - Pods are an owned kind: a deleted Pod re-queues its Printer, which creates it again.
 * The Printer's status follows its Pod's phase and names it.
 */
import { createHash } from "node:crypto";
import type { Pod } from "kubernetes-types/core/v1.js";
import { ConflictError, NotFoundError } from "capstan/client";
import type { ObjectOf } from "capstan";
import { childName, defineOperator, done, ownerLabelValue, type ApiObject } from "capstan";
import { Printer } from "./resources.js";

/** The label naming a Pod's Printer, for people (`kubectl get pods -l …`); never for deciding. */
export const LABEL = "examples.capstan.dev/printer";
const POD = { apiVersion: "v1", kind: "Pod" } as const;

/** The Pod that prints `p`'s message (its controller ownerReference is set by ensureChild). */
export function podFor(
  p: Pick<ObjectOf<typeof Printer>, "metadata" | "spec">,
): Pod & { apiVersion: "v1"; kind: "Pod"; metadata: { name: string } } {
  const content = createHash("sha256")
    .update(p.spec.image)
    .update("\0")
    .update(p.spec.message)
    .digest("hex")
    .slice(0, 10);
  return {
    ...POD,
    metadata: {
      name: childName(p, content, { rule: "dns1123-subdomain" }),
      namespace: p.metadata.namespace,
      labels: { [LABEL]: ownerLabelValue(p) },
    },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name: "print",
          image: p.spec.image,
          command: ["printf", "%s\n", p.spec.message],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
        },
      ],
    },
  };
}

const controlledBy = (o: ApiObject, uid: string | undefined) =>
  o.metadata.ownerReferences?.some((r) => r.controller && r.uid === uid) ?? false;

export default defineOperator(
  (op) =>
    // Owning Pods grants get/list/watch/create/patch on them; replacing one also deletes.
    void op.uses(POD, ["delete"]).controller({
      name: "printer",
      for: Printer,
      owns: [POD],
      async reconcile(printer, ctx) {
        const desired = podFor(printer);
        const ns = printer.metadata.namespace;
        // Writes nothing when the Pod already prints this; refuses a Pod that is not ours.
        const { object: pod } = await ctx.ensureChild(desired);
        // The owned cache knows every Pod's controller without a request.
        const stale = ctx
          .owned(POD)
          .list()
          .filter(
            (o) =>
              o.metadata.namespace === ns &&
              o.metadata.name !== desired.metadata.name &&
              controlledBy(o, printer.metadata.uid),
          );
        for (const old of stale) {
          ctx.log.info({ pod: old.metadata.name }, "deleting the Pod of an earlier message");
          await ctx.client
            .delete(
              { ...POD, namespace: ns, name: old.metadata.name! },
              { preconditions: { uid: old.metadata.uid } },
            )
            // Gone already, or replaced by an object that is not ours: nothing to delete.
            .catch((e: unknown) =>
              e instanceof NotFoundError || e instanceof ConflictError
                ? undefined
                : Promise.reject(e),
            );
        }
        await ctx.patchStatus({
          phase: pod.status?.phase ?? "Pending",
          pod: pod.metadata.name,
          observedGeneration: printer.metadata.generation,
        });
        return done();
      },
    }),
  { name: "printer" },
);

export { Printer };
