// The MySQLDatabase on a cluster with a real node (Linux, root): a Pod that takes its
// connection from the credentials Secret the operator wrote — host, port, database, user and
// password, the password only through the environment — logs in to the real MariaDB and
// reads back who and where it is. Registered only where a node can run; mysql.test.ts covers
// everything that needs no node.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.js";
import { KubeClient } from "capstan/client";
import { importImage, writeOciLayout, type LayerEntry } from "capstan/controlplane";
import { installCrds } from "capstan/runtime";
import {
  eventually,
  kubectlOk,
  nodeUnavailable,
  runOperator,
  testNamespace,
  useControlPlane,
  type RunningOperator,
  type TestControlPlane,
} from "capstan/testing";
// Test infrastructure of this repository, not part of the package: the MariaDB server, and
// the host-binary image code `capstan build image` uses for node, here for the mariadb client.
import { hostNode } from "../../src/controlplane/images/node-runtime.js";
import { startMariaDB, type MariaDB } from "../../src/testing/servers/mariadb.js";
import operator from "./operator.js";
import { MySQLDatabase } from "./resources.js";

const CLIENT_IMAGE = "capstan.local/mariadb-client:test";

/** An image of the host's mariadb client and the libraries it loads, run as uid 1000. */
async function importClientImage(clusterDir: string): Promise<void> {
  const rt = await hostNode("/usr/bin/mariadb");
  const entries: LayerEntry[] = [
    { type: "file", path: "/usr/bin/mariadb", mode: 0o755, content: { fromFile: rt.binary } },
    ...rt.libraries.map((lib): LayerEntry => ({
      type: "file",
      path: lib,
      mode: 0o755,
      content: { fromFile: lib },
    })),
    { type: "file", path: "/etc/passwd", mode: 0o644, content: "app:x:1000:1000::/tmp:/none\n" },
    { type: "directory", path: "/tmp", mode: 0o1777 },
  ];
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-mariadb-image-"));
  try {
    const file = path.join(dir, "client.oci.tar");
    await writeOciLayout(file, {
      names: [CLIENT_IMAGE],
      config: { Entrypoint: ["/usr/bin/mariadb"], User: "1000:1000" },
      entries,
    });
    await importImage({ clusterDir, tarFile: file });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Pod that logs in with the credentials Secret and prints `user@host in database`. */
function clientPod(namespace: string, secret: string): Pod & { apiVersion: "v1"; kind: "Pod" } {
  const env = (name: string, key: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key } },
  });
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "login", namespace },
    spec: {
      restartPolicy: "Never",
      securityContext: { runAsNonRoot: true, runAsUser: 1000 },
      containers: [
        {
          name: "mariadb",
          image: CLIENT_IMAGE,
          imagePullPolicy: "Never",
          env: [
            env("DB_HOST", "host"),
            env("DB_PORT", "port"),
            env("DB_USER", "username"),
            env("DB_NAME", "database"),
            env("MYSQL_PWD", "password"), // read by the client: never on a command line
          ],
          args: [
            "--no-defaults",
            "--host=$(DB_HOST)",
            "--port=$(DB_PORT)",
            "--user=$(DB_USER)",
            "--database=$(DB_NAME)",
            "--skip-column-names",
            "--execute=SELECT CONCAT(CURRENT_USER(), ' in ', DATABASE())",
          ],
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
        },
      ],
    },
  };
}

if (nodeUnavailable() === undefined) {
  let cp: TestControlPlane;
  let kube: KubeClient;
  let server: MariaDB;
  let op: RunningOperator;
  let ns: { name: string; dispose(): Promise<void> };

  before(async () => {
    cp = await useControlPlane({ node: true });
    kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
    const nodes = await kube.list<{ apiVersion: "v1"; kind: "Node" }, Node>({
      apiVersion: "v1",
      kind: "Node",
    });
    // The node's InternalIP is the pod bridge's own address on this host: Pods reach it.
    const bridge = nodes.items[0]?.status?.addresses?.find((a) => a.type === "InternalIP");
    assert.ok(bridge, "the node has an InternalIP");
    server = await startMariaDB({ bindAddress: bridge.address });
    await installCrds(kube, [MySQLDatabase]);
    await importClientImage(cp.dir);
    ns = await testNamespace(kube, "mysql-node");
    await kube.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "admin", namespace: ns.name },
      stringData: {
        host: server.host,
        port: String(server.port),
        username: server.user,
        password: server.password,
      },
    });
    op = await runOperator(operator, { kubeconfig: cp.kubeconfig, namespaces: [ns.name] });
  });
  after(async () => {
    await op?.stop();
    await ns?.dispose();
    await server?.stop();
  });

  test("a Pod logs in with the credentials Secret the MySQLDatabase wrote and reaches its database", async () => {
    await kube.create({
      apiVersion: MySQLDatabase.apiVersion,
      kind: MySQLDatabase.kind,
      metadata: { name: "shop", namespace: ns.name },
      spec: { adminSecretRef: { name: "admin" } },
    });
    await eventually(() =>
      kube.get({ apiVersion: "v1", kind: "Secret", namespace: ns.name, name: "shop-mysql" }),
    );
    await kube.create(clientPod(ns.name, "shop-mysql"));
    const phase = await eventually(
      async () => {
        const p = await kube.get({
          apiVersion: "v1",
          kind: "Pod",
          namespace: ns.name,
          name: "login",
        });
        assert.match(p.status?.phase ?? "", /^(Succeeded|Failed)$/);
        return p.status!.phase;
      },
      { timeoutMs: 60_000 },
    );
    const log = await kubectlOk(cp, ["logs", "-n", ns.name, "login"]);
    assert.equal(phase, "Succeeded", `the client failed: ${log}`);
    assert.equal(log, "shop@% in shop\n");
  });
}
