/**
 * `capstan run <module>`: run the operator(s) a module exports against the current
 * kubeconfig (in-cluster in a pod), until SIGTERM/SIGINT. CRDs the module exports are waited
 * for read-only by default (the operator needs no permission to create them), or installed
 * with `--install-crds`. `--health-port` serves /healthz, /readyz and /metrics;
 * `--leader-elect` runs it as one replica of several, reconciling only while it leads.
 * Exits non-zero when the leader lease is lost, so the pod restarts as a standby.
 *
 * Start-up order: read the kubeconfig (a missing or bad one exits at once, naming the file),
 * serve the health endpoint, wait for the API server (backoff, one line per attempt, never
 * giving up), then for the CRDs, then start the controllers. /readyz says which wait it is in.
 */
import path from "node:path";
import type { Command } from "commander";
import { KubeClient } from "../client/client.js";
import { ClientError } from "../client/errors.js";
import { isResource, type AnyResource, type CustomResourceDefinition } from "../core/crd/index.js";
import { installCrds, waitForCrd } from "../runtime/operator/crds.js";
import { isOperatorDefinition, type OperatorDefinition } from "../runtime/operator/define.js";
import { createLogger, type Logger } from "../runtime/log.js";
import { Operator, type Startup } from "../runtime/operator/operator.js";
import { waitForApiServer } from "../runtime/operator/startup.js";
import { loadModule } from "./load.js";
import {
  clusterWebhooks,
  crdToInstall,
  registerClusterWebhookFlags,
  type ClusterWebhookFlags,
} from "./run-cluster-webhooks.js";

export interface RunOptions extends ClusterWebhookFlags {
  namespace: string[];
  allNamespaces: boolean;
  kubeconfig?: string;
  context?: string;
  installCrds: boolean;
  signal?: AbortSignal;
  /** Port for /healthz, /readyz, /metrics (0: a free one; undefined or -1: off). */
  healthPort?: number;
  leaderElect?: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId?: string;
  leaseDuration?: number;
  renewDeadline?: number;
  retryPeriod?: number;
  /** Serve admission webhooks on 127.0.0.1 and register them (the local loop). */
  localWebhooks?: boolean;
}

/** "15s", "500ms", "2m" or plain milliseconds. */
export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(v)} (use e.g. 15s, 500ms, 2m)`);
  const n = Number(m[1]);
  return Math.round(m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n);
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < -1 || n > 65535)
    throw new Error(
      `--health-port: not a port: ${JSON.stringify(v)} (0 picks one, -1 turns it off)`,
    );
  return n;
}

/** The default Lease name: the module's directory or file name, as a DNS label. */
export function defaultLeaseName(spec: string): string {
  const base = path.basename(path.resolve(spec)).replace(/\.(ts|js|mjs|cjs)$/, "");
  const base2 = ["operator", "index"].includes(base)
    ? path.basename(path.dirname(path.resolve(spec)))
    : base;
  const label = base2
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${label || "operator"}-leader`.slice(0, 63);
}

/** A client for the kubeconfig; its errors name the file when they do not already. */
async function connect(o: RunOptions): Promise<KubeClient> {
  try {
    return await KubeClient.fromKubeconfig({ path: o.kubeconfig, context: o.context });
  } catch (e) {
    const file = o.kubeconfig ?? process.env.KUBECONFIG;
    if (!(e instanceof ClientError) || !file || e.message.includes(file)) throw e;
    throw new ClientError(e.step, `${e.message} (in ${file})`, { cause: e });
  }
}

export async function runModule(spec: string, o: RunOptions): Promise<void> {
  const mod = await loadModule(spec);
  const defs = Object.values(mod).filter(isOperatorDefinition) as OperatorDefinition[];
  const resources: (AnyResource & { crd(): CustomResourceDefinition })[] = [
    ...new Set(Object.values(mod).filter(isResource)),
  ];
  if (defs.length === 0)
    throw new Error(`${spec} exports no operator (export default defineOperator(...))`);
  const log = createLogger();
  const client = await connect(o);
  const namespaces = o.allNamespaces || o.namespace.length === 0 ? undefined : o.namespace;
  const health =
    o.healthPort === undefined || o.healthPort < 0 ? undefined : { port: o.healthPort };
  const leaseNamespace = o.leaderElectionNamespace ?? process.env.POD_NAMESPACE ?? client.namespace;
  // The operator's own namespace (its Pod's, its Lease's) is never sent to its webhooks: a
  // run that was killed must not block what the operator needs to come back.
  const ownNamespaces = [
    ...new Set([process.env.POD_NAMESPACE, o.leaderElect ? leaseNamespace : undefined]),
  ].filter((n): n is string => !!n);
  const inCluster = clusterWebhooks(o, process.env.POD_NAMESPACE ?? client.namespace);
  const operators = await Promise.all(
    defs.map(async (d, i) => {
      // One client per operator: leader election fences its client's writes.
      const own = i === 0 ? client : await connect(o);
      const op = new Operator({
        client: own,
        name: d.name,
        namespaces,
        log: log.child({ operator: d.name }),
        health: i === 0 ? health : undefined,
        // One port: the first operator of the module serves the webhooks.
        webhooks: inCluster
          ? i === 0
            ? inCluster
            : undefined
          : o.localWebhooks
            ? {
                // One name per operator: a restart (capstan dev) replaces what a killed run
                // left behind instead of adding a configuration that points nowhere.
                register: {
                  name: `${d.name}-local-webhooks`,
                  owner: d.name,
                  exclude: ownNamespaces,
                  only: namespaces,
                },
              }
            : undefined,
        leaderElection: o.leaderElect
          ? {
              namespace: leaseNamespace,
              name: `${o.leaderElectionId ?? defaultLeaseName(spec)}${i ? `-${i}` : ""}`,
              leaseDurationMs: o.leaseDuration,
              renewDeadlineMs: o.renewDeadline,
              retryPeriodMs: o.retryPeriod,
            }
          : undefined,
      });
      await d.setup(op);
      return op;
    }),
  );
  log.info(
    {
      namespaces: namespaces ?? "all",
      server: client.conn.server,
      leaderElection: !!o.leaderElect,
    },
    "operator starting",
  );
  // The first operator (the one serving /readyz) waits for the cluster; the others wait
  // for it to finish, and share its failure.
  let settle!: (p: Promise<void>) => void;
  const cluster = new Promise<void>((r) => (settle = r));
  cluster.catch(() => undefined); // the first operator reports it
  const first: Startup = (s) => {
    const waited = waitForCluster(client, resources, { ...o, spec }, log, s);
    settle(waited);
    return waited;
  };
  const rest: Startup = () => cluster;
  await Promise.all(
    operators.map((op, i) =>
      op.run({ handleSignals: true, signal: o.signal, startup: i === 0 ? first : rest }),
    ),
  );
  log.info("operator stopped");
}

