/**
 * Where the cluster is and who we are. Loading and authentication are delegated to
 * @kubernetes/client-node's `KubeConfig` (KUBECONFIG with several files merged, contexts,
 * in-cluster service accounts with token rotation, client certificates, bearer tokens, exec
 * plugins, OIDC) — the field's well-kept implementation.
 *
 * What we do not take from it: its `applyToHTTPSOptions` builds a new https.Agent on every
 * call; we build one keep-alive Agent per cluster from the same TLS settings and only ask
 * KubeConfig for the Authorization header, cached for `AUTH_TTL_MS` so rotating tokens
 * (files, exec plugins) are still picked up.
 *
 * One addition: `CAPSTAN_SERVICEACCOUNT_DIR` names a directory holding `token`, `ca.crt` and
 * `namespace` to use instead of the in-cluster mount
 * (/var/run/secrets/kubernetes.io/serviceaccount), with KUBERNETES_SERVICE_HOST/PORT as in a
 * Pod. It applies only when no kubeconfig is given (no path, no $KUBECONFIG), and lets a
 * process outside a Pod run exactly as the Pod would — tests use it to run an operator with
 * its generated ServiceAccount's token and RBAC enforced.
 */
import { existsSync, readFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { ClientError } from "./errors.js";

const AUTH_TTL_MS = 10_000;

export interface Connection {
  server: string;
  namespace: string;
  agent: https.Agent;
  /** Headers carrying credentials (fresh enough for rotating tokens). */
  authHeaders(): Promise<Record<string, string>>;
  kubeConfig: KubeConfig;
}

export interface ConfigOptions {
  /** A kubeconfig file; default: $KUBECONFIG (merged) or ~/.kube/config, else in-cluster. */
  path?: string;
  context?: string;
  /** Default namespace; default: the context's, else "default". */
  namespace?: string;
  /** Keep-alive sockets per cluster (default 64). */
  maxSockets?: number;
}

export function connect(
  kc: KubeConfig,
  opts: Pick<ConfigOptions, "namespace" | "maxSockets"> = {},
): Connection {
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new ClientError(
      "config",
      `kubeconfig context ${JSON.stringify(kc.getCurrentContext())} names no cluster`,
    );
  const tls: https.RequestOptions = {};
  // The synchronous part of KubeConfig's option handling: CA, client certificate, skip-verify.
  (kc as unknown as { applyHTTPSOptions(o: https.RequestOptions): void }).applyHTTPSOptions(tls);
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: opts.maxSockets ?? 64,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: tls.rejectUnauthorized,
    servername: tls.servername,
  });
  let cached: { at: number; headers: Record<string, string> } | undefined;
  const context = kc.getContextObject(kc.getCurrentContext());
  return {
    server: cluster.server.replace(/\/+$/, ""),
    namespace: opts.namespace ?? context?.namespace ?? "default",
    agent,
    kubeConfig: kc,
    async authHeaders() {
      if (cached && Date.now() - cached.at < AUTH_TTL_MS) return cached.headers;
      const o: https.RequestOptions & { headers: Record<string, string> } = { headers: {} };
      await (
        kc as unknown as { applyAuthorizationHeader(o: unknown): Promise<void> }
      ).applyAuthorizationHeader(o);
      const user = kc.getCurrentUser();
      if (user?.username) {
        o.headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`;
      }
      // Token files written by hand often end in a newline, which no header may carry.
      if (o.headers.Authorization) o.headers.Authorization = o.headers.Authorization.trim();
      cached = { at: Date.now(), headers: o.headers };
      return o.headers;
    },
  };
}

export function loadKubeConfig(opts: ConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  const saDir = process.env[SERVICEACCOUNT_DIR_ENV];
  try {
    if (opts.path) kc.loadFromFile(opts.path);
    else if (!process.env.KUBECONFIG && saDir) loadFromServiceAccountDir(kc, saDir);
    else kc.loadFromDefault();
    if (opts.context) kc.setCurrentContext(opts.context);
  } catch (e) {
    throw new ClientError(
      "config",
      `cannot load kubeconfig${opts.path ? ` ${opts.path}` : ""}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return kc;
}

/** Env naming a service-account directory to use instead of the in-cluster mount. */
export const SERVICEACCOUNT_DIR_ENV = "CAPSTAN_SERVICEACCOUNT_DIR";

/** In-cluster configuration (server from KUBERNETES_SERVICE_HOST/PORT) with `dir`'s files. */
function loadFromServiceAccountDir(kc: KubeConfig, dir: string): void {
  const token = path.join(dir, "token");
  if (!existsSync(token))
    throw new Error(`${SERVICEACCOUNT_DIR_ENV}=${dir} holds no token file (${token})`);
  if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT)
    throw new Error(
      `${SERVICEACCOUNT_DIR_ENV} is set but KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not`,
    );
  // client-node builds the server URL and the token-file user (re-read as it rotates); only
  // the file locations differ from a Pod's.
  const pod = new KubeConfig();
  pod.loadFromCluster();
  const nsFile = path.join(dir, "namespace");
  const namespace = existsSync(nsFile) ? readFileSync(nsFile, "utf8").trim() : undefined;
  kc.loadFromOptions({
    clusters: pod.clusters.map((c) => ({ ...c, caFile: path.join(dir, "ca.crt") })),
    users: pod.users.map((u) => ({
      ...u,
      authProvider: { name: "tokenFile", config: { tokenFile: token } },
    })),
    contexts: pod.contexts.map((c) => ({ ...c, namespace })),
    currentContext: pod.currentContext,
  });
}
