/**
 * What the MongoUser test files share: one FerretDB, the operator running with its log lines
 * kept (so a test can prove that no secret was ever logged), a namespace per test, and probes
 * of the server's state made as the admin — never through the operator.
 */
import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import { KubeClient } from "capstan/client";
import { installCrds } from "capstan/runtime";
import { eventsFor, runOperator, testNamespace, useControlPlane } from "capstan/testing";
// The test servers are this repository's test infrastructure, not part of the package.
import { startFerretDB, type FerretDB } from "../../src/testing/servers/ferretdb.js";
import operator, { MongoUser } from "./operator.js";

export const SECRET = { apiVersion: "v1", kind: "Secret" } as const;

export type Cond = { type: string; status: string; reason: string; message: string };
export type MuStatus = { status?: { conditions?: Cond[]; user?: string } };

export interface Harness {
  kube: KubeClient;
  fdb: FerretDB;
  /** Every line the operator logged, at debug level and above. */
  logs: string[];
  /** A fresh namespace with the admin Secret `mongo-admin` in it, watched by the operator. */
  namespace(): string;
  stop(): Promise<void>;
}

/**
 * Start FerretDB and the operator over `count` namespaces (the operator's watch is fixed);
 * with `webhooks`, its admission webhooks are served and registered for those namespaces.
 */
export async function startHarness(
  prefix: string,
  count: number,
  opts: { webhooks?: boolean } = {},
): Promise<Harness> {
  const cp = await useControlPlane();
  const kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  const fdb = await startFerretDB();
  await installCrds(kube, [MongoUser]);
  const spaces = await Promise.all(
    Array.from({ length: count }, () => testNamespace(kube, prefix)),
  );
  for (const ns of spaces) await foreignSecret(kube, ns.name, "mongo-admin", { uri: fdb.uri });
  const run = await runOperator(operator, {
    kubeconfig: cp.kubeconfig,
    namespaces: spaces.map((s) => s.name),
    captureLogs: true,
    webhooks: opts.webhooks,
  });
  let next = 0;
  return {
    kube,
    fdb,
    logs: run.logs(),
    namespace() {
      const ns = spaces[next++];
      if (!ns) throw new Error(`startHarness: only ${count} namespaces; raise the count`);
      return ns.name;
    },
    async stop() {
      await run.stop();
      await Promise.all(spaces.map((s) => s.dispose()));
      await fdb.stop();
    },
  };
}

/** A Secret made by hand (no owner), as a user or another tool would. */
export const foreignSecret = (
  kube: KubeClient,
  namespace: string,
  name: string,
  stringData: Record<string, string>,
) => kube.create({ ...SECRET, metadata: { name, namespace }, stringData });

export const muRef = (namespace: string, name: string) => ({
  apiVersion: MongoUser.apiVersion,
  kind: MongoUser.kind,
  namespace,
  name,
});

export function createMu(
  kube: KubeClient,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
) {
  return kube.create({
    apiVersion: MongoUser.apiVersion,
    kind: MongoUser.kind,
    metadata: { name, namespace },
    spec: { adminSecretRef: { name: "mongo-admin" }, ...spec },
  });
}

export async function condOf(kube: KubeClient, namespace: string, name: string, type: string) {
  const mu = (await kube.get(muRef(namespace, name))) as MuStatus;
  return mu.status?.conditions?.find((c) => c.type === type);
}

/** Whether `user`@`db` can log in with `password` (a fresh connection each time). */
export async function canLogin(
  fdb: FerretDB,
  user: string,
  password: string,
  db = "admin",
): Promise<boolean> {
  const c = new MongoClient(`mongodb://127.0.0.1:${fdb.port}/`, {
    auth: { username: user, password },
    authSource: db,
    serverSelectionTimeoutMS: 5000,
  });
  try {
    await c.connect();
    await c.db(db).command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await c.close();
  }
}

/** Run `f` connected as the server's admin. */
export async function asAdmin<T>(fdb: FerretDB, f: (c: MongoClient) => Promise<T>): Promise<T> {
  const c = new MongoClient(fdb.uri);
  try {
    return await f(c);
  } finally {
    await c.close();
  }
}

export const userExists = (fdb: FerretDB, user: string, db = "admin") =>
  asAdmin(fdb, async (c) => {
    const info = (await c.db(db).command({ usersInfo: user })) as { users: unknown[] };
    return info.users.length > 0;
  });

/** Fail when `secret` appears in the operator's log, the namespace's Events or any status. */
export async function assertNoLeak(h: Harness, namespace: string, ...secrets: string[]) {
  const { items } = await h.kube.list({
    apiVersion: MongoUser.apiVersion,
    kind: MongoUser.kind,
    namespace,
  });
  const events = await Promise.all(items.map((mu) => eventsFor(h.kube, mu)));
  assert.ok(
    h.logs.some((l) => l.includes(namespace)),
    "the operator logged about this namespace (the log is captured)",
  );
  const places = {
    log: h.logs.join("\n"),
    events: JSON.stringify(events.flat().map((e) => e.note)),
    status: JSON.stringify(items.map((mu) => mu.status)),
  };
  for (const s of secrets)
    for (const [where, text] of Object.entries(places))
      assert.ok(!text.includes(s), `a secret value appears in the ${where}`);
}
