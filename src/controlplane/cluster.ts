/**
 * Bring up etcd, kube-apiserver, kube-controller-manager (and optionally kube-scheduler, and a
 * real node: containerd and the kubelet, node/node.ts) as child processes of the calling
 * process, and tear them down again. A directory that already holds a cluster is resumed on
 * its data (clusterdir.ts).
 *
 * This runs inside the supervisor process (supervisor.ts); library users go through
 * `startControlPlane()` in index.ts, which adds the guarantee that nothing outlives its owner.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { prepareClusterDir } from "./clusterdir.js";
import { Component } from "./component.js";
import {
  apiserverArgs,
  controllerManagerArgs,
  DEFAULT_CONTROLLERS,
  etcdArgs,
  NODE_CONTROLLERS,
  file,
  schedulerArgs,
} from "./components.js";
import { assertNotCancelled, ControlPlaneError } from "./errors.js";
import { watchImageHints } from "./node/imagehint.js";
import {
  NODE_NAME,
  prepareNodeHost,
  prepareNodePki,
  startNodeAgents,
  startNodeRuntime,
  type NodeStart,
} from "./node/node.js";
import { nodeStateDir, teardownNode } from "./node/teardown.js";
import { probe, probeHttp } from "./probe.js";

export interface ClusterOptions {
  /** Directory for data, certificates, logs and kubeconfigs. Created if missing. */
  dir: string;
  /** Directory holding the binaries (see binaries.ts). */
  bin: string;
  controllers?: string[];
  /** Run kube-controller-manager (default). Without it — envtest's setup — there is no
   * garbage collection, namespaces never finish deleting and no default service account. */
  controllerManager?: boolean;
  scheduler?: boolean;
  /** Also run a real node (kubelet, containerd) from this directory of binaries
   * (node/binaries.ts); implies the scheduler and adds NODE_CONTROLLERS. */
  node?: { bin: string };
  apiserverExtraArgs?: string[];
  readyTimeoutMs?: number;
}

/** A running control plane: its directory, binaries, server, kubeconfig, etcd URL and processes. */
export interface ClusterInfo {
  dir: string;
  /** Directory of the binaries, kubectl among them. */
  bin: string;
  server: string;
  kubeconfig: string;
  etcd: string;
  pids: Record<string, number>;
  logs: string;
  /** True when the directory already held this cluster and its etcd data was reused. */
  resumed: boolean;
  /** The Node's name when the cluster runs a real node. */
  node?: string;
}

export interface RunningCluster {
  info: ClusterInfo;
  /** The current process of each component, in start order. */
  components: Component[];
  /** What had to change to resume the directory's cluster (a port taken, say). */
  notes: string[];
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /**
   * Start an exited component again with the flags it first had — the same data dir, ports
   * and certificates — in its place in `components`. The restart policy is restarter.ts's.
   */
  respawn(name: string): Component;
  /** etcd's /health or kube-apiserver's /readyz answers ok; the other components have no
   * check here and count as healthy while they run. */
  healthy(name: string): Promise<boolean>;
  logFile(name: string): string;
}

async function until<T>(
  what: string,
  deadline: number,
  watch: Component[],
  attempt: () => Promise<T | undefined>,
  signal?: AbortSignal,
): Promise<T> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    assertNotCancelled(signal);
    for (const c of watch) c.assertAlive("ready");
    try {
      const v = await attempt();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(100);
  }
  throw new ControlPlaneError("ready", `timed out waiting for ${what}`, { cause: lastError });
}

/** Start the cluster. Aborting `signal` during the start stops and undoes what was started,
 * and the start rejects. */
