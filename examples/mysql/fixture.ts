/**
 * What the MySQLDatabase tests share: the local control plane, a real MariaDB on loopback,
 * the CRD, namespaces made up front (each with the admin Secret `admin`, so one operator
 * scoped to them serves every test of a file), and the reads a test asserts with. Namespaces
 * are made up front because two test files run at once: an operator watching every
 * namespace would reconcile the other file's objects against the wrong server.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { KubeClient } from "capstan/client";
import { installCrds } from "capstan/runtime";
import { eventsFor, testNamespace, useControlPlane, type TestControlPlane } from "capstan/testing";
// The test servers are this repository's test infrastructure, not part of the package.
import { startMariaDB, type MariaDB } from "../../src/testing/servers/mariadb.js";
import { MySQLDatabase } from "./resources.js";

export const SECRET = { apiVersion: "v1", kind: "Secret" } as const;

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export interface Fixture {
  cp: TestControlPlane;
  kube: KubeClient;
  kubeconfig: string;
  server: MariaDB;
  namespaces: string[];
  /** A query as the server's root account. */
  sql(query: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Log in as `user` (and create a table in `database`): rejects when either is refused. */
  login(user: string, password: string, database?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startFixture(spaces: number): Promise<Fixture> {
  const cp = await useControlPlane();
  const kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  const server = await startMariaDB();
  await installCrds(kube, [MySQLDatabase]);
  const made = await Promise.all(
    Array.from({ length: spaces }, () => testNamespace(kube, "mysql")),
  );
  for (const ns of made)
    await kube.create({
      ...SECRET,
      metadata: { name: "admin", namespace: ns.name },
      stringData: {
        host: server.host,
        port: String(server.port),
        username: server.user,
        password: server.password,
      },
    });
  const connect = (user: string, password: string, database?: string) =>
    mysql.createConnection({ host: server.host, port: server.port, user, password, database });
  return {
    cp,
    kube,
    kubeconfig: cp.kubeconfig,
    server,
    namespaces: made.map((n) => n.name),
    async sql(query, values = []) {
      const c = await connect(server.user, server.password);
      try {
        return (await c.query(query, values))[0] as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    },
    async login(user, password, database) {
      const c = await connect(user, password, database);
      try {
        await c.query(database ? "CREATE TABLE IF NOT EXISTS t (id INT)" : "SELECT 1");
      } finally {
        await c.end();
      }
    },
    async stop() {
      for (const ns of made) await ns.dispose();
      await server.stop();
    },
  };
}

export const ref = (namespace: string, name: string) => ({
  apiVersion: MySQLDatabase.apiVersion,
  kind: MySQLDatabase.kind,
  namespace,
  name,
});

export const createDb = (
  kube: KubeClient,
  namespace: string,
  name: string,
  spec: Record<string, unknown> = {},
) =>
  kube.create({
    ...ref(namespace, name),
    metadata: { name, namespace },
    spec: { adminSecretRef: { name: "admin" }, ...spec },
  });

/** The decoded keys of the credentials Secret `<name>-mysql`. */
export async function credentials(kube: KubeClient, namespace: string, name: string) {
  const s = await kube.get({ ...SECRET, namespace, name: `${name}-mysql` });
  return Object.fromEntries(
    Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );
}

export async function condition(
  kube: KubeClient,
  namespace: string,
  name: string,
  type = "Reconciled",
): Promise<Condition | undefined> {
  const obj = (await kube.get(ref(namespace, name))) as {
    status?: { conditions?: Condition[] };
  };
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** Waits for nothing: asserts the object already failed with `reason`, and returns it. */
export async function failedWith(
  kube: KubeClient,
  namespace: string,
  name: string,
  reason: string,
): Promise<Condition> {
  const c = await condition(kube, namespace, name);
  assert.equal(c?.status, "False", `${namespace}/${name}: ${JSON.stringify(c)}`);
  assert.equal(c?.reason, reason, `${namespace}/${name}: ${c?.message}`);
  return c!;
}

/** Asserts a Warning Event with `reason` was recorded about the object. */
export async function warned(kube: KubeClient, namespace: string, name: string, reason: string) {
  const events = await eventsFor(kube, await kube.get(ref(namespace, name)));
  const hit = events.find((e) => e.type === "Warning" && e.reason === reason);
  assert.ok(hit, `a Warning ${reason} about ${namespace}/${name}`);
  return hit;
}

/** The server's accounts and their database grants, to compare before and after. */
export async function accounts(f: Fixture): Promise<string> {
  const users = await f.sql("SELECT User, Host, Priv FROM mysql.global_priv ORDER BY User, Host");
  const dbs = await f.sql("SELECT Host, Db, User FROM mysql.db ORDER BY Host, Db, User");
  return JSON.stringify({ users, dbs });
}

export async function databases(f: Fixture): Promise<string[]> {
  return (await f.sql("SHOW DATABASES")).map((r) => String(r.Database));
}

/** Asserts no value of `secrets` is in a log line, an Event note or a MySQLDatabase status. */
export async function assertNoneShown(
  f: Fixture,
  namespace: string,
  lines: string[],
  secrets: Iterable<string>,
): Promise<void> {
  const { items: events } = await f.kube.list({
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    namespace,
  } as const);
  const { items: dbs } = await f.kube.list({
    apiVersion: MySQLDatabase.apiVersion,
    kind: MySQLDatabase.kind,
    namespace,
  });
  const shown = [
    ...lines,
    ...events.map((e) => e.note ?? ""),
    ...dbs.map((d) => JSON.stringify(d.status ?? {})),
  ];
  for (const s of secrets)
    assert.ok(!shown.some((t) => t.includes(s)), "a password appears in a log, Event or status");
}
