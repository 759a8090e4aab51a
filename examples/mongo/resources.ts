/**
 * The seed's MongoUserResource (seed 000), kept where it is sound (username, roles) but with
 * the password in a Secret: `passwordSecretRef`, generated when absent. The seed's plaintext
 * `password` is still accepted for compatibility, with a warning in status and an Event.
 *
 * Every string has a limit and names are checked here, at admission, so the operator never
 * sees an injection attempt or an unbounded value. `username` and `database` are immutable:
 * they are the identity of the MongoDB user (`<database>.<username>`) this object owns.
 * v2 names them `spec.user.name` and `spec.user.database` (converters below).
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

const username = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._-]+$/);
const database = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9_-]+$/);
/** What v1 and v2 share: everything but where the user's name and database are. */
const common = {
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
};

/**
 * v1 (stored, the hub) is the seed's shape; v2 groups the MongoDB user's identity under
 * `spec.user` (`name`, `database`). The two hold the same fields, so the converters only move
 * them: a round trip through either version is lossless without annotations.
 */
export const MongoUser = defineResource({
  group: "mkramb.com",
  kind: "MongoUser",
  versions: {
    v1: {
      storage: true,
      spec: z.object({
        username: immutable(username, "spec.username"),
        database: immutable(database, "spec.database")
          .default("admin")
          .describe("Authentication database."),
        ...common,
      }),
      status: k8s.preserveUnknown(),
    },
    v2: {
      spec: z.object({
        user: z
          .object({
            name: immutable(username, "spec.user.name"),
            database: immutable(database, "spec.user.database")
              .default("admin")
              .describe("Authentication database."),
          })
          .describe("The MongoDB user this object owns: <database>.<name>."),
        ...common,
      }),
      status: k8s.preserveUnknown(),
    },
  },
  convert: {
    v2: {
      toHub: ({ spec: { user, ...rest }, status }) => ({
        spec: { username: user.name, database: user.database, ...rest },
        ...(status !== undefined ? { status } : {}),
      }),
      fromHub: ({ spec: { username, database, ...rest }, status }) => ({
        spec: { user: { name: username, database }, ...rest },
        ...(status !== undefined ? { status } : {}),
      }),
    },
  },
});