/** Wait for the API server, then install or wait for the CRDs, saying so on /readyz. */
async function waitForCluster(
  client: KubeClient,
  resources: readonly (AnyResource & { crd(): CustomResourceDefinition })[],
  o: RunOptions & { spec: string },
  log: Logger,
  s: Parameters<Startup>[0],
): Promise<void> {
  const server = client.conn.server;
  s.waitingFor(`waiting for the API server ${server}`);
  await waitForApiServer(client, {
    log,
    signal: s.signal,
    onUnreachable: (reason) => s.waitingFor(`waiting for the API server ${server} (${reason})`),
    // A loopback server is most likely the local cluster, stopped: say how to check.
    hint: /^https?:\/\/(127\.|\[::1\]|localhost)/.test(server)
      ? "if it is the local cluster, `capstan cluster status` says whether it runs"
      : undefined,
  });
  if (!resources.length) return;
  const names = resources.map((r) => `${r.plural}.${r.group}`);
  if (o.installCrds) {
    s.waitingFor(`installing CRDs ${names.join(", ")}`);
    // Through a client of its own: leader election fences the operator's client, and the
    // CRDs are installed before any replica campaigns (a server-side apply, idempotent).
    const unfenced = new KubeClient(client.conn, { fieldManager: client.fieldManager });
    const namespace = process.env.POD_NAMESPACE ?? client.namespace;
    const manifests = resources.map((r) => crdToInstall(r.crd(), o, namespace));
    await installCrds(unfenced, manifests, { signal: s.signal });
    return;
  }
  // The first thing a new user meets when the CRDs are missing: say how to install them.
  log.warn(
    { crds: names },
    `waiting for the CRDs ${names.join(", ")} to be installed: run with --install-crds, or ` +
      `\`capstan generate crd ${o.spec} | kubectl apply -f -\``,
  );
  for (const [i, r] of resources.entries()) {
    s.waitingFor(`waiting for CRD ${names[i]}`);
    await waitForCrd(client, r, { timeoutMs: 10 * 60_000, signal: s.signal });
  }
}

export function registerRun(program: Command): void {
  const run = program
    .command("run")
    .description("run the operator(s) a module exports against the current kubeconfig")
    .argument("<module>", "a .ts/.js file, or a directory with operator.ts or index.ts")
    .option(
      "-n, --namespace <ns>",
      "watch this namespace (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option("-A, --all-namespaces", "watch every namespace (default when no -n)", false)
    .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG or in-cluster)")
    .option("--context <name>", "kubeconfig context")
    .option(
      "--install-crds",
      "install or upgrade the module's CRDs first (needs CRD write access)",
      false,
    )
    .option(
      "--health-port <port>",
      "serve /healthz, /readyz and /metrics on this port (0: any free port, -1: off)",
      parsePort,
    )
    .option("--leader-elect", "reconcile only while holding a Lease (for several replicas)", false)
    .option("--leader-election-namespace <ns>", "namespace of the Lease (default: $POD_NAMESPACE)")
    .option("--leader-election-id <name>", "name of the Lease (default: <module>-leader)")
    .option("--lease-duration <d>", "leader lease duration (default 15s)", parseDuration)
    .option(
      "--renew-deadline <d>",
      "give up leading if not renewed within (default 10s)",
      parseDuration,
    )
    .option(
      "--retry-period <d>",
      "how often to try to acquire or renew (default 2s)",
      parseDuration,
    )
    .option(
      "--local-webhooks",
      "serve admission webhooks on 127.0.0.1 and register them with the cluster, which must run on this machine (capstan dev sets it)",
      false,
    );
  registerClusterWebhookFlags(run).action((module: string, o: RunOptions) =>
    runModule(module, { ...o, signal: parentGone() }),
  );
}

/**
 * Under `capstan dev` the operator is a forked child with an IPC channel to it. If `dev`
 * dies without stopping it (SIGKILL, a crash), the channel closes: stop as on SIGTERM, not
 * run on as an orphan that holds the terminal and reconciles with stale code.
 */
function parentGone(): AbortSignal | undefined {
  if (!process.channel) return undefined;
  const gone = new AbortController();
  process.once("disconnect", () => gone.abort());
  // The channel must not keep the process alive once the operator has stopped.
  process.channel.unref();
  return gone.signal;
}
