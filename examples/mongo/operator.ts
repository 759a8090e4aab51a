/**
 * The MongoUser operator (seed 000): creates, updates (password, roles) and drops a MongoDB
 * user, then logs in as that user to prove the password works.
 *
 * Guarantees:
 * - It never takes over an account: built-in names (admin, root, __system, the admin
 *   connection string's own user) and databases (local, config, the ledger's) are refused
 *   with reason `Reserved`; a user that exists without a ledger record, or recorded for
 *   another MongoUser (another namespace too), is refused with `Conflict` and not changed.
 *   The claim is recorded in the server (ledger.ts) BEFORE createUser.
 * - It drops a user only when the ledger says this object (by uid) created it, then
 *   releases the record.
 * - It never writes a Secret it does not own (password.ts) and only reads the admin Secret.
 * - The admin connection string is validated first (uri.ts); no message, Event, status or
 *   log line carries a password: server and driver errors are redacted.
 * - Servers that cannot apply roles (FerretDB v1 answers "not implemented") get the user
 *   without roles and the status says so: `RolesApplied=False`, reason NotSupported.
 * Assumption: `spec.username` and `spec.database` are immutable (the schema says so).
 *
 * Admission (admission.ts): `spec.username` defaults to the object's name, and the reserved
 * names are refused when an object is written, where a webhook is served; this controller
 * does not rely on it and checks them again.
 */
import { MongoClient, MongoServerError, type MongoClientOptions } from "mongodb";
import { truncateUtf8 } from "capstan";
import type { ObjectOf } from "capstan";
import {
  claimExternal,
  defineOperator,
  done,
  mayDropExternal,
  ownerMark,
  OwnershipConflictError,
  PermanentError,
  referencedBy,
  setCondition,
  TemporaryError,
  type Condition,
  type ReconcileContext,
} from "capstan";
import { mongoUserAdmission } from "./admission.js";
import { mongoLedger, refuseReservedNames } from "./ledger.js";
import { passwordOf, readSecret, SECRET, who, type Mu, type Password } from "./password.js";
import { MongoUser } from "./resources.js";
import { parseAdminUri, redact, type AdminUri } from "./uri.js";

/** The spec comes from the resource; its status schema keeps any field, so name ours. */
type MongoUserObject = ObjectOf<typeof MongoUser> & {
  status?: {
    user?: string;
    secretVersion?: string;
    requestedRoles?: string[];
    rolesApplied?: boolean;
    conditions?: Condition[];
  };
};
const KIND = { apiVersion: MongoUser.apiVersion, kind: MongoUser.kind };
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function adminOf(mu: Mu, ctx: ReconcileContext<Mu>): Promise<AdminUri> {
  const ns = mu.metadata.namespace!;
  const name = mu.spec.adminSecretRef.name;
  const s = await readSecret(ctx, ns, name);
  const raw = s?.data?.uri === undefined ? "" : Buffer.from(s.data.uri, "base64").toString();
  // Only an edit of the Secret can fix these, and that edit re-queues this object (the
  // controller watches the Secrets its objects name): nothing to retry meanwhile.
  if (!raw)
    throw new PermanentError(
      `${who(mu)}: spec.adminSecretRef: Secret ${ns}/${name} with key uri not found`,
      { reason: "AdminSecretMissing" },
    );
  const parsed = parseAdminUri(raw);
  if ("problem" in parsed)
    throw new PermanentError(
      `${who(mu)}: spec.adminSecretRef: Secret ${ns}/${name} key uri is not a MongoDB connection string: ${parsed.problem}`,
      { reason: "InvalidAdminSecret" },
    );
  return parsed;
}

/** Run `f` on a connection; any error but the operator's own leaves redacted. */
async function withMongo<T>(
  uri: string,
  secrets: readonly string[],
  what: string,
  f: (c: MongoClient) => Promise<T>,
  opts: MongoClientOptions = {},
): Promise<T> {
  const c = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, ...opts });
  try {
    await c.connect();
    return await f(c);
  } catch (e) {
    if (e instanceof TemporaryError || e instanceof PermanentError) throw e;
    throw new TemporaryError(redact(`${what}: ${errorText(e)}`, secrets), { delay: 10_000 });
  } finally {
    await c.close().catch(() => undefined);
  }
}

/** Claim `db.username` in the ledger, then create or update it; whether roles applied. */
async function writeUser(c: MongoClient, mu: Mu, pw: Password, secrets: string[]) {
  const { username, database = "admin", roles = [] } = mu.spec;
  const user = `${database}.${username}`;
  const owner = { ...mu, ...KIND };
  const db = c.db(database);
  const exists = async () =>
    ((await db.command({ usersInfo: username })) as { users: unknown[] }).users.length > 0;
  const ledger = mongoLedger(c);
  const claim = await claimExternal(ledger, owner, user, {
    describe: `MongoDB user ${user}`,
    field: "spec.username",
    exists,
  });
  const update = claim === "ours" && (await exists());
  const write = (withRoles: string[]) =>
    db.command({
      [update ? "updateUser" : "createUser"]: username,
      pwd: pw.password,
      roles: withRoles,
    });
  const fail = async (e: unknown): Promise<never> => {
    if (!(e instanceof MongoServerError)) throw e; // the connection: withMongo retries
    const why = redact(e.message, secrets);
    if (e.code === 51003) {
      // Created by someone else between the check and our createUser: not ours after all.
      await ledger.release(user, ownerMark(owner));
      throw new OwnershipConflictError(
        `${who(mu)}: MongoDB user ${user} was created by someone else meanwhile; nothing was changed. Choose another spec.username`,
        who(mu),
        `MongoDB user ${user}`,
      );
    }
    throw new PermanentError(
      `${who(mu)}: cannot ${update ? "update" : "create"} MongoDB user ${user} with the password from ${pw.source}: ${why}`,
      { reason: /stringprep|normaliz|password/i.test(why) ? "PasswordRejected" : undefined },
    );
  };
  const action = update ? "updated" : "created";
  try {
    await write(roles);
    return { action, rolesApplied: true };
  } catch (e) {
    if (!roles.length || !/not implemented/i.test(errorText(e))) return fail(e);
  }
  await write([]).catch(fail);
  return { action, rolesApplied: false };
}

