/**
 * Everything said to MySQL/MariaDB, with identifiers validated and quoted and every value
 * sent as a placeholder (mysql2 escapes `??` as an identifier and `?` as a value).
 */
import mysql from "mysql2/promise";

export interface Admin {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** MySQL's limits: database names ≤ 64, user names ≤ 32 (MySQL 5.7; MariaDB allows 80). */
export function checkName(name: string): string | undefined {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    return `the name ${JSON.stringify(name)} must be lower-case letters, digits and '-' to be a MySQL database and user name`;
  }
  if (name.length > 32)
    return `the name ${JSON.stringify(name)} is ${name.length} characters; a MySQL user name may have at most 32`;
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

export async function databaseExists(c: mysql.Connection, name: string): Promise<boolean> {
  const [rows] = await c.query(
    "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
    [name],
  );
  return (rows as unknown[]).length > 0;
}

export async function userExists(c: mysql.Connection, name: string): Promise<boolean> {
  const [rows] = await c.query("SELECT User FROM mysql.user WHERE User = ? AND Host = '%'", [name]);
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

export async function drop(c: mysql.Connection, name: string, database: boolean): Promise<void> {
  await c.query("DROP USER IF EXISTS ?@'%'", [name]);
  if (database) await c.query("DROP DATABASE IF EXISTS ??", [name]);
}
