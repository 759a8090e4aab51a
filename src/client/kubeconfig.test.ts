// Kubeconfig reading and credentials without a cluster: kubectl's merge rules, paths relative
// to their file, contexts, and exec credential plugins run for real (a small Node script).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { scratchDir } from "../testing/scratch.js";
import path from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { credentialFor } from "./auth.js";
import { ClientError } from "./errors.js";
import { currentOf, readKubeconfig, SERVICEACCOUNT_DIR_ENV } from "./kubeconfig.js";

let dir: string;
let saved: Record<string, string | undefined>;
const VARS = ["KUBECONFIG", SERVICEACCOUNT_DIR_ENV];
beforeEach(() => {
  dir = scratchDir("capstan-kc-");
  saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
  for (const v of VARS) delete process.env[v];
});
afterEach(() => {
  for (const v of VARS)
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
});

const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

const FIRST = `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: one
  cluster:
    server: https://one.example:6443
    certificate-authority: certs/ca.crt
    tls-server-name: api.one
contexts:
- name: a
  context: { cluster: one, user: alice, namespace: team-a }
- name: shared
  context: { cluster: one, user: alice }
users:
- name: alice
  user:
    client-certificate-data: Y2VydA==
    client-key: keys/alice.key
`;
const SECOND = `apiVersion: v1
kind: Config
current-context: b
clusters:
- name: two
  cluster: { server: "https://two.example", insecure-skip-tls-verify: true }
contexts:
- name: b
  context: { cluster: two, user: bob }
- name: shared
  context: { cluster: two, user: bob }
users:
- name: bob
  user: { token: t0ken }
`;

test("KUBECONFIG files merge as kubectl merges them: the first name and current-context win", () => {
  const a = write("a.yaml", FIRST);
  const b = write("b.yaml", SECOND);
  process.env.KUBECONFIG = [a, path.join(dir, "missing.yaml"), b].join(path.delimiter);
  const kc = readKubeconfig();
  assert.equal(kc.currentContext, "a");
  assert.deepEqual(
    kc.contexts.map((c) => `${c.name}:${c.cluster}`),
    ["a:one", "shared:one", "b:two"],
  );
  const { cluster, user, context } = currentOf(kc);
  assert.equal(cluster.caFile, path.join(dir, "certs/ca.crt"), "relative to its file");
  assert.equal(cluster.tlsServerName, "api.one");
  assert.equal(user.certData, "Y2VydA==");
  assert.equal(user.keyFile, path.join(dir, "keys/alice.key"));
  assert.equal(context.namespace, "team-a");
  const other = currentOf(readKubeconfig({ path: b, context: "b" }));
  assert.equal(other.cluster.skipTLSVerify, true);
  assert.equal(other.user.token, "t0ken");
});

test("an unknown context or a context without a cluster is refused, naming it", () => {
  const a = write("a.yaml", FIRST);
  assert.throws(
    () => readKubeconfig({ path: a, context: "nope" }),
    (e: unknown) => e instanceof ClientError && e.step === "config" && /"nope"/.test(e.message),
  );
  const broken = write(
    "broken.yaml",
    FIRST.replace("cluster: one, user: alice, namespace", "cluster: gone, user: alice, namespace"),
  );
  assert.throws(
    () => currentOf(readKubeconfig({ path: broken })),
    (e: unknown) => e instanceof ClientError && /context "a" names no cluster/.test(e.message),
  );
});

test("token files are re-read, so a rotated token is used", async () => {
  const file = write("token", "first\n");
  const user = { name: "sa", tokenFile: file };
  const cluster = { name: "c", server: "https://x" };
  assert.equal((await credentialFor(user, cluster)).headers.Authorization, "Bearer first");
  write("token", "second");
  assert.equal((await credentialFor(user, cluster)).headers.Authorization, "Bearer second");
});

test("an exec plugin runs without a shell and its token is used until it expires", async () => {
  const script = write(
    "plugin.mjs",
    `const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
process.stdout.write(JSON.stringify({
  apiVersion: info.apiVersion, kind: "ExecCredential",
  status: { token: info.kind + "-" + process.env.EXTRA + "-" + process.argv[2], expirationTimestamp: "2999-01-01T00:00:00Z" },
}));`,
  );
  const user = {
    name: "cloud",
    exec: {
      apiVersion: "client.authentication.k8s.io/v1",
      command: process.execPath,
      args: [script, "$(whoami);"],
      env: [{ name: "EXTRA", value: "x" }],
    },
  };
  const cred = await credentialFor(user, { name: "c", server: "https://x" });
  assert.equal(
    cred.headers.Authorization,
    "Bearer ExecCredential-x-$(whoami);",
    "args reach it as written",
  );
  assert.equal(cred.expiresAt, Date.parse("2999-01-01T00:00:00Z") - 10_000);
});

test("a failing exec plugin is an auth error naming the command and what it printed", async () => {
  const script = write("fail.mjs", `process.stderr.write("no login session"); process.exit(3);`);
  await assert.rejects(
    credentialFor(
      { name: "cloud", exec: { command: process.execPath, args: [script] } },
      { name: "c", server: "https://x" },
    ),
    (e: unknown) =>
      e instanceof ClientError &&
      e.step === "auth" &&
      e.message.includes(`user cloud: exec plugin ${process.execPath} failed: no login session`),
  );
});
