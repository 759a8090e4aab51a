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
 */
import https from "node:https";
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
      cached = { at: Date.now(), headers: o.headers };
      return o.headers;
    },
  };
}

export function loadKubeConfig(opts: ConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.path) kc.loadFromFile(opts.path);
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
