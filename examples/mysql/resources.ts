/** The seed's MySQLDatabase (seed 002): a database and a user on an external MySQL server. */
import { defineResource, k8s, z } from "capstan";

export const MySQLDatabase = defineResource({
  group: "piwik.pro",
  kind: "MySQLDatabase",
  shortNames: ["mydb"],
  version: "v1",
  spec: z.object({
    adminSecretRef: z
      .object({ name: z.string().min(1).max(253) })
      .describe(
        "Secret in the same namespace with host, port, username and password of an admin account.",
      ),
    deletionPolicy: z
      .enum(["Delete", "Retain"])
      .default("Delete")
      .describe("Drop the user and database on delete, or keep them."),
  }),
  status: k8s.preserveUnknown(),
  printerColumns: [
    { name: "Database", type: "string", jsonPath: ".status.database" },
    { name: "Secret", type: "string", jsonPath: ".status.secret" },
    {
      name: "Ready",
      type: "string",
      jsonPath: ".status.conditions[?(@.type=='Reconciled')].status",
    },
  ],
});
