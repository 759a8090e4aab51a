/**
 * The MySQLDatabase operator (seed 002). For a MySQLDatabase named X, on the server whose
 * admin account is in the Secret `spec.adminSecretRef`: a database X and a user X with a
 * random password (node:crypto), granted that database, and a Secret `X-mysql` (host, port,
 * database, username, password) owned by the MySQLDatabase.
 *
 * - Idempotent: re-reconciling never changes the password or duplicates anything.
 * - A deleted `X-mysql` Secret is recreated with a NEW password and the user is updated:
 *   the old password is not kept anywhere else (secrets only in Secrets), so it cannot be
 *   restored; rotating is the safe answer to a Secret someone removed.
 * - On delete (a finalizer), the user and database are dropped — unless `deletionPolicy:
 *   Retain`, and never those that existed before this MySQLDatabase (it only drops what it
 *   created, recorded in its status).
 * - Names that cannot be MySQL names, a missing Secret, a wrong password or an unreachable
 *   server end in `Reconciled=False` with the reason and a Warning Event; passwords never
 *   appear in logs, Events or status.
 */
import { randomBytes } from "node:crypto";
import { NotFoundError } from "../../src/client/index.js";
import {
  defineOperator,
  done,
  ownerReference,
  PermanentError,
  TemporaryError,
  type KubeObject,
  type ReconcileContext,
} from "../../src/runtime/index.js";
import { MySQLDatabase } from "./resources.js";
import { checkName, connect, databaseExists, drop, ensure, userExists, type Admin } from "./sql.js";

type Db = KubeObject & {
  spec: { adminSecretRef: { name: string }; deletionPolicy?: "Delete" | "Retain" };
  status?: { createdDatabase?: boolean; createdUser?: boolean };
};
const SECRET = { apiVersion: "v1", kind: "Secret" } as const;
const decode = (v: string | undefined) =>
  v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");

async function adminOf(db: Db, ctx: ReconcileContext<Db>): Promise<Admin> {
  const ref = { ...SECRET, namespace: db.metadata.namespace!, name: db.spec.adminSecretRef.name };
  const secret = await ctx.client.get(ref).catch((e: unknown) => {
    if (e instanceof NotFoundError)
      throw new TemporaryError(`admin Secret ${ref.namespace}/${ref.name} not found`, {
        delay: 10_000,
      });
    throw e;
  });
  const d = secret.data ?? {};
  const admin = {
    host: decode(d.host),
    port: Number(decode(d.port) ?? 3306),
    user: decode(d.username),
    password: decode(d.password) ?? "",
  };
  if (!admin.host || !admin.user)
    throw new PermanentError(
      `admin Secret ${ref.namespace}/${ref.name} needs the keys host and username`,
    );
  return admin as Admin;
}

async function withServer<T>(
  admin: Admin,
  f: (c: Awaited<ReturnType<typeof connect>>) => Promise<T>,
): Promise<T> {
  let c;
  try {
    c = await connect(admin);
  } catch (e) {
    // The driver's message names the host and the failure, never the password.
    throw new TemporaryError(
      `cannot reach MySQL at ${admin.host}:${admin.port} as ${admin.user}: ${(e as Error).message}`,
      { delay: 10_000 },
    );
  }
  try {
    return await f(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export default defineOperator(
  (op) =>
    void op.controller<Db>({
      name: "mysqldatabase",
      for: { apiVersion: MySQLDatabase.apiVersion, kind: MySQLDatabase.kind },
      owns: [SECRET],
      async reconcile(db, ctx) {
        const name = db.metadata.name!;
        const problem = checkName(name);
        if (problem) throw new PermanentError(problem);
        const admin = await adminOf(db, ctx);
        const secretRef = { ...SECRET, namespace: db.metadata.namespace!, name: `${name}-mysql` };
        const existing = await ctx.client
          .get(secretRef)
          .catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
        const kept = decode(existing?.data?.password);
        const password = kept ?? randomBytes(24).toString("base64url");
        await withServer(admin, async (c) => {
          // Record what this object creates BEFORE creating it: a delete that arrives at any
          // moment afterwards must know what it may drop.
          const createdDatabase = db.status?.createdDatabase ?? !(await databaseExists(c, name));
          const createdUser = db.status?.createdUser ?? !(await userExists(c, name));
          await ctx.patchStatus({ createdDatabase, createdUser });
          await ensure(c, name, password, kept === undefined);
        });
        if (!kept) {
          if (existing) ctx.log.info("the credentials Secret lost its password; a new one was set");
          await ctx.client.apply(
            {
              ...SECRET,
              metadata: {
                name: secretRef.name,
                namespace: secretRef.namespace,
                ownerReferences: [
                  ownerReference(db, {
                    apiVersion: MySQLDatabase.apiVersion,
                    kind: MySQLDatabase.kind,
                  }),
                ],
              },
              type: "Opaque",
              stringData: {
                host: admin.host,
                port: String(admin.port),
                database: name,
                username: name,
                password,
              },
            },
            { fieldManager: "mysqldatabase", force: true },
          );
          await ctx.event({
            reason: existing ? "PasswordRotated" : "Created",
            note: `database and user ${name} ready; credentials in Secret ${secretRef.name}`,
          });
        }
        await ctx.patchStatus({ database: name, secret: secretRef.name });
        return done();
      },
      async cleanup(db, ctx) {
        if ((db.spec.deletionPolicy ?? "Delete") === "Retain") {
          ctx.log.info("deletionPolicy Retain: keeping the user and database");
          return;
        }
        const name = db.metadata.name!;
        if (checkName(name)) return; // nothing was ever created for an invalid name
        const admin = await adminOf(db, ctx);
        await withServer(admin, async (c) => {
          if (db.status?.createdUser) await drop(c, name, false);
          if (db.status?.createdDatabase) await c.query("DROP DATABASE IF EXISTS ??", [name]);
        });
      },
    }),
  { name: "mysqldatabase" },
);

export { MySQLDatabase };
