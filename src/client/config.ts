/**
 * Where the cluster is and who we are: a kubeconfig (kubeconfig.ts reads it) turned into one
 * keep-alive https.Agent per cluster, carrying the TLS settings (CA, client certificate,
 * skip-verify, server name), and credentials as headers (auth.ts), cached for
 * `AUTH_TTL_MS` — or until an exec plugin's credential expires — so rotating tokens are
 * still picked up.
 *
 * @kubernetes/client-node's `applyToHTTPSOptions` built a new Agent on every call, and its
 * KubeConfig costs ~80 MiB of memory to import; neither is used on this path any more.
 */
import { readFileSync } from "node:fs";
import https from "node:https";
import tls from "node:tls";
import { credentialFor } from "./auth.js";
import { ClientError } from "./errors.js";
import {
  currentOf,
  readKubeconfig,
  type Cluster,
  type Context,
  type KubeconfigData,
  type User,
} from "./kubeconfig.js";

export { SERVICEACCOUNT_DIR_ENV } from "./kubeconfig.js";

const AUTH_TTL_MS = 10_000;

export interface Connection {
  server: string;
  namespace: string;
  /** For streams (watch, logs); other requests use the client's own pool (wire/pool.ts). */
  agent: https.Agent;
  /** The TLS settings every connection to the server uses. */
  tls: TlsSettings;
  maxSockets: number;
  /** Headers carrying credentials (fresh enough for rotating tokens). */
  authHeaders(): Promise<Record<string, string>>;
  /** The kubeconfig entries in use. */
  cluster: Cluster;
  user: User;
  context: Context;
}

export interface TlsSettings {
  secureContext: tls.SecureContext;
  rejectUnauthorized: boolean;
  servername?: string;
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

function fileOrData(data: string | undefined, file: string | undefined, what: string) {
  if (data) return Buffer.from(data, "base64");
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ClientError("config", `cannot read the ${what} ${file}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

export function connect(
  kc: KubeconfigData,
  opts: Pick<ConfigOptions, "namespace" | "maxSockets"> = {},
): Connection {
  const { cluster, user, context } = currentOf(kc);
  // One TLS context for every connection, built once. Given as ca/cert/key instead, Node
  // builds a context per new socket and concatenates the PEMs into the agent's pool key on
  // every request (both showed in the operator benchmark's CPU profile).
  const secureContext = tls.createSecureContext({
    ca: fileOrData(cluster.caData, cluster.caFile, "certificate authority"),
    cert: fileOrData(user.certData, user.certFile, "client certificate"),
    key: fileOrData(user.keyData, user.keyFile, "client key"),
  });
  const settings: TlsSettings = {
    secureContext,
    rejectUnauthorized: !cluster.skipTLSVerify,
    servername: cluster.tlsServerName,
  };
  const maxSockets = opts.maxSockets ?? 64;
  const agent = new https.Agent({ keepAlive: true, maxSockets, ...settings });
  let cached: { until: number; headers: Record<string, string> } | undefined;
  return {
    server: cluster.server.replace(/\/+$/, ""),
    namespace: opts.namespace ?? context.namespace ?? "default",
    agent,
    tls: settings,
    maxSockets,
    cluster,
    user,
    context,
    async authHeaders() {
      if (cached && Date.now() < cached.until) return cached.headers;
      const cred = await credentialFor(user, cluster);
      cached = { until: cred.expiresAt ?? Date.now() + AUTH_TTL_MS, headers: cred.headers };
      return cred.headers;
    },
  };
}

/** The kubeconfig to use (see kubeconfig.ts for the rules). */
export function loadKubeConfig(opts: ConfigOptions = {}): KubeconfigData {
  return readKubeconfig(opts);
}
