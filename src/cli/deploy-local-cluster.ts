/**
 * The local cluster's side of `capstan deploy --local`: a running cluster with a node (or
 * one started with `--up`), the image imported into that node — early, while the cluster
 * still starts, when it can — the control plane's kubectl, and the wait until the operator's
 * Deployment is Ready.
 *
 * Separate from deploy-local.ts, which orders the steps (generate, build, import, overlay,
 * apply, wait) and reports them: here is each step's I/O against the cluster.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Deployment } from "kubernetes-types/apps/v1.js";
import type { Pod } from "kubernetes-types/core/v1.js";
import { KubeClient } from "../client/client.js";
import {
  clusterStatus,
  clusterUp,
  importImage,
  NODE_FILE,
  nodeUnavailable,
} from "../controlplane/index.js";
import type { ClusterInfo } from "../controlplane/index.js";
import { rolloutState } from "./deploy-rollout.js";

/** A duration as the progress lines print it. */
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The running local cluster with a node, or an error of one line saying what to do. */
export async function localClusterWithNode(dir: string): Promise<ClusterInfo> {
  const st = await clusterStatus(dir);
  if (st.state !== "running")
    throw new Error(
      `no local cluster runs in ${dir} (${st.state}): start one with \`capstan cluster up --node\``,
    );
  if (!st.info.node) {
    const why = nodeUnavailable();
    throw new Error(
      `the local cluster in ${dir} has no node to run the operator's Pods: ` +
        (why ?? "restart it with one: `capstan cluster down`, then `capstan cluster up --node`"),
    );
  }
  return st.info;
}

/** `capstan cluster up --node` in `dir` (or the cluster already running there), then check it. */
export async function startCluster(dir: string, say: (line: string) => void): Promise<ClusterInfo> {
  const t = performance.now();
  const r = await clusterUp({ dir, node: true });
  if (r.outcome !== "running")
    say(`local cluster ${r.outcome} in ${secs(performance.now() - t)} at ${r.info.server}`);
  return localClusterWithNode(dir);
}

/** Milliseconds `f` took. */
export async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

/**
 * Import while the cluster is still starting: the node's containerd runs (and records itself
 * in `node/runtime.json`) seconds before the kubelet registers and kube-proxy writes its
 * rules. Returns how long the import took, or undefined when it could not start before the
 * cluster was ready, or failed (say, on a runtime file an earlier node left): the caller then
 * imports into the ready cluster.
 */
export async function importEarly(
  dir: string,
  tarFile: string,
  clusterReady: Promise<unknown>,
): Promise<number | undefined> {
  let ready = false;
  const settled = clusterReady.then(
    () => (ready = true),
    () => (ready = true),
  );
  while (!ready && !existsSync(path.join(dir, NODE_FILE)))
    await Promise.race([sleep(100), settled]);
  if (ready) return undefined;
  return timed(() => importImage({ clusterDir: dir, tarFile })).catch(() => undefined);
}

/** The control plane's kubectl on the local cluster; answers its output. */
export function kubectl(cluster: ClusterInfo, args: string[]): Promise<string> {
  const bin = path.join(cluster.bin, "kubectl");
  return new Promise((resolve, reject) =>
    execFile(
      bin,
      ["--kubeconfig", cluster.kubeconfig, ...args],
      { timeout: 120_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`kubectl ${args.join(" ")} failed: ${stderr.trim() || err.message}`))
          : resolve(stdout),
    ),
  );
}

/** Poll the Deployment and its Pods until it is Ready; a line each time its state changes. */
export async function waitReady(
  cluster: ClusterInfo,
  namespace: string,
  name: string,
  timeoutMs: number,
  say: (line: string) => void,
): Promise<number> {
  const kube = await KubeClient.fromKubeconfig({ path: cluster.kubeconfig });
  const started = performance.now();
  let last = "";
  for (;;) {
    const d: Deployment = await kube.get({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace,
      name,
    });
    const pods: Pod[] = (
      await kube.list(
        { apiVersion: "v1", kind: "Pod", namespace },
        { labelSelector: d.spec?.selector?.matchLabels ?? {} },
      )
    ).items;
    const r = rolloutState(d, pods);
    const elapsed = performance.now() - started;
    if (r.ready) return elapsed;
    if (r.line !== last) say(`Deployment ${namespace}/${name}: ${(last = r.line)}`);
    if (elapsed > timeoutMs)
      throw new Error(
        `Deployment ${namespace}/${name} is not Ready after ${secs(timeoutMs)}: ${r.line}`,
      );
    await sleep(250);
  }
}
