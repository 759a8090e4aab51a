// In-cluster configuration from a service-account directory other than the Pod mount
// (CAPSTAN_SERVICEACCOUNT_DIR), with no cluster: only how the connection is configured.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { connect, loadKubeConfig, SERVICEACCOUNT_DIR_ENV } from "./config.js";
import { ClientError } from "./errors.js";

const VARS = [
  "KUBECONFIG",
  "KUBERNETES_SERVICE_HOST",
  "KUBERNETES_SERVICE_PORT",
  SERVICEACCOUNT_DIR_ENV,
];
let saved: Record<string, string | undefined>;
let dir: string;

beforeEach(() => {
  saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
  for (const v of VARS) delete process.env[v];
  dir = mkdtempSync(path.join(os.tmpdir(), "capstan-sa-"));
});
afterEach(() => {
  for (const v of VARS)
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  rmSync(dir, { recursive: true, force: true });
});

test("a service-account directory configures the client as in a Pod: server, token, namespace", async () => {
  writeFileSync(path.join(dir, "token"), "token-1\n");
  writeFileSync(
    path.join(dir, "ca.crt"),
    "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
  );
  writeFileSync(path.join(dir, "namespace"), "ops");
  Object.assign(process.env, {
    KUBERNETES_SERVICE_HOST: "127.0.0.1",
    KUBERNETES_SERVICE_PORT: "6443",
    [SERVICEACCOUNT_DIR_ENV]: dir,
  });
  const conn = connect(loadKubeConfig());
  assert.equal(conn.server, "https://127.0.0.1:6443");
  assert.equal(conn.namespace, "ops");
  assert.equal((await conn.authHeaders()).Authorization, "Bearer token-1");
  assert.equal(conn.cluster.caFile, path.join(dir, "ca.crt"));
  conn.agent.destroy();
});

test("a service-account directory without a token is refused, naming the file", () => {
  Object.assign(process.env, {
    KUBERNETES_SERVICE_HOST: "127.0.0.1",
    KUBERNETES_SERVICE_PORT: "6443",
    [SERVICEACCOUNT_DIR_ENV]: dir,
  });
  assert.throws(
    () => loadKubeConfig(),
    (e: unknown) =>
      e instanceof ClientError &&
      e.step === "config" &&
      e.message.includes(`holds no token file (${path.join(dir, "token")})`),
  );
});
