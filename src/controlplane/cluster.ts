/**
 * Bring up etcd, kube-apiserver, kube-controller-manager (and optionally kube-scheduler) as
 * child processes of the calling process, and tear them down again.
 *
 * This runs inside the supervisor process (supervisor.ts); library users go through
 * `startControlPlane()` in index.ts, which adds the guarantee that nothing outlives its owner.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Component } from "./component.js";
import {
  apiserverArgs,
  controllerManagerArgs,
  DEFAULT_CONTROLLERS,
  etcdArgs,
  file,
  schedulerArgs,
  type Layout,
} from "./components.js";
import { ControlPlaneError } from "./errors.js";
import { kubeconfig } from "./kubeconfig.js";
import { createPki } from "./pki.js";
import { freePorts } from "./ports.js";
import { probe, probeHttp, type ProbeAuth } from "./probe.js";

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
  apiserverExtraArgs?: string[];
  readyTimeoutMs?: number;
}

export interface ClusterInfo {
  dir: string;
  /** Directory of the binaries, kubectl among them. */
  bin: string;
  server: string;
  kubeconfig: string;
  etcd: string;
  pids: Record<string, number>;
  logs: string;
}

export interface RunningCluster {
  info: ClusterInfo;
  components: Component[];
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /**
   * Kill one component (SIGKILL, as a crash would) and start it again with the same flags
   * after `downMs`; resolves with the new process once it is healthy again.
   */
  restart(name: string, opts?: { downMs?: number }): Promise<Component>;
}

async function until<T>(
  what: string,
  deadline: number,
  watch: Component[],
  attempt: () => Promise<T | undefined>,
): Promise<T> {
  let lastError: unknown;
  while (Date.now() < deadline) {
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

export async function runCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const dir = path.resolve(opts.dir);
  mkdirSync(path.join(dir, "pki"), { recursive: true });
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  const [pki, ports] = await Promise.all([createPki(), freePorts(5)]);
  const [etcdClient, etcdPeer, apiserver, kcm, scheduler] = ports as [
    number,
    number,
    number,
    number,
    number,
  ];
  const l: Layout = {
    dir,
    bin: opts.bin,
    ports: { etcdClient, etcdPeer, apiserver, kcm, scheduler },
  };
  const server = `https://127.0.0.1:${apiserver}`;
  const w = (name: string, content: string) =>
    writeFileSync(file(l, name), content, { mode: 0o600 });
  w("pki/ca.crt", pki.ca.cert);
  w("pki/apiserver.crt", pki.apiserver.cert);
  w("pki/apiserver.key", pki.apiserver.key);
  w("pki/sa.key", pki.serviceAccount.key);
  w("pki/sa.pub", pki.serviceAccount.pub);
  w("pki/admin.crt", pki.admin.cert);
  w("pki/admin.key", pki.admin.key);
  const adminKubeconfig = file(l, "kubeconfig");
  w(
    "kubeconfig",
    kubeconfig({ server, caPem: pki.ca.cert, user: "capstan-admin", identity: pki.admin }),
  );
  w(
    "kube-controller-manager.kubeconfig",
    kubeconfig({
      server,
      caPem: pki.ca.cert,
      user: "system:kube-controller-manager",
      identity: pki.controllerManager,
    }),
  );
  w(
    "kube-scheduler.kubeconfig",
    kubeconfig({
      server,
      caPem: pki.ca.cert,
      user: "system:kube-scheduler",
      identity: pki.scheduler,
    }),
  );

  const components: Component[] = [];
  const argsOf = new Map<string, string[]>();
  const start = (name: string, args: string[]) => {
    argsOf.set(name, args);
    const c = new Component({
      name,
      binary: path.join(opts.bin, name),
      args,
      logFile: path.join(dir, "logs", `${name}.log`),
    });
    components.push(c);
    return c;
  };
  const stop = async (o: { keepData?: boolean } = {}) => {
    // Reverse order: clients first, etcd last, so nothing logs a storm of connection errors.
    for (const c of [...components].reverse()) await c.stop();
    if (!o.keepData) rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
    const etcd = start("etcd", etcdArgs(l));
    const api = start("kube-apiserver", apiserverArgs(l, opts.apiserverExtraArgs));
    // kube-apiserver retries etcd by itself; probing etcd here only sharpens the error.
    await until("etcd /health", deadline, [etcd], async () =>
      (await probeHttp(`http://127.0.0.1:${etcdClient}/health`)) === 200 ? true : undefined,
    );
    const auth: ProbeAuth = { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
    await until("kube-apiserver /readyz", deadline, [etcd, api], async () =>
      (await probe(`${server}/readyz`, auth)).status === 200 ? true : undefined,
    );
    const watched = [etcd, api];
    const withKcm = opts.controllerManager ?? true;
    if (withKcm) {
      const controllers = opts.controllers ?? DEFAULT_CONTROLLERS;
      watched.push(start("kube-controller-manager", controllerManagerArgs(l, controllers)));
    }
    if (opts.scheduler) watched.push(start("kube-scheduler", schedulerArgs(l)));
    const [what, readyPath] = withKcm
      ? ["the default service account", "/api/v1/namespaces/default/serviceaccounts/default"]
      : ["the default namespace", "/api/v1/namespaces/default"];
    await until(what, deadline, watched, async () =>
      (await probe(`${server}${readyPath}`, auth)).status === 200 ? true : undefined,
    );
    const info: ClusterInfo = {
      dir,
      bin: opts.bin,
      server,
      kubeconfig: adminKubeconfig,
      etcd: `http://127.0.0.1:${etcdClient}`,
      pids: Object.fromEntries(components.map((c) => [c.name, c.pid])),
      logs: path.join(dir, "logs"),
    };
    const restart = async (name: string, o: { downMs?: number } = {}) => {
      const i = components.findIndex((c) => c.name === name);
      const args = argsOf.get(name);
      if (i < 0 || !args) throw new ControlPlaneError("start", `no component named ${name}`);
      await components[i]!.kill();
      await sleep(o.downMs ?? 0);
      components.splice(i, 1);
      const c = start(name, args);
      components.splice(components.indexOf(c), 1);
      components.splice(i, 0, c);
      const health: Record<string, () => Promise<boolean>> = {
        etcd: async () => (await probeHttp(`http://127.0.0.1:${etcdClient}/health`)) === 200,
        "kube-apiserver": async () => (await probe(`${server}/readyz`, auth)).status === 200,
      };
      const check = health[name];
      if (check)
        await until(`${name} to be healthy again`, Date.now() + 60_000, [c], async () =>
          (await check()) ? true : undefined,
        );
      info.pids[name] = c.pid;
      return c;
    };
    return { info, components, stop, restart };
  } catch (e) {
    await stop({ keepData: true });
    throw e;
  }
}
