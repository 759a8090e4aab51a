// Retries against a real throttle: API Priority and Fairness configured to reject a service
// account's excess requests with 429 + Retry-After. Idempotent requests retry through it;
// a request that must not be repeated (create) surfaces TooManyRequestsError.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "./client.js";
import { TooManyRequestsError } from "./errors.js";
import { testNamespace, useControlPlane } from "../testing/index.js";

let admin: KubeClient;
let ns: { name: string; dispose(): Promise<void> };
const FC = "flowcontrol.apiserver.k8s.io/v1";
let names: string[] = [];

before(async () => {
  const cp = await useControlPlane();
  admin = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ns = await testNamespace(admin, "retry");
});
after(async () => {
  for (const [kind, name] of [
    ["FlowSchema", names[0]],
    ["PriorityLevelConfiguration", names[1]],
  ] as const) {
    if (name) await admin.delete({ apiVersion: FC, kind, name }).catch(() => undefined);
  }
  await ns.dispose();
});

test("429 from priority and fairness: reads are retried through it, creates are not repeated", async () => {
  const sa = "throttled";
  await admin.create({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: sa, namespace: ns.name },
  });
  await admin.create({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: sa, namespace: ns.name },
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "create"] }],
  });
  await admin.create({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: sa, namespace: ns.name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: sa },
    subjects: [{ kind: "ServiceAccount", name: sa, namespace: ns.name }],
  });
  const level = `capstan-${ns.name}`;
  names = [level, level];
  // One seat, no queue: a second concurrent request from this account is rejected with 429.
  await admin.create({
    apiVersion: FC,
    kind: "PriorityLevelConfiguration",
    metadata: { name: level },
    spec: {
      type: "Limited",
      limited: {
        nominalConcurrencyShares: 1,
        lendablePercent: 0,
        limitResponse: { type: "Reject" },
      },
    },
  });
  await admin.create({
    apiVersion: FC,
    kind: "FlowSchema",
    metadata: { name: level },
    spec: {
      priorityLevelConfiguration: { name: level },
      matchingPrecedence: 100,
      distinguisherMethod: { type: "ByUser" },
      rules: [
        {
          subjects: [{ kind: "ServiceAccount", serviceAccount: { name: sa, namespace: ns.name } }],
          resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"], namespaces: ["*"] }],
        },
      ],
    },
  });
  const { info } = await admin.locate({
    apiVersion: "v1",
    kind: "ServiceAccount",
    namespace: ns.name,
    name: sa,
  });
  const token = await admin.http.json<{ status: { token: string } }>({
    method: "POST",
    path: `/api/v1/namespaces/${ns.name}/${info.resource}/${sa}/token`,
    body: {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 600 },
    },
    describe: { verb: "create token", object: `ServiceAccount ${ns.name}/${sa}` },
  });
  const kc = new KubeConfig();
  const cluster = admin.conn.cluster;
  kc.loadFromOptions({
    clusters: [{ name: "c", server: cluster.server, caData: cluster.caData }],
    users: [{ name: "sa", token: token.status.token }],
    contexts: [{ name: "c", cluster: "c", user: "sa", namespace: ns.name }],
    currentContext: "c",
  });
  const client = KubeClient.fromKubeConfig(kc);
  const burst = () =>
    Promise.all(
      Array.from({ length: 40 }, () =>
        client.list({ apiVersion: "v1", kind: "ConfigMap", namespace: ns.name }),
      ),
    );
  // Discovery, and as many open connections as the burst uses: on new connections its
  // requests would reach the server one TLS handshake apart, each served before the next.
  await burst();
  const warm = client.http.stats.retries;

  // Many concurrent lists: some are rejected with 429 and retried until every one succeeds.
  const lists = await burst();
  assert.equal(lists.length, 40);
  assert.ok(
    client.http.stats.retries > warm,
    `some lists were throttled and retried (retries: ${client.http.stats.retries - warm})`,
  );

  // Concurrent creates: a create is never sent twice, so a rejection reaches the caller typed.
  const creates = await Promise.allSettled(
    Array.from({ length: 40 }, (_, i) =>
      client.create({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `c${i}`, namespace: ns.name },
      }),
    ),
  );
  const rejected = creates
    .filter((r) => r.status === "rejected")
    .map((r) => (r as PromiseRejectedResult).reason);
  assert.ok(rejected.length > 0, "the throttle rejected some creates");
  assert.ok(
    rejected.every((e) => e instanceof TooManyRequestsError && e.code === 429),
    String(rejected[0]),
  );
  const made = (
    await admin.list({ apiVersion: "v1", kind: "ConfigMap", namespace: ns.name })
  ).items.filter((c) => /^c\d+$/.test(c.metadata?.name ?? ""));
  assert.equal(made.length, 40 - rejected.length, "every fulfilled create made exactly one object");
});