export async function runCluster(
  opts: ClusterOptions,
  signal?: AbortSignal,
): Promise<RunningCluster> {
  const dir = path.resolve(opts.dir);
  const { layout: l, server, auth, resumed, notes } = await prepareClusterDir(dir, opts.bin);
  const etcdUrl = `http://127.0.0.1:${l.ports.etcdClient}`;
  const components: Component[] = [];
  const argsOf = new Map<
    string,
    { binary: string; args: string[]; env?: Record<string, string> }
  >();
  const logFile = (name: string) => path.join(dir, "logs", `${name}.log`);
  const spawn = (
    name: string,
    args: string[],
    binary = path.join(opts.bin, name),
    env?: Record<string, string>,
  ) => {
    argsOf.set(name, { binary, args, env });
    return new Component({ name, binary, args, env, logFile: logFile(name) });
  };
  const start = (name: string, args: string[], binary?: string, env?: Record<string, string>) => {
    const c = spawn(name, args, binary, env);
    components.push(c);
    return c;
  };
  const hints = new AbortController();
  const stop = async (o: { keepData?: boolean } = {}) => {
    hints.abort();
    // Reverse order: the node's processes and other clients first, etcd last, so nothing
    // logs a storm of connection errors. Then the rest of the node: its containers outlive
    // kubelet and containerd, and its firewall must outlive kube-apiserver.
    for (const c of [...components].reverse()) await c.stop();
    if (opts.node) await teardownNode(nodeStateDir(dir));
    if (!o.keepData) rmSync(dir, { recursive: true, force: true });
  };
  const health: Record<string, () => Promise<boolean>> = {
    etcd: async () => (await probeHttp(`${etcdUrl}/health`)) === 200,
    "kube-apiserver": async () => (await probe(`${server}/readyz`, auth)).status === 200,
  };
  const healthy = async (name: string) => {
    const check = health[name];
    return check ? check().catch(() => false) : true;
  };

  try {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
    const ca = opts.node ? await prepareNodePki(dir) : undefined;
    // Before kube-apiserver: it advertises the bridge's address, behind the node's firewall.
    const host = opts.node ? await prepareNodeHost(dir, l.ports.apiserver) : undefined;
    const etcd = start("etcd", etcdArgs(l));
    const api = start(
      "kube-apiserver",
      apiserverArgs(l, opts.apiserverExtraArgs, host && { node: { bridgeIp: host.bridgeIp } }),
    );
    const nodeStart: NodeStart | undefined =
      opts.node && ca && host
        ? {
            clusterDir: dir,
            host,
            bin: opts.node.bin,
            server,
            ca,
            auth,
            deadline,
            signal,
            start: (name, binary, args, env) => start(name, args, binary, env),
          }
        : undefined;
    // containerd and the node's images need no API server: they start meanwhile.
    const nodeRuntime = nodeStart && startNodeRuntime(nodeStart);
    nodeRuntime?.catch(() => undefined); // awaited below
    // kube-apiserver retries etcd by itself; probing etcd here only sharpens the error.
    await until(
      "etcd /health",
      deadline,
      [etcd],
      async () => ((await healthy("etcd")) ? true : undefined),
      signal,
    );
    await until(
      "kube-apiserver /readyz",
      deadline,
      [etcd, api],
      async () => ((await healthy("kube-apiserver")) ? true : undefined),
      signal,
    );
    const watched = [etcd, api];
    const withKcm = opts.controllerManager ?? true;
    if (withKcm) {
      const controllers = [
        ...new Set([
          ...(opts.controllers ?? DEFAULT_CONTROLLERS),
          ...(opts.node ? NODE_CONTROLLERS : []),
        ]),
      ];
      watched.push(start("kube-controller-manager", controllerManagerArgs(l, controllers)));
    }
    if (opts.scheduler || opts.node) watched.push(start("kube-scheduler", schedulerArgs(l)));
    const [what, readyPath] = withKcm
      ? ["the default service account", "/api/v1/namespaces/default/serviceaccounts/default"]
      : ["the default namespace", "/api/v1/namespaces/default"];
    await until(
      what,
      deadline,
      watched,
      async () => ((await probe(`${server}${readyPath}`, auth)).status === 200 ? true : undefined),
      signal,
    );
    if (nodeStart && nodeRuntime) {
      await startNodeAgents(nodeStart, await nodeRuntime);
      void watchImageHints({
        kubeconfig: file(l, "kubeconfig"),
        node: NODE_NAME,
        clusterDir: dir,
        signal: hints.signal,
      }).catch(() => undefined);
    }
    const info: ClusterInfo = {
      dir,
      bin: opts.bin,
      server,
      kubeconfig: file(l, "kubeconfig"),
      etcd: etcdUrl,
      pids: Object.fromEntries(components.map((c) => [c.name, c.pid])),
      logs: path.join(dir, "logs"),
      resumed,
      ...(opts.node ? { node: NODE_NAME } : {}),
    };
    const respawn = (name: string) => {
      const i = components.findIndex((c) => c.name === name);
      const was = argsOf.get(name);
      if (i < 0 || !was) throw new ControlPlaneError("start", `no component named ${name}`);
      if (components[i]!.alive)
        throw new ControlPlaneError("start", "it is still running", { component: name });
      const c = spawn(name, was.args, was.binary, was.env);
      components[i] = c;
      info.pids[name] = c.pid;
      return c;
    };
    return { info, components, notes, stop, respawn, healthy, logFile };
  } catch (e) {
    await stop({ keepData: true });
    throw e;
  }
}