async function reconcile(mu: MongoUserObject, ctx: ReconcileContext<Mu>) {
  const { username, database = "admin", roles = [] } = mu.spec;
  const user = `${database}.${username}`;
  const admin = await adminOf(mu, ctx);
  refuseReservedNames({ ...mu, ...KIND }, { username, database, roles }, admin.username);
  const pw = await passwordOf(mu, ctx);
  const secrets = [...admin.secrets, pw.password];
  let conditions = mu.status?.conditions;
  if (pw.version === "plaintext") {
    conditions = setCondition(conditions, {
      type: "PlaintextPassword",
      status: "True",
      reason: "Deprecated",
      message: "spec.password is plaintext in the object; use passwordSecretRef",
    });
    if (!mu.status?.conditions?.some((c) => c.type === "PlaintextPassword"))
      await ctx.event({
        type: "Warning",
        reason: "PlaintextPassword",
        note: "spec.password is stored in plaintext; move it to a Secret and use passwordSecretRef",
      });
  }
  let rolesApplied = mu.status?.rolesApplied ?? false;
  const changed =
    mu.status?.user !== user ||
    mu.status?.secretVersion !== pw.version ||
    JSON.stringify(mu.status?.requestedRoles ?? null) !== JSON.stringify(roles);
  if (changed) {
    // Recorded before the claim: cleanup looks in the ledger only when a claim may exist.
    await ctx.patchStatus({ user });
    const where = `${who(mu)}: cannot reach MongoDB with the admin Secret ${mu.metadata.namespace}/${mu.spec.adminSecretRef.name}`;
    const wrote = await withMongo(admin.uri, secrets, where, (c) => writeUser(c, mu, pw, secrets));
    rolesApplied = wrote.rolesApplied;
    await withMongo(
      admin.uri,
      secrets,
      `${who(mu)}: cannot log in as MongoDB user ${user} with the password from ${pw.source}`,
      async (c) => void (await c.db(database).command({ ping: 1 })),
      { auth: { username, password: pw.password }, authSource: database },
    );
    ctx.log.info({ user, password: pw.source }, `MongoDB user ${wrote.action}; login checked`);
  }
  const rolesMessage = `the server cannot apply roles; the user has none of ${roles.join(", ")}`;
  conditions = setCondition(
    conditions,
    rolesApplied || !roles.length
      ? { type: "RolesApplied", status: "True", reason: "Applied", message: "" }
      : {
          type: "RolesApplied",
          status: "False",
          reason: "NotSupported",
          message: truncateUtf8(rolesMessage, 1024),
        },
  );
  await ctx.patchStatus({
    user,
    secretVersion: pw.version,
    requestedRoles: roles,
    rolesApplied,
    conditions,
  });
  return done();
}

async function cleanup(mu: MongoUserObject, ctx: ReconcileContext<Mu>) {
  if (!mu.status?.user) return; // never claimed anything: the ledger cannot hold its mark
  const { username, database = "admin" } = mu.spec;
  const user = `${database}.${username}`;
  const owner = { ...mu, ...KIND };
  const admin = await adminOf(mu, ctx);
  await withMongo(admin.uri, admin.secrets, `${who(mu)}: cannot drop ${user}`, async (c) => {
    const ledger = mongoLedger(c);
    if (!(await mayDropExternal(ledger, owner, user))) return;
    await c
      .db(database)
      .command({ dropUser: username })
      .catch((e: Error) => {
        if (!/not found|UserNotFound/i.test(e.message)) throw e;
      });
    await ledger.release(user, ownerMark(owner));
  });
}

/** The Secrets a MongoUser reads, as `namespace/name` (the default password Secret is owned). */
function secretsNamed(mu: MongoUserObject): string[] {
  const names = [mu.spec.adminSecretRef.name, mu.spec.passwordSecretRef?.name];
  return names.filter((n) => n !== undefined).map((n) => `${mu.metadata.namespace}/${n}`);
}

export default defineOperator(
  (op) => {
    mongoUserAdmission(op);
    op.controller({
      name: "mongouser",
      for: MongoUser,
      owns: [SECRET],
      // A change of the admin Secret or of a password Secret (owned or not) re-queues every
      // MongoUser that names it: no polling, no retry loop while a Secret is wrong.
      indexers: { secrets: secretsNamed },
      watches: [{ kind: SECRET, map: referencedBy("secrets") }],
      reconcile,
      cleanup,
    });
  },
  { name: "mongouser" },
);

export { MongoUser };
