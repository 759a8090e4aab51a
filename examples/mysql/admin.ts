/**
 * The admin account of a MySQLDatabase: read from the Secret `spec.adminSecretRef` (keys
 * `host`, `port`, `username`, `password`) and validated. The Secret is only read — never
 * written, labelled or owned: it belongs to whoever runs the server.
 *
 * A Secret that is missing or malformed is a `PermanentError`: nothing but an edit of the
 * Secret (or of the MySQLDatabase) can fix it, and the controller watches the Secrets its
 * objects name (`watches`, operator.ts), so that edit re-queues them at once — a retry
 * every few seconds would only repeat the Warning. Messages name the MySQLDatabase, the
 * Secret and the key, and never a value from the Secret: a password pasted under the wrong
 * key must not end up in an Event.
 */
import { isIP } from "node:net";
import { NotFoundError, type KubeClient } from "capstan/client";
import { isDns1123Subdomain } from "capstan";
import { PermanentError, type ApiObject } from "capstan";
import type { Admin } from "./sql.js";

export type AdminRef = ApiObject & { spec: { adminSecretRef: { name: string } } };

/** The admin account and the Secret it came from (`namespace/name`, for messages). */
export type AdminAccount = Admin & { secret: string };

const HOSTNAME =
  /^[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?)*$/;

/** What is wrong with `host`, or undefined: a DNS name or an IP address, nothing else. */
export function hostProblem(host: string | undefined): string | undefined {
  if (host === undefined || host === "") return "is missing";
  if (isIP(host) !== 0) return undefined;
  if (host.length > 253 || !HOSTNAME.test(host))
    return "must be a host name (letters, digits, '-', '_' and '.') or an IP address";
  return undefined;
}

/** What is wrong with `port` (absent means 3306), or undefined. */
export function portProblem(port: string | undefined): string | undefined {
  if (port === undefined) return undefined;
  const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
  return n >= 1 && n <= 65535 ? undefined : "must be a whole number from 1 to 65535";
}

/** `MySQLDatabase namespace/name`, how every message names the object. */
export const who = (db: ApiObject) => `MySQLDatabase ${db.metadata.namespace}/${db.metadata.name}`;
const decode = (v: string | undefined) =>
  v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");

/** Whether `spec.adminSecretRef.name` can name a Secret at all. */
export function adminRefProblem(db: AdminRef): PermanentError | undefined {
  const name = db.spec.adminSecretRef.name;
  if (isDns1123Subdomain(name)) return undefined;
  return new PermanentError(
    `${who(db)}: spec.adminSecretRef.name ${JSON.stringify(name)} cannot name a Secret: it must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.')`,
    { reason: "InvalidName" },
  );
}

export async function readAdmin(db: AdminRef, client: KubeClient): Promise<AdminAccount> {
  const refused = adminRefProblem(db);
  if (refused) throw refused;
  const namespace = db.metadata.namespace!;
  const name = db.spec.adminSecretRef.name;
  const secret = `${namespace}/${name}`;
  const found = await client
    .get({ apiVersion: "v1", kind: "Secret", namespace, name } as const)
    .catch((e: unknown) => {
      if (e instanceof NotFoundError)
        throw new PermanentError(
          `${who(db)}: admin Secret ${secret} (spec.adminSecretRef.name) not found; creating it re-queues this object`,
          { reason: "AdminSecretNotFound" },
        );
      throw e;
    });
  const d = found.data ?? {};
  const host = decode(d.host);
  const port = decode(d.port);
  const user = decode(d.username);
  const problems = [
    ["host", hostProblem(host)],
    ["port", portProblem(port)],
    ["username", user ? undefined : "is missing"],
  ].filter(([, p]) => p !== undefined);
  if (problems.length > 0)
    throw new PermanentError(
      `${who(db)}: admin Secret ${secret} (spec.adminSecretRef.name): ${problems
        .map(([k, p]) => `key ${k} ${p}`)
        .join("; ")}; fixing the Secret re-queues this object`,
      { reason: "InvalidAdminSecret" },
    );
  return {
    host: host!,
    port: port === undefined ? 3306 : Number(port),
    user: user!,
    password: decode(d.password) ?? "",
    secret,
  };
}
