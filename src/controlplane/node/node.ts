/**
 * A real node for the local cluster: containerd (with runc and the CNI bridge), the kubelet,
 * registered as `capstan-node` under its own identity, and kube-proxy, so that Services —
 * the `kubernetes` Service among them — work for Pods.
 *
 * Guarantees: `prepareNodeHost()` makes the bridge and the firewall before kube-apiserver
 * starts (it advertises the bridge's address and listens on every address).
 * `startNodeRuntime()` needs no API server (the cluster runs it alongside kube-apiserver's
 * start) and returns once containerd runs and the node's images are imported;
 * `startNodeAgents()` then returns once the Node is Ready, kube-proxy has written its rules
 * once, and the three processes run. `teardownNode()` — run by the supervisor on stop, by `cluster up`
 * and `cluster down` after a supervisor died, and before every start — leaves nothing behind:
 * no process naming the state directory (kubelet, containerd, shims), no container (every
 * process in the node's cgroups is killed), no mount under the state directory, no bridge or
 * veth, no cgroup, no nftables table of the firewall or kube-proxy; the sysctls the kubelet
 * changed get their recorded values back.
 * Assumptions: Linux, root (preflight.ts). The record `node.json` is written before the host
 * is touched, so an interrupted start is undone too.
 * Caveat: the state directory is runtime state only: it is deleted on every teardown, and the
 * Pods recorded in etcd are recreated by the next kubelet from their specs.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Component } from "../component.js";
import { assertNotCancelled, ControlPlaneError } from "../errors.js";
import { kubeconfig } from "../kubeconfig.js";
import { issueClientCert, type KeyPairPem } from "../pki.js";
import { freePorts } from "../ports.js";
import { probe, type ProbeAuth } from "../probe.js";
import { SERVICE_CIDR } from "../components.js";
import {
  cniConfig,
  containerdArgs,
  containerdConfig,
  containerdSocket,
  kubeletArgs,
  kubeletConfig,
  kubeProxyArgs,
  kubeProxyConfig,
  nodePath,
  type NodeLayout,
} from "./config.js";
import { claimKubeProxyTables, installFirewall } from "./firewall.js";
import { createBridge, createCgroups, pickBridge } from "./host.js";
import { kubeProxyPath, kubeProxySynced } from "./proxy.js";
import { recordSysctls } from "./sysctls.js";
import { ensureLocalImages, sandboxImage } from "./images.js";
import { nodeUnavailable } from "./preflight.js";
import { nodeStateDir, RECORD, teardownNode, type NodeRecord } from "./teardown.js";

export const NODE_NAME = "capstan-node";

/** The node's host network, made before kube-apiserver starts. */
export interface NodeHost {
  id: string;
  bridge: string;
  bridgeIp: string;
  subnet: string;
  record: NodeRecord;
}

export interface NodeStart {
  clusterDir: string;
  host: NodeHost;
  /** Directory of the node's binaries (node/binaries.ts). */
  bin: string;
  server: string;
  ca: KeyPairPem;
  auth: ProbeAuth;
  deadline: number;
  /** Aborted when the start is to stop early (its owner went away). */
  signal?: AbortSignal;
  /** Start a supervised process (cluster.ts's, so the restart policy covers it). */
  start(name: string, binary: string, args: string[], env?: Record<string, string>): Component;
}

/**
 * The cluster CA (the node's identity is minted from it) and kube-apiserver's client
 * certificate for the kubelet, minted once; before kube-apiserver starts, which names it.
 */
export async function prepareNodePki(clusterDir: string): Promise<KeyPairPem> {
  const pki = (n: string) => path.join(clusterDir, "pki", n);
  if (!existsSync(pki("ca.key")))
    throw new ControlPlaneError(
      "start",
      `${clusterDir} holds a cluster made before nodes existed, without its CA key, so no node ` +
        `identity can be minted for it; delete it (\`capstan cluster down --dir ${clusterDir}\`) ` +
        `and start it again with --node`,
      { component: "node" },
    );
  const ca = {
    cert: readFileSync(pki("ca.crt"), "utf8"),
    key: readFileSync(pki("ca.key"), "utf8"),
  };
  if (!existsSync(pki("apiserver-kubelet-client.crt"))) {
    // system:masters: the kubelet's webhook authorizer asks the apiserver about this identity.
    const c = await issueClientCert(ca, "CN=capstan-apiserver-kubelet-client, O=system:masters");
    writeFileSync(pki("apiserver-kubelet-client.key"), c.key, { mode: 0o600 });
    writeFileSync(pki("apiserver-kubelet-client.crt"), c.cert, { mode: 0o600 });
  }
  return ca;
}

/**
 * Undo whatever a previous node of this directory left, claim kube-proxy's tables, then
 * record and make the bridge and the firewall guarding kube-apiserver's port
 * (`apiserverPort`) and the bridge's range.
 */
export async function prepareNodeHost(
  clusterDir: string,
  apiserverPort: number,
): Promise<NodeHost> {
  const why = nodeUnavailable();
  if (why) throw new ControlPlaneError("start", why, { component: "node" });
  const state = nodeStateDir(clusterDir);
  await teardownNode(state);
  mkdirSync(path.join(state, "cni", "net.d"), { recursive: true });
  // Before anything starts: another cluster's node may hold them.
  claimKubeProxyTables(state);
  const id = randomBytes(3).toString("hex");
  const net = pickBridge();
  const record: NodeRecord = {
    bridge: net.bridge,
    cgroupRoot: `/capstan-${id}`,
    network: `capstan-${id}`,
    firewall: `capstan-${id}`,
  };
  writeFileSync(path.join(state, RECORD), JSON.stringify(record, null, 2));
  installFirewall({ table: record.firewall, ...net, apiserverPort });
  createBridge(net.bridge, net.bridgeIp);
  return { id, ...net, record };
}

