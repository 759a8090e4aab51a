/**
 * The MySQLDatabase's decisions about the server: which names it may never take, claiming
 * its database and user in the ownership ledger, and one admin connection per reconcile
 * whose failures carry no SQL text (mysql2 errors hold the statement, passwords included,
 * and the controller logs errors with all their fields).
 */
import {
  claimExternal,
  ownerMark,
  PermanentError,
  refuseReserved,
  TemporaryError,
  type ApiObject,
  type Ledger,
} from "capstan";
import { who, type AdminAccount } from "./admin.js";
import { MySQLDatabase } from "./resources.js";
import { checkName, connect, databaseExists, RESERVED, userExists, type Admin } from "./sql.js";
import type mysql from "mysql2/promise";

/** The object as the ledger and its messages see it: with its kind. */
export const owner = (db: ApiObject) => ({ ...db, kind: MySQLDatabase.kind });

/** Reserved and invalid names, refused before anything is read or written. */
export function refuseName(db: ApiObject): void {
  const name = db.metadata.name!;
  refuseReserved(owner(db), name, {
    describe: `MySQL's own schema or account ${JSON.stringify(name)}`,
    reserved: RESERVED,
    field: "metadata.name",
  });
  const problem = checkName(name);
  if (problem) throw new PermanentError(`${who(db)}: ${problem}`, { reason: "InvalidName" });
}

/** The admin account's own user: a MySQLDatabase of that name would take it over. */
export function refuseAdminUser(db: ApiObject, admin: AdminAccount): void {
  refuseReserved(owner(db), db.metadata.name!, {
    describe: `the admin account's user ${JSON.stringify(admin.user)} (Secret ${admin.secret})`,
    reserved: [admin.user],
    field: "metadata.name",
  });
}

/**
 * Claim the database and the user named after `db` — both or neither: a claim taken now is
 * released when the other is refused, so a database made by hand later under a claimed
 * name is never dropped as this object's.
 */
export async function claimBoth(
  ledger: Ledger,
  c: mysql.Connection,
  db: ApiObject,
  admin: Admin,
): Promise<void> {
  const name = db.metadata.name!;
  const me = owner(db);
  const where = `on ${admin.host}:${admin.port}`;
  const field = "metadata.name";
  const taken: string[] = [];
  const wanted = [
    [`database:${name}`, `MySQL database ${name} ${where}`, () => databaseExists(c, name)],
    [`user:${name}`, `MySQL user ${name} ${where}`, () => userExists(c, name)],
  ] as const;
  try {
    for (const [resource, describe, exists] of wanted) {
      const got = await claimExternal(ledger, me, resource, { describe, exists, field });
      if (got === "claimed") taken.push(resource);
    }
  } catch (e) {
    for (const r of taken) await ledger.release(r, ownerMark(me));
    throw e;
  }
}

const scrub = (text: string, secrets: string[]) =>
  secrets.filter(Boolean).reduce((t, s) => t.split(s).join("***"), text);

/**
 * Run `f` on an admin connection. Driver errors become a `TemporaryError` with the driver's
 * message only (scrubbed of `secrets` and the admin password); user intent passes through.
 */
export async function withServer<T>(
  db: ApiObject,
  admin: AdminAccount,
  secrets: string[],
  f: (c: mysql.Connection) => Promise<T>,
): Promise<T> {
  const hide = [...secrets, admin.password];
  const at = `MySQL at ${admin.host}:${admin.port} as ${admin.user} (admin Secret ${admin.secret})`;
  let c;
  try {
    c = await connect(admin);
  } catch (e) {
    throw new TemporaryError(
      `${who(db)}: cannot reach ${at}: ${scrub((e as Error).message, hide)}`,
      { delay: 10_000, reason: "ServerUnavailable" },
    );
  }
  try {
    return await f(c);
  } catch (e) {
    if (e instanceof TemporaryError || e instanceof PermanentError) throw e;
    throw new TemporaryError(
      `${who(db)}: ${at} refused: ${scrub(String((e as Error).message), hide)}`,
      {
        reason: "ServerError",
      },
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}
