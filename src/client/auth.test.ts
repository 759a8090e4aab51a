// Credentials that need @kubernetes/client-node, an optional peer dependency: a kubeconfig
// user with an `auth-provider` on a machine without it gets one error that says what to do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { credentialFor } from "./auth.js";
import { ClientError } from "./errors.js";

const cluster = { name: "c", server: "https://127.0.0.1:6443" };
const oidcUser = {
  name: "alice@example.com",
  authProvider: { name: "oidc", config: { "id-token": "x", "idp-issuer-url": "https://idp" } },
};

/** What Node's import() rejects with when a package is not installed. */
const notInstalled = (pkg: string) => async () => {
  throw Object.assign(new Error(`Cannot find package '${pkg}' imported from /app/auth.js`), {
    code: "ERR_MODULE_NOT_FOUND",
  });
};

test("an auth-provider user without @kubernetes/client-node installed is told the user, the provider and the command that installs it", async () => {
  await assert.rejects(
    credentialFor(oidcUser, cluster, { loadClientNode: notInstalled("@kubernetes/client-node") }),
    (e: unknown) => {
      assert.ok(e instanceof ClientError, String(e));
      assert.equal(e.step, "auth");
      assert.match(e.message, /^user alice@example\.com: auth-provider "oidc" needs /);
      assert.match(e.message, /`npm install @kubernetes\/client-node`/);
      return true;
    },
  );
});

test("a package missing inside an installed @kubernetes/client-node is reported as it is", async () => {
  await assert.rejects(
    credentialFor(oidcUser, cluster, { loadClientNode: notInstalled("openid-client") }),
    /Cannot find package 'openid-client'/,
  );
});

test("users without an auth-provider never load @kubernetes/client-node", async () => {
  const loadClientNode = () => Promise.reject(new Error("loaded"));
  const cred = await credentialFor({ name: "bob", token: "t" }, cluster, { loadClientNode });
  assert.equal(cred.headers.Authorization, "Bearer t");
});
