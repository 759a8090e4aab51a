/**
 * The Printer operator. For each Printer it server-side-applies one Pod that prints the
 * message with `printf '%s\n' <message>` — the message is an argument, never shell input,
 * so quotes, `$(…)`, `;` and newlines print as written. The Pod's name carries a hash of
 * what it prints, so changing the message replaces the Pod; the old one is deleted only if
 * this Printer owns it. The Printer's status follows its Pod's phase.
 */
import { createHash } from "node:crypto";
import type { Pod } from "kubernetes-types/core/v1.js";
import { NotFoundError } from "../../src/client/index.js";
import { defineOperator, done, ownerReference, type KubeObject } from "../../src/runtime/index.js";
import { Printer } from "./resources.js";

type PrinterObject = KubeObject & {
  spec: { message: string; image: string };
  status?: { phase?: string; pod?: string; observedGeneration?: number };
};

const LABEL = "examples.capstan.dev/printer";
const POD = { apiVersion: "v1", kind: "Pod" } as const;

export function podFor(p: PrinterObject): Pod & { apiVersion: "v1"; kind: "Pod" } {
  const hash = createHash("sha256")
    .update(p.spec.image)
    .update("\0")
    .update(p.spec.message)
    .digest("hex")
    .slice(0, 10);
  return {
    ...POD,
    metadata: {
      name: `${p.metadata.name!.slice(0, 40)}-${hash}`,
      namespace: p.metadata.namespace,
      labels: { [LABEL]: p.metadata.name! },
      ownerReferences: [ownerReference(p, { apiVersion: Printer.apiVersion, kind: Printer.kind })],
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

export default defineOperator(
  (op) =>
    // Owning Pods grants get/list/watch/create/patch on them; replacing one also deletes.
    void op.uses(POD, ["delete"]).controller<PrinterObject>({
      name: "printer",
      for: { apiVersion: Printer.apiVersion, kind: Printer.kind },
      owns: [POD],
      async reconcile(printer, { client, patchStatus, log }) {
        const desired = podFor(printer);
        const ns = printer.metadata.namespace!;
        // Read first: a Pod that already prints this message needs no write at all.
        const existing = await client
          .get({ ...POD, namespace: ns, name: desired.metadata!.name! })
          .catch((e: unknown) => {
            if (e instanceof NotFoundError) return undefined;
            throw e;
          });
        const pod =
          existing ?? (await client.apply(desired, { fieldManager: "printer", force: true }));
        const { items } = await client.list(
          { ...POD, namespace: ns },
          { labelSelector: { [LABEL]: printer.metadata.name! } },
        );
        for (const old of items) {
          const ours = old.metadata?.ownerReferences?.some(
            (r) => r.uid === printer.metadata.uid && r.controller,
          );
          if (ours && old.metadata?.name !== desired.metadata!.name) {
            log.info({ pod: old.metadata?.name }, "replacing the Pod of an earlier message");
            await client.delete({ ...POD, namespace: ns, name: old.metadata!.name! });
          }
        }
        await patchStatus({
          phase: pod?.status?.phase ?? "Pending",
          pod: pod?.metadata?.name,
          observedGeneration: printer.metadata.generation,
        });
        return done();
      },
    }),
  { name: "printer" },
);

export { Printer };
