// Operator-wide hooks on the real control plane, as kopf's activities: startup hooks run
// before any watch and hold the operator back until they succeed; cleanup hooks run as it
// stops; probes show on /healthz.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { KubeClient } from "../../client/client.js";
import {
  eventually,
  runOperator,
  testNamespace,
  useWidgets,
  type TestControlPlane,
} from "../../testing/index.js";
import { createLogger, Operator, PermanentError, RuntimeError, type ApiObject } from "../index.js";

let cp: TestControlPlane;
let kube: KubeClient;
let Widget: { apiVersion: string; kind: "Widget" };

before(async () => {
  ({ cp, kube, Widget } = await useWidgets("activities.capstan.test"));
});

const widget = (ns: string, name: string) => ({
  ...Widget,
  metadata: { name, namespace: ns },
  spec: { size: 1 },
});

async function get(url: string): Promise<{ code: number; body: string }> {
  const res = await fetch(url);
  return { code: res.status, body: await res.text() };
}

/** Whether any informer of the operator has started listing. */
const watching = (o: Operator) =>
  o.controllers.some((c) => c.informers.some((i) => i.stats.startedAt > 0));

test("a failing startup hook is retried, named on /readyz, and nothing is watched until it succeeds", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "act-start");
  await kube.create(widget(ns, "w"));
  let available = false;
  const watchedDuringStartup: boolean[] = [];
  const created: string[] = [];
  const op = await runOperator(
    (o) =>
      void o
        .onStartup(
          function load_config() {
            watchedDuringStartup.push(watching(o));
            if (!available) throw new Error("config map not there yet");
          },
          { backoff: { initialMs: 50, maxMs: 200 } },
        )
        .on<ApiObject>(Widget)
        .create(({ obj }) => void created.push(obj.metadata.name!)),
    { kubeconfig: cp.kubeconfig, namespaces: [ns], health: { port: 0 } },
  );
  try {
    const url = await eventually(async () => op.healthUrl() ?? assert.fail("not serving yet"));
    await eventually(async () => {
      const r = await get(`${url}/readyz`);
      assert.equal(r.code, 503);
      assert.match(
        r.body,
        /startup hook load_config failed \(attempt \d+\): config map not there yet/,
      );
    });
    assert.ok(watchedDuringStartup.length >= 2, "retried");
    assert.ok(!watchedDuringStartup.some(Boolean), "no informer started while it failed");
    assert.deepEqual(created, [], "nothing handled before the hook succeeded");
    available = true;
    await eventually(async () => assert.deepEqual(created, ["w"]));
    await eventually(async () => assert.equal((await get(`${url}/readyz`)).code, 200));
  } finally {
    await op.stop();
    await dispose();
  }
});

test("a startup hook that fails with a PermanentError ends run() naming it, before any watch", async () => {
  const op = new Operator({
    client: kube,
    log: createLogger({ level: "silent" }),
  });
  op.onStartup(
    () => {
      throw new PermanentError("no license key");
    },
    { id: "check-license" },
  )
    .on<ApiObject>(Widget)
    .create(() => undefined);
  await assert.rejects(
    op.run(),
    (e: unknown) =>
      e instanceof RuntimeError &&
      e.message === "startup: hook check-license failed: no license key",
  );
  assert.equal(watching(op), false);
});

test("cleanup hooks run once each, in order, as the operator stops; one that fails does not stop the others", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "act-clean");
  const calls: string[] = [];
  const op = await runOperator(
    (o) =>
      void o
        .onCleanup(function close_pool() {
          calls.push("close_pool");
        })
        .onCleanup(() => {
          calls.push("second");
          throw new Error("a failing cleanup hook is logged, not thrown");
        })
        .onCleanup(async function flush() {
          calls.push("flush");
        })
        .on<ApiObject>(Widget)
        .create(() => undefined),
    { kubeconfig: cp.kubeconfig, namespaces: [ns] },
  );
  try {
    await op.synced();
    assert.deepEqual(calls, [], "not while running");
  } finally {
    await op.stop();
    await dispose();
  }
  assert.deepEqual(calls, ["close_pool", "second", "flush"]);
});

test("probes show on /healthz with their values, and one that throws fails it, named", async () => {
  const { name: ns, dispose } = await testNamespace(kube, "act-probe");
  let poolUp = true;
  const op = await runOperator(
    (o) =>
      void o
        .probe(function pool() {
          if (!poolUp) throw new Error("no connection to the database");
          return { idle: 3 };
        })
        .probe(async () => "fine", { id: "queue" })
        .on<ApiObject>(Widget)
        .create(() => undefined),
    { kubeconfig: cp.kubeconfig, namespaces: [ns], health: { port: 0 } },
  );
  try {
    await op.synced();
    const url = op.healthUrl()!;
    assert.deepEqual(await get(`${url}/healthz`), {
      code: 200,
      body: '[+] probe pool: {"idle":3}\n[+] probe queue: "fine"\nok\n',
    });
    poolUp = false;
    assert.deepEqual(await get(`${url}/healthz`), {
      code: 503,
      body:
        "[-] probe pool: no connection to the database\n" +
        '[+] probe queue: "fine"\nhealthz check failed\n',
    });
  } finally {
    await op.stop();
    await dispose();
  }
});
