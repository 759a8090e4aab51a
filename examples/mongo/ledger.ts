/**
 * Which MongoUser created which MongoDB user, recorded in the server itself, and the names
 * no MongoUser may have.
 *
 * The ledger is the collection `capstan_ownership.owners`, one document per user keyed
 * `<authDb>.<username>` (the key MongoDB uses in `admin.system.users`: `admin.x` and `app.x`
 * are two users), holding `ownerMark(owner)` — kind, namespace/name and uid. The operator
 * writes it only through the admin connection; the insert on the unique `_id` is the atomic
 * claim (`claimExternal` in the runtime makes the decisions on top).
 *
 * Caveat: FerretDB v1 has no authorization, so any authenticated user could write the
 * ledger there; on MongoDB grant MongoUsers no role on `capstan_ownership` (it is refused as
 * an authentication database, so a MongoUser cannot ask for one itself).
 */
import type { MongoClient } from "mongodb";
import { PermanentError, refuseReserved, type Ledger } from "capstan";

export const LEDGER_DB = "capstan_ownership";

interface Record {
  _id: string;
  owner: string;
  at: Date;
}

export function mongoLedger(client: MongoClient): Ledger {
  const owners = client.db(LEDGER_DB).collection<Record>("owners");
  return {
    read: async (user) => (await owners.findOne({ _id: user }))?.owner,
    async claim(user, mark) {
      try {
        await owners.insertOne({ _id: user, owner: mark, at: new Date() });
        return true;
      } catch (e) {
        if ((e as { code?: unknown }).code === 11000) return false; // duplicate key: taken
        throw e;
      }
    },
    release: async (user, mark) => void (await owners.deleteOne({ _id: user, owner: mark })),
  };
}

/** Accounts that exist on every server or run it (`__system` is MongoDB's internal user). */
export const RESERVED_USERS = ["admin", "root", "__system"];
/** MongoDB refuses users in `local` and `config`; the ledger's database is the operator's. */
export const RESERVED_DATABASES = ["local", "config", LEDGER_DB];
/** Built-in roles over every database or the cluster: a tenant's user never gets them. */
const POWER_ROLES = [
  "root",
  "__system",
  "__queryableBackup",
  "readAnyDatabase",
  "readWriteAnyDatabase",
  "userAdminAnyDatabase",
  "dbAdminAnyDatabase",
  "clusterAdmin",
  "clusterManager",
  "clusterMonitor",
  "hostManager",
  "backup",
  "restore",
  "enableSharding",
];
/** On `admin` these manage every user, so they can grant themselves root. */
const ADMIN_DB_ROLES = ["userAdmin", "dbOwner"];

type Owner = Parameters<typeof refuseReserved>[0];
interface Names {
  username: string;
  database: string;
  roles: readonly string[];
}

/** The reserved-name rules, one per field, each throwing as `refuseReserved` does. */
function reservedRules(owner: Owner, names: Names, adminUser: string | undefined) {
  const { username, database, roles } = names;
  const power = database === "admin" ? [...POWER_ROLES, ...ADMIN_DB_ROLES] : POWER_ROLES;
  return {
    "spec.username": () =>
      refuseReserved(owner, username, {
        describe: `MongoDB user ${database}.${username}`,
        field: "spec.username",
        reserved: adminUser ? [...RESERVED_USERS, adminUser] : RESERVED_USERS,
      }),
    "spec.database": () =>
      refuseReserved(owner, database, {
        describe: `the authentication database ${database}`,
        field: "spec.database",
        reserved: RESERVED_DATABASES,
      }),
    "spec.roles": () => {
      const role = roles.find((r) => power.some((p) => p.toLowerCase() === r.toLowerCase()));
      if (role !== undefined)
        throw new PermanentError(
          `${owner.kind} ${owner.metadata.namespace}/${owner.metadata.name}: spec.roles "${role}" is refused: on database ${database} it reaches other databases or the cluster, which a MongoUser's user never gets`,
          { reason: "Reserved" },
        );
    },
  };
}

/** Refuse (PermanentError, reason `Reserved`) a name or role that is never a MongoUser's. */
export function refuseReservedNames(owner: Owner, names: Names, adminUser: string | undefined) {
  for (const rule of Object.values(reservedRules(owner, names, adminUser))) rule();
}

/**
 * The first reserved name or role, as its field and the operator's message (without the
 * object and the field, which admission shows itself); the admin Secret's own user is left to the
 * operator, which reads the Secret.
 */
export function reservedProblem(owner: Owner, names: Names) {
  for (const [field, rule] of Object.entries(reservedRules(owner, names, undefined)))
    try {
      rule();
    } catch (e) {
      if (!(e instanceof PermanentError)) throw e;
      return { field, message: e.message.replace(/^[^:]*: /, "").replace(`${field} `, "") };
    }
  return undefined;
}
