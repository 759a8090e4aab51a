/**
 * Everything said to MySQL/MariaDB, with identifiers validated and quoted and every value
 * sent as a placeholder (mysql2 escapes `??` as an identifier and `?` as a value).
 *
 * The ownership ledger: the table `capstan_ownership.resources` (resource PRIMARY KEY,
 * owner mark), created by the admin account and writable only by accounts with global
 * privileges — never by the users this operator creates, which hold privileges on their own
 * database only. Its rows (`database:<name>`, `user:<name>`) say which MySQLDatabase (by
 * uid) created what; a claim is one INSERT on the primary key, so of two objects racing for
 * one name exactly one wins.
 */
import mysql from "mysql2/promise";
import type { Ledger } from "capstan";

export interface Admin {
  host: string;
  port: number;
  user: string;
  password: string;
}

export const LEDGER_SCHEMA = "capstan_ownership";

/**
 * Schemas and accounts that exist on every server and are never a MySQLDatabase's, matched
 * case-insensitively: granting `ALL ON mysql.*` hands out every password hash and, after a
 * restart, every privilege. The admin account's own user name is refused as well (it is
 * only known once its Secret is read). `test` is refused too: many servers still carry the
 * default grant that lets any account use the `test` schema, so its data would be anyone's.
 */
export const RESERVED = [
  "mysql",
  "sys",
  "information_schema",
  "performance_schema",
  "root",
  "mariadb.sys",
  "mysql.sys",
  "mysql.session",
  "mysql.infoschema",
  "debian-sys-maint",
  "PUBLIC",
  "test",
  LEDGER_SCHEMA,
] as const;

/**
 * MySQL's limits: database names ≤ 64, user names ≤ 32 (MySQL 5.7; MariaDB allows 80).
 * Only `[a-z0-9-]`: `_` and `%` are wildcards in a GRANT's database name, so a name with
 * them would grant more than its own database.
 */
export function checkName(name: string): string | undefined {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
    return `metadata.name ${JSON.stringify(name)} must be lower-case letters, digits and '-' to be a MySQL database and user name`;
  if (name.length > 32)
    return `metadata.name ${JSON.stringify(name)} is ${name.length} characters; a MySQL user name may have at most 32`;
  return undefined;
}

export async function connect(admin: Admin): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    connectTimeout: 5000,
  });
}

/** The ledger on this server, created if missing (needs global CREATE, INSERT, DELETE). */
export async function openLedger(c: mysql.Connection): Promise<Ledger> {
  await c.query("CREATE DATABASE IF NOT EXISTS ??", [LEDGER_SCHEMA]);
  await c.query(
    "CREATE TABLE IF NOT EXISTS ??.resources (resource VARCHAR(191) NOT NULL PRIMARY KEY, owner VARCHAR(512) NOT NULL) ENGINE=InnoDB",
    [LEDGER_SCHEMA],
  );
  return {
    async read(resource) {
      const [rows] = await c.query("SELECT owner FROM ??.resources WHERE resource = ?", [
        LEDGER_SCHEMA,
        resource,
      ]);
      return (rows as { owner: string }[])[0]?.owner;
    },
    async claim(resource, mark) {
      try {
        // Not INSERT IGNORE: it would also turn a too-long mark into a silently cut one.
        await c.query("INSERT INTO ??.resources (resource, owner) VALUES (?, ?)", [
          LEDGER_SCHEMA,
          resource,
          mark,
        ]);
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === "ER_DUP_ENTRY") return false;
        throw e;
      }
    },
    async release(resource, mark) {
      await c.query("DELETE FROM ??.resources WHERE resource = ? AND owner = ?", [
        LEDGER_SCHEMA,
        resource,
        mark,
      ]);
    },
  };
}

export async function databaseExists(c: mysql.Connection, name: string): Promise<boolean> {
  const [rows] = await c.query(
    "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
    [name],
  );
  return (rows as unknown[]).length > 0;
}

/** Any account or role of that user name, from any host: `x`@`localhost` is someone's too. */
export async function userExists(c: mysql.Connection, name: string): Promise<boolean> {
  const [rows] = await c.query("SELECT User FROM mysql.user WHERE User = ?", [name]);
  return (rows as unknown[]).length > 0;
}

/** Create what is missing; set the password when `setPassword`. Idempotent. */
export async function ensure(
  c: mysql.Connection,
  name: string,
  password: string,
  setPassword: boolean,
): Promise<void> {
  await c.query("CREATE DATABASE IF NOT EXISTS ??", [name]);
  await c.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [name, password]);
  if (setPassword) await c.query("ALTER USER ?@'%' IDENTIFIED BY ?", [name, password]);
  await c.query("GRANT ALL PRIVILEGES ON ??.* TO ?@'%'", [name, name]);
}

export async function dropUser(c: mysql.Connection, name: string): Promise<void> {
  await c.query("DROP USER IF EXISTS ?@'%'", [name]);
}

export async function dropDatabase(c: mysql.Connection, name: string): Promise<void> {
  await c.query("DROP DATABASE IF EXISTS ??", [name]);
}
