/**
 * The MongoUser operator (seed 000): creates, updates (password, roles) and drops a MongoDB
 * user, then logs in as that user to prove the password works.
 *
 * - The password comes from `spec.passwordSecretRef` (default Secret `<name>-mongo`,
 *   generated with node:crypto when absent, owned by the MongoUser). A plaintext
 *   `spec.password` still works but sets `PlaintextPassword=True` and a Warning Event.
 * - The user is updated when the password Secret changes (tracked by its resourceVersion —
 *   never by the password itself) or the roles change.
 * - Servers that cannot apply roles (FerretDB v1 answers "not implemented") get the user
 *   without roles and the status says so: `RolesApplied=False`, reason NotSupported.
 * - Delete drops the user only if this MongoUser created it.
 */
import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { NotFoundError } from "../../src/client/index.js";
import {
  defineOperator,
  done,
  ownerReference,
  PermanentError,
  setCondition,
  TemporaryError,
  type Condition,
  type KubeObject,
  type ReconcileContext,
} from "../../src/runtime/index.js";
import { MongoUser } from "./resources.js";

type Mu = KubeObject & {
  spec: {
    username: string;
    database?: string;
    roles?: string[];
    password?: string;
    passwordSecretRef?: { name: string; key?: string };
    adminSecretRef: { name: string };
  };
  status?: {
    created?: boolean;
    secretVersion?: string;
    requestedRoles?: string[];
    rolesApplied?: boolean;
    conditions?: Condition[];
  };
};
const SECRET = { apiVersion: "v1", kind: "Secret" } as const;
const b64 = (v: string | undefined) =>
  v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");

async function secret(ctx: ReconcileContext<Mu>, namespace: string, name: string) {
  return ctx.client
    .get({ ...SECRET, namespace, name })
    .catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
}

async function adminUri(mu: Mu, ctx: ReconcileContext<Mu>): Promise<string> {
  const s = await secret(ctx, mu.metadata.namespace!, mu.spec.adminSecretRef.name);
  const uri = b64(s?.data?.uri);
  if (!uri)
    throw new TemporaryError(
      `admin Secret ${mu.metadata.namespace}/${mu.spec.adminSecretRef.name} with key uri not found`,
      { delay: 10_000 },
    );
  return uri;
}

/** The password and the version of the Secret it came from (plaintext: "plaintext"). */
async function passwordOf(
  mu: Mu,
  ctx: ReconcileContext<Mu>,
): Promise<{ password: string; version: string }> {
  if (mu.spec.password !== undefined && !mu.spec.passwordSecretRef)
    return { password: mu.spec.password, version: "plaintext" };
  const ns = mu.metadata.namespace!;
  const name = mu.spec.passwordSecretRef?.name ?? `${mu.metadata.name}-mongo`;
  const key = mu.spec.passwordSecretRef?.key ?? "password";
  const s = await secret(ctx, ns, name);
  const pw = b64(s?.data?.[key]);
  if (pw && s) return { password: pw, version: s.metadata!.resourceVersion! };
  const generated = randomBytes(24).toString("base64url");
  const applied = await ctx.client.apply(
    {
      ...SECRET,
      metadata: {
        name,
        namespace: ns,
        ownerReferences: [
          ownerReference(mu, { apiVersion: MongoUser.apiVersion, kind: MongoUser.kind }),
        ],
      },
      type: "Opaque",
      stringData: { [key]: generated, username: mu.spec.username },
    },
    { fieldManager: "mongouser", force: true },
  );
  return { password: generated, version: applied.metadata!.resourceVersion! };
}

async function withMongo<T>(uri: string, f: (c: MongoClient) => Promise<T>): Promise<T> {
  const c = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await c.connect();
  } catch (e) {
    await c.close().catch(() => undefined);
    throw new TemporaryError(`cannot reach MongoDB: ${(e as Error).message}`, { delay: 10_000 });
  }
  try {
    return await f(c);
  } finally {
    await c.close();
  }
}

export default defineOperator(
  (op) =>
    void op.controller<Mu>({
      name: "mongouser",
      for: { apiVersion: MongoUser.apiVersion, kind: MongoUser.kind },
      owns: [SECRET],
      async reconcile(mu, ctx) {
        const { username } = mu.spec;
        const database = mu.spec.database ?? "admin";
        const roles = mu.spec.roles ?? [];
        const uri = await adminUri(mu, ctx);
        const { password, version } = await passwordOf(mu, ctx);
        let conditions = mu.status?.conditions;
        if (version === "plaintext") {
          conditions = setCondition(conditions, {
            type: "PlaintextPassword",
            status: "True",
            reason: "Deprecated",
            message: "spec.password is plaintext in the object; use passwordSecretRef",
          });
          if (!mu.status?.conditions?.some((c) => c.type === "PlaintextPassword")) {
            await ctx.event({
              type: "Warning",
              reason: "PlaintextPassword",
              note: "spec.password is stored in plaintext; move it to a Secret and use passwordSecretRef",
            });
          }
        }
        const changed =
          mu.status?.secretVersion !== version ||
          JSON.stringify(mu.status?.requestedRoles ?? null) !== JSON.stringify(roles);
        let rolesApplied = mu.status?.rolesApplied ?? false;
        let created = mu.status?.created ?? false;
        if (changed) {
          await withMongo(uri, async (c) => {
            const db = c.db(database);
            const info = (await db.command({ usersInfo: username })) as { users: unknown[] };
            const exists = info.users.length > 0;
            // Record ownership before creating, so a delete at any moment after knows to drop it.
            if (!exists && !created) {
              await ctx.patchStatus({ created: true });
              created = true;
            }
            const write = async (withRoles: string[]) =>
              exists
                ? db.command({ updateUser: username, pwd: password, roles: withRoles })
                : db.command({ createUser: username, pwd: password, roles: withRoles });
            try {
              await write(roles);
              rolesApplied = true;
            } catch (e) {
              if (!roles.length || !/not implemented/i.test((e as Error).message))
                throw new PermanentError(
                  `cannot ${exists ? "update" : "create"} user ${username}: ${(e as Error).message}`,
                );
              await write([]);
              rolesApplied = false;
            }
          });
          // Prove the password: log in as the user.
          const asUser = new URL(uri);
          asUser.username = encodeURIComponent(username);
          asUser.password = encodeURIComponent(password);
          asUser.searchParams.set("authSource", database);
          await withMongo(
            asUser.toString(),
            async (c) => void (await c.db(database).command({ ping: 1 })),
          );
        }
        conditions = setCondition(
          conditions,
          rolesApplied || !roles.length
            ? { type: "RolesApplied", status: "True", reason: "Applied", message: "" }
            : {
                type: "RolesApplied",
                status: "False",
                reason: "NotSupported",
                message: `the server cannot apply roles; the user has none of ${roles.join(", ")}`,
              },
        );
        await ctx.patchStatus({
          created,
          secretVersion: version,
          requestedRoles: roles,
          rolesApplied,
          conditions,
        });
        return done();
      },
      async cleanup(mu, ctx) {
        if (!mu.status?.created) return;
        const uri = await adminUri(mu, ctx);
        await withMongo(
          uri,
          async (c) =>
            void (await c
              .db(mu.spec.database ?? "admin")
              .command({ dropUser: mu.spec.username })
              .catch((e: Error) => {
                if (!/not found|UserNotFound/i.test(e.message)) throw e;
              })),
        );
      },
    }),
  { name: "mongouser" },
);

export { MongoUser };
