/**
 * The seed's MongoUserResource (seed 000), kept where it is sound (username, roles) but with
 * the password in a Secret: `passwordSecretRef`, generated when absent. The seed's plaintext
 * `password` is still accepted for compatibility, with a warning in status and an Event.
 *
 * Every string has a limit and names are checked here, at admission, so the operator never
 * sees an injection attempt or an unbounded value. `username` and `database` are immutable:
 * they are the identity of the MongoDB user (`<database>.<username>`) this object owns.
 */
import { defineResource, k8s, z } from "capstan";

const immutable = <S extends z.ZodString>(s: S, field: string) =>
  k8s.cel(s, "self == oldSelf", `${field} is immutable: create another MongoUser instead`);
/** A Secret's name (DNS-1123 subdomain) and a key in its data. */
const secretName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
const secretKey = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[-._a-zA-Z0-9]+$/);

export const MongoUser = defineResource({
  group: "mkramb.com",
  kind: "MongoUser",
  version: "v1",
  spec: z.object({
    username: immutable(
      z
        .string()
        .min(1)
        .max(128)
        .regex(/^[A-Za-z0-9._-]+$/),
      "spec.username",
    ),
    database: immutable(
      z
        .string()
        .min(1)
        .max(63)
        .regex(/^[A-Za-z0-9_-]+$/),
      "spec.database",
    )
      .default("admin")
      .describe("Authentication database."),
    roles: z.array(z.string().min(1).max(64)).max(16).default([]).describe("List of User roles"),
    passwordSecretRef: z
      .object({ name: secretName, key: secretKey.default("password") })
      .optional()
      .describe(
        "Secret holding the password: read if this object does not own it, generated (and owned) when it does not exist.",
      ),
    password: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe("Deprecated: plaintext password, accepted for compatibility with the seed."),
    adminSecretRef: z
      .object({ name: secretName })
      .describe("Secret with the admin connection string under the key uri; only ever read."),
  }),
  status: k8s.preserveUnknown(),
});
