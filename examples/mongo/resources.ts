/**
 * The seed's MongoUserResource (seed 000), kept where it is sound (username, roles) but with
 * the password in a Secret: `passwordSecretRef`, generated when absent. The seed's plaintext
 * `password` is still accepted for compatibility, with a warning in status and an Event.
 */
import { defineResource, k8s, z } from "../../src/core/crd/index.js";

export const MongoUser = defineResource({
  group: "mkramb.com",
  kind: "MongoUser",
  version: "v1",
  spec: z.object({
    username: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._-]+$/),
    database: z.string().min(1).max(63).default("admin").describe("Authentication database."),
    roles: z.array(z.string().min(1)).default([]).describe("List of User roles"),
    passwordSecretRef: z
      .object({ name: z.string().min(1), key: z.string().min(1).default("password") })
      .optional()
      .describe("Secret holding the password; generated when it does not exist."),
    password: z
      .string()
      .optional()
      .describe("Deprecated: plaintext password, accepted for compatibility with the seed."),
    adminSecretRef: z
      .object({ name: z.string().min(1) })
      .describe("Secret with the admin connection string under the key uri."),
  }),
  status: k8s.preserveUnknown(),
});
