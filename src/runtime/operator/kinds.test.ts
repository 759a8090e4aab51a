// The kinds a controller names, against the real API server's discovery: a near miss (a
// plural, a version the group does not serve) stops the operator at start with "did you
// mean", naming the controller and the field.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { testNamespace, useWidgets, type TestControlPlane } from "../../testing/index.js";
import { createLogger, done, Operator, RuntimeError } from "../index.js";

const group = "kinds.capstan.test";
let cp: TestControlPlane;
let kube: KubeClient;
let ns: string;
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  ({ cp, kube } = await useWidgets(group));
  const made = await testNamespace(kube, "kinds");
  ns = made.name;
  cleanups.push(made.dispose);
});
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** The error `run()` rejects with for a controller `for` this kind. */
async function startFor(kind: { apiVersion: string; kind: string }): Promise<unknown> {
  const client = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  const op = new Operator({
    client,
    namespaces: [ns],
    log: createLogger({ level: "silent" }),
  });
  op.controller({ name: "typo", for: kind, reconcile: async () => done() });
  const stop = new AbortController();
  cleanups.push(async () => stop.abort());
  return op.run({ signal: stop.signal }).then(
    () => assert.fail("the operator started"),
    (e: unknown) => e,
  );
}

test("a controller for a kind's plural fails at start, naming the controller and the kind meant", async () => {
  const e = await startFor({ apiVersion: `${group}/v1`, kind: "Widgets" });
  assert.ok(e instanceof RuntimeError, String(e));
  assert.equal(
    e.message,
    `run: controller typo: for: the server serves no kind Widgets in apiVersion ${group}/v1; did you mean Widget (${group}/v1)?`,
  );
});

test("a controller for a version its group does not serve fails at start, suggesting the served one", async () => {
  const e = await startFor({ apiVersion: `${group}/v1beta1`, kind: "Widget" });
  assert.ok(e instanceof RuntimeError, String(e));
  assert.match(
    e.message,
    /^run: controller typo: for: .*; did you mean Widget \(kinds\.capstan\.test\/v1\)\?$/,
  );
});
