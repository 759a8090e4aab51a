/**
 * The MySQLDatabase operator (seed 002). For a MySQLDatabase named X, on the server whose
 * admin account is in the Secret `spec.adminSecretRef`: a database X and a user X with a
 * random password (node:crypto), granted that database, and a Secret `X-mysql` (host, port,
 * database, username, password) that the MySQLDatabase controls.
 *
 * Guarantees:
 * - Nothing it does not own is changed. Reserved schemas and accounts (`mysql`, `sys`,
 *   `root`…, and the admin's own user) are refused (`Reserved`). A database or user is
 *   claimed in the server's ownership ledger (sql.ts) before it is created; one that exists
 *   without a record, or is recorded for another MySQLDatabase — the same name in another
 *   namespace — is refused (`Conflict`). A Secret `X-mysql` that it does not control is
 *   refused (`Conflict`) before any password is set, so no password exists anywhere but in
 *   a Secret it owns. The admin Secret is only read.
 * - Idempotent: re-reconciling never changes the password or writes anything once converged.
 * - A deleted `X-mysql` Secret is recreated with a NEW password and the user is updated: the
 *   old password is kept nowhere else (secrets only in Secrets), so rotating is the answer.
 * - On delete (a finalizer) it drops only what the ledger says this object (by uid) created,
 *   then releases the record — unless `deletionPolicy: Retain`, which keeps both.
 * - Failures end in `Reconciled=False` with a reason and a Warning Event naming the object
 *   and the field; passwords never appear in logs, Events or status (server errors are
 *   rewrapped without the driver's SQL text).
 * Caveats: the ledger is per server, so pointing `spec.adminSecretRef` at another server
 * leaves what was created on the first one in place; deleting needs the admin Secret.
 */
import { randomBytes } from "node:crypto";
import { NotFoundError } from "capstan/client";
import type { ObjectOf } from "capstan";
import {
  childName,
  defineOperator,
  done,
  mayDropExternal,
  ownerMark,
  OwnershipConflictError,
  referencedBy,
  type ReconcileContext,
} from "capstan";
import { adminRefProblem, readAdmin, who } from "./admin.js";
import { MySQLDatabase } from "./resources.js";
import { claimBoth, owner, refuseAdminUser, refuseName, withServer } from "./server.js";
import { dropDatabase, dropUser, ensure, openLedger } from "./sql.js";

type Db = ObjectOf<typeof MySQLDatabase>;
const SECRET = { apiVersion: "v1", kind: "Secret" } as const;

/** The credentials Secret if it exists; a Conflict when this object does not control it. */
async function ownSecret(db: Db, name: string, ctx: ReconcileContext<Db>) {
  const ref = { ...SECRET, namespace: db.metadata.namespace!, name };
  const live = await ctx.client
    .get(ref)
    .catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
  const controller = live?.metadata?.ownerReferences?.find((r) => r.controller);
  if (live && controller?.uid !== db.metadata.uid) {
    const me = who(db);
    const holder = controller
      ? `it is controlled by ${controller.kind} ${controller.name}`
      : "it has no controller";
    throw new OwnershipConflictError(
      `${me}: Secret ${ref.namespace}/${name} already exists and does not belong to it (${holder}); nothing was changed and no password was set. Delete or rename the Secret, or give the MySQLDatabase another name`,
      me,
      `Secret ${ref.namespace}/${name}`,
    );
  }
  return live;
}

async function reconcile(db: Db, ctx: ReconcileContext<Db>) {
  const name = db.metadata.name!;
  refuseName(db);
  const admin = await readAdmin(db, ctx.client);
  refuseAdminUser(db, admin);
  const secretName = childName(db, "mysql", { rule: "dns1123-subdomain" });
  // Checked before the server is touched: a password set on the user must land in a Secret
  // this object owns, never in someone else's.
  const existing = await ownSecret(db, secretName, ctx);
  let kept = existing?.data?.password
    ? Buffer.from(existing.data.password, "base64").toString("utf8")
    : undefined;
  let password = kept ?? randomBytes(24).toString("base64url");
  const setOnServer = (rotate: boolean) =>
    withServer(db, admin, [password], async (c) => {
      await claimBoth(await openLedger(c), c, db, admin);
      await ensure(c, name, password, rotate);
    });
  const writeSecret = () =>
    ctx.ensureChild({
      ...SECRET,
      metadata: { name: secretName, namespace: db.metadata.namespace },
      type: "Opaque",
      stringData: {
        host: admin.host,
        port: String(admin.port),
        database: name,
        username: name,
        password,
      },
    });
  await setOnServer(kept === undefined);
  let { outcome } = await writeSecret();
  if (outcome === "created" && kept !== undefined) {
    // The Secret was deleted between our read and this write, so it came back with the
    // password it had: a deletion asks for a new one, whenever it lands.
    password = randomBytes(24).toString("base64url");
    await setOnServer(true);
    ({ outcome } = await writeSecret());
    kept = undefined;
  }
  if (outcome !== "unchanged") {
    const reason = !existing ? "Created" : kept === undefined ? "PasswordRotated" : "Updated";
    if (reason === "PasswordRotated")
      ctx.log.info("the credentials Secret lost its password; a new one was set");
    await ctx.event({
      reason,
      note: `database and user ${name} ready; credentials in Secret ${secretName}`,
    });
  }
  await ctx.patchStatus({ database: name, secret: secretName });
  return done();
}

async function cleanup(db: Db, ctx: ReconcileContext<Db>) {
  if ((db.spec.deletionPolicy ?? "Delete") === "Retain") {
    ctx.log.info("deletionPolicy Retain: keeping the user, the database and their ledger records");
    return;
  }
  const name = db.metadata.name!;
  // Nothing was ever created for a name or a reference that was refused.
  if (adminRefProblem(db)) return;
  try {
    refuseName(db);
  } catch {
    return;
  }
  const admin = await readAdmin(db, ctx.client);
  if (name.toLowerCase() === admin.user.toLowerCase()) return;
  const me = owner(db);
  await withServer(db, admin, [], async (c) => {
    const ledger = await openLedger(c);
    for (const [resource, drop] of [
      [`user:${name}`, dropUser],
      [`database:${name}`, dropDatabase],
    ] as const) {
      if (!(await mayDropExternal(ledger, me, resource))) continue;
      await drop(c, name);
      await ledger.release(resource, ownerMark(me));
    }
  });
}

export default defineOperator(
  (op) =>
    void op.controller({
      name: "mysqldatabase",
      for: MySQLDatabase,
      owns: [SECRET],
      // A change of an admin Secret re-queues every MySQLDatabase that names it: a fixed
      // Secret takes effect at once (admin.ts refuses a broken one without retrying).
      indexers: {
        adminSecret: (db) => [`${db.metadata.namespace}/${db.spec.adminSecretRef.name}`],
      },
      watches: [{ kind: SECRET, map: referencedBy("adminSecret") }],
      reconcile,
      cleanup,
    }),
  { name: "mysqldatabase" },
);

export { MySQLDatabase };
