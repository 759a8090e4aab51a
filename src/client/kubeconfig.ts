/**
 * Reading kubeconfig files and the in-cluster service account, by hand.
 *
 * Why not @kubernetes/client-node's KubeConfig: importing it loads the library's whole
 * generated API (its config module imports `gen/index.js`), about 80 MiB of resident memory
 * in every operator process — more than everything else Capstan loads together — for what
 * is a YAML file and a few rules. The data model below keeps client-node's field names, so a
 * client-node `KubeConfig` object can still be handed to `KubeClient.fromKubeConfig`.
 *
 * Rules followed (kubectl's): KUBECONFIG is a list of files merged in order, the first
 * to define a name wins, and the first `current-context` set wins; relative paths in a file
 * are relative to that file; without any file, the in-cluster service account
 * (KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/serviceaccount) is used.
 * `CAPSTAN_SERVICEACCOUNT_DIR` names another directory with the same files (`token`,
 * `ca.crt`, `namespace`), so a process outside a Pod runs exactly as a Pod would.
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { ClientError } from "./errors.js";

export interface Cluster {
  name: string;
  server: string;
  /** Base64 PEM, as in kubeconfig files. */
  caData?: string;
  caFile?: string;
  skipTLSVerify?: boolean;
  tlsServerName?: string;
}

export interface ExecConfig {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  apiVersion?: string;
  interactiveMode?: string;
}

export interface User {
  name: string;
  token?: string;
  /** Re-read on every refresh: projected tokens rotate. */
  tokenFile?: string;
  certData?: string;
  certFile?: string;
  keyData?: string;
  keyFile?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  authProvider?: { name: string; config?: Record<string, string> };
}

export interface Context {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

export interface KubeconfigData {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
}

export const SERVICEACCOUNT_DIR_ENV = "CAPSTAN_SERVICEACCOUNT_DIR";
const POD_SERVICEACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

type Raw = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** One kubeconfig file's content, paths made absolute against its directory. */
export function parseKubeconfig(text: string, file: string): KubeconfigData {
  const doc = (parse(text) ?? {}) as Raw;
  const dir = path.dirname(path.resolve(file));
  const abs = (p: unknown) => (str(p) ? path.resolve(dir, p as string) : undefined);
  const named = (key: string, inner: string) =>
    ((doc[key] as Raw[] | null) ?? []).map((e) => ({
      name: String(e.name ?? ""),
      v: (e[inner] ?? {}) as Raw,
    }));
  return {
    clusters: named("clusters", "cluster").map(({ name, v }) => ({
      name,
      server: String(v.server ?? ""),
      caData: str(v["certificate-authority-data"]),
      caFile: abs(v["certificate-authority"]),
      skipTLSVerify: v["insecure-skip-tls-verify"] === true,
      tlsServerName: str(v["tls-server-name"]),
    })),
    users: named("users", "user").map(({ name, v }) => ({
      name,
      token: str(v.token),
      tokenFile: abs(v.tokenFile),
      certData: str(v["client-certificate-data"]),
      certFile: abs(v["client-certificate"]),
      keyData: str(v["client-key-data"]),
      keyFile: abs(v["client-key"]),
      username: str(v.username),
      password: str(v.password),
      exec: v.exec as ExecConfig | undefined,
      authProvider: v["auth-provider"] as User["authProvider"],
    })),
    contexts: named("contexts", "context").map(({ name, v }) => ({
      name,
      cluster: String(v.cluster ?? ""),
      user: String(v.user ?? ""),
      namespace: str(v.namespace),
    })),
    currentContext: String(doc["current-context"] ?? ""),
  };
}

/** Several files merged as kubectl merges KUBECONFIG: the first definition of a name wins. */
export function mergeKubeconfigs(parts: KubeconfigData[]): KubeconfigData {
  const out: KubeconfigData = { clusters: [], users: [], contexts: [], currentContext: "" };
  for (const p of parts) {
    for (const k of ["clusters", "users", "contexts"] as const) {
      const list = out[k] as { name: string }[];
      for (const item of p[k]) if (!list.some((e) => e.name === item.name)) list.push(item);
    }
    out.currentContext ||= p.currentContext;
  }
  return out;
}

/** The in-cluster service account (or the directory `CAPSTAN_SERVICEACCOUNT_DIR` names). */
export function inClusterConfig(dir = process.env[SERVICEACCOUNT_DIR_ENV]): KubeconfigData {
  const sa = dir || POD_SERVICEACCOUNT_DIR;
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  const token = path.join(sa, "token");
  if (!host || !port)
    throw new ClientError(
      "config",
      "no kubeconfig found (KUBECONFIG, ~/.kube/config) and not in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)",
    );
  if (!existsSync(token))
    throw new ClientError(
      "config",
      `${dir ? `${SERVICEACCOUNT_DIR_ENV}=${dir}` : "the service account mount"} holds no token file (${token})`,
    );
  const nsFile = path.join(sa, "namespace");
  return {
    clusters: [
      {
        name: "in-cluster",
        server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
        caFile: path.join(sa, "ca.crt"),
      },
    ],
    users: [{ name: "in-cluster", tokenFile: token }],
    contexts: [
      {
        name: "in-cluster",
        cluster: "in-cluster",
        user: "in-cluster",
        namespace: existsSync(nsFile) ? readFileSync(nsFile, "utf8").trim() : undefined,
      },
    ],
    currentContext: "in-cluster",
  };
}

/**
 * From `file`, else $KUBECONFIG (merged), else `CAPSTAN_SERVICEACCOUNT_DIR`, else
 * ~/.kube/config, else in-cluster.
 */
export function readKubeconfig(opts: { path?: string; context?: string } = {}): KubeconfigData {
  const files = opts.path
    ? [opts.path]
    : process.env.KUBECONFIG
      ? process.env.KUBECONFIG.split(path.delimiter).filter(Boolean)
      : [path.join(os.homedir(), ".kube", "config")].filter((f) => existsSync(f));
  let data: KubeconfigData;
  const saDir = !opts.path && !process.env.KUBECONFIG && process.env[SERVICEACCOUNT_DIR_ENV];
  if (files.length === 0 || saDir) data = inClusterConfig();
  else {
    const parts: KubeconfigData[] = [];
    for (const f of files) {
      if (!opts.path && !existsSync(f)) continue; // kubectl skips missing KUBECONFIG entries
      try {
        parts.push(parseKubeconfig(readFileSync(f, "utf8"), f));
      } catch (e) {
        throw new ClientError("config", `cannot load kubeconfig ${f}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
    data = mergeKubeconfigs(parts);
  }
  if (opts.context) {
    if (!data.contexts.some((c) => c.name === opts.context))
      throw new ClientError("config", `kubeconfig has no context ${JSON.stringify(opts.context)}`);
    data = { ...data, currentContext: opts.context };
  }
  return data;
}

/** The current context's cluster, user and context, or an error naming what is missing. */
export function currentOf(kc: KubeconfigData): { cluster: Cluster; user: User; context: Context } {
  const context = kc.contexts.find((c) => c.name === kc.currentContext);
  if (!context)
    throw new ClientError(
      "config",
      `kubeconfig current context ${JSON.stringify(kc.currentContext)} does not exist`,
    );
  const cluster = kc.clusters.find((c) => c.name === context.cluster);
  if (!cluster?.server)
    throw new ClientError(
      "config",
      `kubeconfig context ${JSON.stringify(context.name)} names no cluster with a server`,
    );
  const user = kc.users.find((u) => u.name === context.user) ?? { name: context.user };
  return { cluster, user, context };
}