/** The node's runtime, started: what the kubelet and kube-proxy start on. */
export interface NodeRuntimeStarted {
  layout: NodeLayout;
  containerd: Component;
}

/**
 * containerd and the node's own images: nothing here needs kube-apiserver, so the cluster
 * starts it alongside the control plane, and an image can be imported while the rest starts.
 */
export async function startNodeRuntime(o: NodeStart): Promise<NodeRuntimeStarted> {
  const state = nodeStateDir(o.clusterDir);
  const { record, ...net } = o.host;
  const [kubelet, kubeletHealthz, proxyHealthz, proxyMetrics] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const l: NodeLayout = {
    state,
    bin: o.bin,
    name: NODE_NAME,
    bridge: net.bridge,
    bridgeIp: net.bridgeIp,
    subnet: net.subnet,
    cgroupRoot: record.cgroupRoot,
    ports: { kubelet, kubeletHealthz, proxyHealthz, proxyMetrics },
    serviceCidr: SERVICE_CIDR,
    caFile: path.join(o.clusterDir, "pki", "ca.crt"),
    sandboxImage: await sandboxImage(),
  };
  recordSysctls();
  createCgroups(l.cgroupRoot);
  const identity = await issueClientCert(o.ca, `CN=system:node:${NODE_NAME}, O=system:nodes`);
  // The name the bootstrap ClusterRoleBinding system:node-proxier grants kube-proxy's rights to.
  const proxyIdentity = await issueClientCert(o.ca, "CN=system:kube-proxy");
  const kc = (user: string, id: KeyPairPem) =>
    kubeconfig({ server: o.server, caPem: o.ca.cert, user, identity: id });
  const files: [string, string][] = [
    ["containerd.toml", containerdConfig(l)],
    [path.join("cni", "net.d", "10-capstan.conflist"), cniConfig(l, record.network)],
    ["kubelet.yaml", kubeletConfig(l)],
    ["kubelet.kubeconfig", kc(`system:node:${NODE_NAME}`, identity)],
    ["kube-proxy.yaml", kubeProxyConfig(l)],
    ["kube-proxy.kubeconfig", kc("system:kube-proxy", proxyIdentity)],
  ];
  for (const [name, content] of files) writeFileSync(nodePath(l, name), content, { mode: 0o600 });

  const containerd = o.start("containerd", path.join(l.bin, "containerd"), containerdArgs(l));
  const ctr = path.join(l.bin, "ctr");
  await until(
    "containerd's socket",
    o,
    [containerd],
    async () =>
      spawnSync(ctr, ["--address", containerdSocket(l), "version"], { stdio: "ignore" }).status ===
      0,
  );
  await ensureLocalImages(o.clusterDir, state, { ctr, containerdSocket: containerdSocket(l) });
  return { layout: l, containerd };
}

/** The kubelet, then kube-proxy once the Node registered: these need kube-apiserver. */
export async function startNodeAgents(o: NodeStart, rt: NodeRuntimeStarted): Promise<void> {
  const { layout: l, containerd } = rt;
  const state = l.state;
  const kubeletProc = o.start("kubelet", path.join(l.bin, "kubelet"), kubeletArgs(l));
  // kube-proxy polls for its Node once a second: start it once the kubelet has registered.
  const watched = [containerd, kubeletProc];
  await until(`Node ${NODE_NAME} to register`, o, watched, async () => {
    const r = await probe(`${o.server}/api/v1/nodes/${NODE_NAME}`, o.auth);
    return r.status === 200;
  });
  const proxy = path.join(l.bin, "kube-proxy");
  watched.push(o.start("kube-proxy", proxy, kubeProxyArgs(l), { PATH: kubeProxyPath(state) }));
  await until(`Node ${NODE_NAME} to be Ready`, o, watched, () => nodeReady(o.server, o.auth));
  await until("kube-proxy to write its rules", o, watched, () =>
    kubeProxySynced(l.ports.proxyHealthz),
  );
}

async function nodeReady(server: string, auth: ProbeAuth): Promise<boolean> {
  const r = await probe(`${server}/api/v1/nodes/${NODE_NAME}`, auth);
  if (r.status !== 200) return false;
  const node = JSON.parse(r.body) as {
    status?: { conditions?: { type: string; status: string }[] };
    spec?: { taints?: { key: string }[] };
  };
  const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  // The not-ready taint goes only once node-lifecycle has seen the Ready condition.
  const tainted = node.spec?.taints?.some((t) => t.key === "node.kubernetes.io/not-ready");
  return !!ready && !tainted;
}

async function until(
  what: string,
  { deadline, signal }: Pick<NodeStart, "deadline" | "signal">,
  watch: Component[],
  ok: () => Promise<boolean>,
): Promise<void> {
  let last: unknown;
  while (Date.now() < deadline) {
    assertNotCancelled(signal);
    for (const c of watch) c.assertAlive("ready");
    try {
      if (await ok()) return;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new ControlPlaneError("ready", `timed out waiting for ${what}`, {
    component: "node",
    cause: last,
  });
}
