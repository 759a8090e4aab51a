/**
 * A cluster directory's lasting parts — ports, certificates, kubeconfigs — created for a new
 * cluster, or read back when the directory already holds one, so that starting it again is
 * the same cluster: the same etcd data, CA, service-account key and, when its port is still
 * free, the same server URL, so every kubeconfig handed out keeps working.
 *
 * `cluster.json` marks a directory as a cluster's and records its ports; it is written last,
 * once every file it vouches for exists.
 * Caveat: when a recorded port is taken by another process, a fresh one is used; for
 * kube-apiserver that changes the server URL, and the kubeconfigs in the directory are
 * rewritten (copies made elsewhere are not).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { file, type Layout } from "./components.js";
import { ControlPlaneError } from "./errors.js";
import { kubeconfig } from "./kubeconfig.js";
import { createPki } from "./pki.js";
import { freePort, freePorts, portFree } from "./ports.js";
import type { ProbeAuth } from "./probe.js";

export const CLUSTER_FILE = "cluster.json";
const KUBECONFIGS = [
  "kubeconfig",
  "kube-controller-manager.kubeconfig",
  "kube-scheduler.kubeconfig",
];
const PKI_FILES = [
  "ca.crt",
  "apiserver.crt",
  "apiserver.key",
  "sa.key",
  "sa.pub",
  "admin.crt",
  "admin.key",
];

type Ports = Layout["ports"];

export interface ClusterDir {
  layout: Layout;
  server: string;
  auth: ProbeAuth;
  /** True when the directory already held this cluster (its etcd data is reused). */
  resumed: boolean;
  /** What had to change on resume, for the supervisor's log. */
  notes: string[];
}

export const holdsCluster = (dir: string) => existsSync(path.join(dir, CLUSTER_FILE));

/** The server URL recorded in the directory, if it holds a readable cluster record. */
export function recordedServer(dir: string): string | undefined {
  try {
    const { ports } = JSON.parse(readFileSync(path.join(dir, CLUSTER_FILE), "utf8")) as {
      ports?: Ports;
    };
    return ports ? serverUrl(ports) : undefined;
  } catch {
    return undefined;
  }
}

export async function prepareClusterDir(dir: string, bin: string): Promise<ClusterDir> {
  mkdirSync(path.join(dir, "pki"), { recursive: true });
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  const resumed = holdsCluster(dir);
  const notes: string[] = [];
  const ports = resumed ? await reclaimPorts(dir, notes) : await newCluster(dir, bin);
  const layout: Layout = { dir, bin, ports };
  writeFileSync(path.join(dir, CLUSTER_FILE), JSON.stringify({ ports }, null, 2) + "\n");
  const pki = (n: string) => readFileSync(path.join(dir, "pki", n), "utf8");
  return {
    layout,
    server: serverUrl(ports),
    auth: { ca: pki("ca.crt"), cert: pki("admin.crt"), key: pki("admin.key") },
    resumed,
    notes,
  };
}

const serverUrl = (p: Ports) => `https://127.0.0.1:${p.apiserver}`;

async function newCluster(dir: string, bin: string): Promise<Ports> {
  const [pki, ports] = await Promise.all([createPki(), freePorts(5)]);
  const [etcdClient, etcdPeer, apiserver, kcm, scheduler] = ports as [
    number,
    number,
    number,
    number,
    number,
  ];
  const l: Layout = { dir, bin, ports: { etcdClient, etcdPeer, apiserver, kcm, scheduler } };
  const server = serverUrl(l.ports);
  const w = (name: string, content: string) =>
    writeFileSync(file(l, name), content, { mode: 0o600 });
  w("pki/ca.crt", pki.ca.cert);
  // Kept so that a node's identities can be minted later (node/pki.ts).
  w("pki/ca.key", pki.ca.key);
  w("pki/apiserver.crt", pki.apiserver.cert);
  w("pki/apiserver.key", pki.apiserver.key);
  w("pki/sa.key", pki.serviceAccount.key);
  w("pki/sa.pub", pki.serviceAccount.pub);
  w("pki/admin.crt", pki.admin.cert);
  w("pki/admin.key", pki.admin.key);
  const caPem = pki.ca.cert;
  w("kubeconfig", kubeconfig({ server, caPem, user: "capstan-admin", identity: pki.admin }));
  w(
    "kube-controller-manager.kubeconfig",
    kubeconfig({
      server,
      caPem,
      user: "system:kube-controller-manager",
      identity: pki.controllerManager,
    }),
  );
  w(
    "kube-scheduler.kubeconfig",
    kubeconfig({ server, caPem, user: "system:kube-scheduler", identity: pki.scheduler }),
  );
  return l.ports;
}

/** The ports recorded in cluster.json, each replaced by a free one if it is taken. */
async function reclaimPorts(dir: string, notes: string[]): Promise<Ports> {
  const missing = [...PKI_FILES.map((f) => `pki/${f}`), ...KUBECONFIGS].filter(
    (f) => !existsSync(path.join(dir, f)),
  );
  const recordFile = path.join(dir, CLUSTER_FILE);
  let recorded: Ports | undefined;
  try {
    recorded = (JSON.parse(readFileSync(recordFile, "utf8")) as { ports?: Ports }).ports;
  } catch {
    // reported below with the missing files
  }
  if (missing.length > 0 || !recorded)
    throw new ControlPlaneError(
      "state",
      `${dir} holds a previous cluster, but ${recorded ? missing.join(", ") : `${recordFile} is unreadable`}: ` +
        `it cannot be resumed. Nothing was deleted; to delete it and start afresh, run ` +
        `\`capstan cluster down --dir ${dir}\`, then start again.`,
    );
  const ports = { ...recorded };
  for (const key of Object.keys(ports) as (keyof Ports)[]) {
    if (await portFree(ports[key])) continue;
    const fresh = await freePort();
    notes.push(`port ${ports[key]} (${key}) is taken by another process; using ${fresh}`);
    ports[key] = fresh;
  }
  if (ports.apiserver !== recorded.apiserver) {
    const server = serverUrl(ports);
    for (const name of KUBECONFIGS) rewriteServer(path.join(dir, name), server);
    notes.push(`the server URL is now ${server}; the kubeconfigs in ${dir} were rewritten`);
  }
  return ports;
}

function rewriteServer(kubeconfigFile: string, server: string): void {
  const doc = parse(readFileSync(kubeconfigFile, "utf8")) as {
    clusters: { cluster: { server: string } }[];
  };
  for (const c of doc.clusters) c.cluster.server = server;
  writeFileSync(kubeconfigFile, stringify(doc), { mode: 0o600 });
}
