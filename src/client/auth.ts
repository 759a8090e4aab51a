/**
 * Credentials for a kubeconfig user, as request headers: bearer tokens (inline, or a file
 * re-read so projected tokens rotate), basic auth, and exec credential plugins
 * (client.authentication.k8s.io, run without a shell, their answer cached until it
 * expires). `auth-provider` users (OIDC, legacy cloud providers) are handed to
 * @kubernetes/client-node, loaded only then: its refresh logic is the field's reference and
 * too rare a path to be worth its memory in every process — or its 57 MB in every install, so
 * it is an optional peer dependency, and a user who needs it is told how to add it.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { ClientError } from "./errors.js";
import type { Cluster, ExecConfig, User } from "./kubeconfig.js";

const run = promisify(execFile);

export interface Credential {
  headers: Record<string, string>;
  /** When to ask again (ms since epoch); undefined: after the connection's cache TTL. */
  expiresAt?: number;
}

/** What auth-provider users need of @kubernetes/client-node (typed here, not imported: optional). */
interface ClientNode {
  KubeConfig: new () => {
    loadFromOptions(options: unknown): void;
  };
}

export interface AuthDeps {
  /** Loads @kubernetes/client-node; injected by tests to stand for a machine without it. */
  loadClientNode?: () => Promise<ClientNode>;
}

const CLIENT_NODE = "@kubernetes/client-node";

export async function credentialFor(
  user: User,
  cluster: Cluster,
  deps: AuthDeps = {},
): Promise<Credential> {
  if (user.exec) return execCredential(user.exec, user.name);
  const providerFile =
    user.authProvider?.name === "tokenFile" && user.authProvider.config?.tokenFile;
  const file = user.tokenFile ?? (providerFile || undefined);
  if (file) return bearer(readToken(file, user.name));
  if (user.token) return bearer(user.token);
  if (user.username)
    return {
      headers: {
        Authorization: `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`,
      },
    };
  if (user.authProvider) return viaClientNode(user, cluster, deps.loadClientNode);
  return { headers: {} }; // client certificates, or anonymous
}

const bearer = (token: string): Credential => ({
  // Token files written by hand often end in a newline, which no header may carry.
  headers: { Authorization: `Bearer ${token.trim()}` },
});

function readToken(file: string, user: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new ClientError(
      "auth",
      `user ${user}: cannot read token file ${file}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

interface ExecCredential {
  status?: {
    token?: string;
    expirationTimestamp?: string;
    clientCertificateData?: string;
  };
}

async function execCredential(exec: ExecConfig, user: string): Promise<Credential> {
  const apiVersion = exec.apiVersion ?? "client.authentication.k8s.io/v1";
  const env = { ...process.env };
  for (const e of exec.env ?? []) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion,
    kind: "ExecCredential",
    spec: { interactive: false },
  });
  let stdout: string;
  try {
    ({ stdout } = await run(exec.command, exec.args ?? [], { env, timeout: 60_000 }));
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    throw new ClientError(
      "auth",
      `user ${user}: exec plugin ${exec.command} failed: ${err.stderr?.trim() || err.message}`,
      { cause: e },
    );
  }
  let cred: ExecCredential;
  try {
    cred = JSON.parse(stdout) as ExecCredential;
  } catch (e) {
    throw new ClientError(
      "auth",
      `user ${user}: exec plugin ${exec.command} did not print an ExecCredential`,
      {
        cause: e,
      },
    );
  }
  const token = cred.status?.token;
  if (!token)
    throw new ClientError(
      "auth",
      cred.status?.clientCertificateData
        ? `user ${user}: exec plugin ${exec.command} returned a client certificate; only token plugins are supported`
        : `user ${user}: exec plugin ${exec.command} returned no token`,
    );
  const expires = cred.status?.expirationTimestamp;
  // Ask again a little before expiry; without an expiry, the credential is kept.
  return {
    ...bearer(token),
    expiresAt: expires ? Date.parse(expires) - 10_000 : Number.POSITIVE_INFINITY,
  };
}

async function viaClientNode(
  user: User,
  cluster: Cluster,
  load: () => Promise<ClientNode> = () => import(CLIENT_NODE) as Promise<ClientNode>,
): Promise<Credential> {
  const { KubeConfig } = await load().catch((e: unknown) => {
    throw missing(e) ? authProviderNeedsClientNode(user, e) : e;
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, skipTLSVerify: cluster.skipTLSVerify ?? false }],
    users: [user],
    contexts: [{ name: "c", cluster: cluster.name, user: user.name }],
    currentContext: "c",
  });
  const o: { headers: Record<string, string> } = { headers: {} };
  await (
    kc as unknown as { applyAuthorizationHeader(o: unknown): Promise<void> }
  ).applyAuthorizationHeader(o);
  return { headers: o.headers };
}

/** Node's error for CLIENT_NODE itself not being installed (not for a package it imports). */
const missing = (e: unknown) =>
  (e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" &&
  (e as Error).message.includes(`'${CLIENT_NODE}'`);

function authProviderNeedsClientNode(user: User, cause: unknown): ClientError {
  return new ClientError(
    "auth",
    `user ${user.name}: auth-provider "${user.authProvider?.name}" needs ${CLIENT_NODE}, ` +
      `an optional dependency of Capstan that is not installed: run \`npm install ${CLIENT_NODE}\``,
    { cause },
  );
}
