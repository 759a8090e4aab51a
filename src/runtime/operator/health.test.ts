// The operator's /healthz, /readyz and /metrics on the real control plane: ready after the
// caches sync, counters that move with the work done, and a liveness check that fails while
// a watch is silently stalled and recovers when it hears from the server again.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { parse, stringify } from "yaml";
import { eventually, kubectlOk, startApiProxy, useOperatorFixture } from "../../testing/index.js";
import { done, type ApiObject, type Operator } from "../index.js";

type W = ApiObject & { spec: { size: number }; status?: { size?: number } };
const group = "health.capstan.test";
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };
const f = useOperatorFixture({ widgets: group });

const mirror = (o: Operator) =>
  void o.controller<W>({
    name: "mirror",
    for: Widget,
    async reconcile(w, ctx) {
      await ctx.patchStatus({ size: w.spec.size });
      return done();
    },
  });

async function get(url: string): Promise<{ code: number; body: string }> {
  const res = await fetch(url);
  return { code: res.status, body: await res.text() };
}

/** The value of one sample of a metric in Prometheus text, or undefined. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

test("/readyz turns ready after the caches sync and /metrics counts reconciles and API requests", async () => {
  const { kube } = f;
  const ns = await f.namespace("health");
  const op = await f.run(mirror, { namespaces: [ns], health: { port: 0 } });
  await op.synced();
  const url = op.healthUrl()!;
  assert.equal((await get(`${url}/readyz`)).code, 200, "ready once synced");
  assert.deepEqual(await get(`${url}/healthz`), { code: 200, body: "ok\n" });

  for (let i = 0; i < 3; i++)
    await kube.create({ ...Widget, metadata: { name: `w${i}`, namespace: ns }, spec: { size: i } });
  await eventually(async () => {
    const text = (await get(`${url}/metrics`)).body;
    const ok = sample(text, "controller_runtime_reconcile_total", {
      controller: "mirror",
      result: "success",
    });
    assert.ok((ok ?? 0) >= 3, `3 successful reconciles counted, got ${ok}`);
  });
  const text = (await get(`${url}/metrics`)).body;
  const patches = sample(text, "rest_client_requests_total", { code: "200", method: "PATCH" });
  assert.ok((patches ?? 0) >= 3, `status patches counted by code and method, got ${patches}`);
  assert.equal(sample(text, "workqueue_depth", { name: "mirror" }), 0, "the queue drained");
  assert.ok(
    (sample(text, "controller_runtime_reconcile_time_seconds_count", { controller: "mirror" }) ??
      0) >= 3,
    "reconcile durations observed",
  );
  assert.equal(
    sample(text, "capstan_informer_lists_total", { informer: `mirror/Widget in ${ns}` }),
    1,
    "one list at start",
  );
  assert.ok(sample(text, "process_resident_memory_bytes")! > 0, "process metrics are served");
  assert.equal((await get(`${url}/nope`)).code, 404);
});

test("/healthz fails naming the watch while it is stalled, and recovers when events flow again", async () => {
  const { kube } = f;
  const ns = await f.namespace("stall");
  const proxy = await startApiProxy(f.cp.kubeconfig);
  f.defer(() => proxy.close());
  const op = await f.run(mirror, {
    kubeconfig: proxy.kubeconfig,
    namespaces: [ns],
    // The client's own watchdog would cut and resume the stream; keep it out of the way so
    // the health check is what notices.
    inactivityMs: 600_000,
    health: { port: 0, stallAfterMs: 1500 },
  });
  await op.synced();
  const url = op.healthUrl()!;
  await kube.create({ ...Widget, metadata: { name: "before", namespace: ns }, spec: { size: 1 } });
  await eventually(async () => assert.equal((await get(`${url}/healthz`)).code, 200));

  proxy.pause();
  await eventually(async () => {
    const h = await get(`${url}/healthz`);
    assert.equal(h.code, 503, `unhealthy while stalled: ${h.body}`);
    assert.match(h.body, new RegExp(`watch of Widget in ${ns} stalled`));
  });
  assert.equal((await get(`${url}/readyz`)).code, 200, "still ready: its cache is intact");

  proxy.resume();
  await kube.create({ ...Widget, metadata: { name: "after", namespace: ns }, spec: { size: 2 } });
  await eventually(async () => {
    const h = await get(`${url}/healthz`);
    assert.equal(h.code, 200, `healthy once the watch hears again: ${h.body}`);
  });
});

test("/healthz fails naming the object while a reconcile is stuck, and recovers when it returns", async () => {
  const { kube } = f;
  const ns = await f.namespace("stuck");
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const op = await f.run(
    (o) =>
      void o.controller<W>({
        name: "hang",
        for: Widget,
        async reconcile(w) {
          if (w.metadata.name === "hangs") await released;
          return done();
        },
      }),
    { namespaces: [ns], health: { port: 0, stuckAfterMs: 1000 } },
  );
  await op.synced();
  const url = op.healthUrl()!;
  await kube.create({ ...Widget, metadata: { name: "hangs", namespace: ns }, spec: { size: 1 } });
  await eventually(async () => {
    const h = await get(`${url}/healthz`);
    assert.equal(h.code, 503, `unhealthy while stuck: ${h.body}`);
    assert.match(h.body, new RegExp(`reconcile of Widget ${ns}/hangs running for \\d+ s`));
  });
  const text = (await get(`${url}/metrics`)).body;
  assert.ok(
    sample(text, "workqueue_longest_running_processor_seconds", { name: "hang" })! >= 1,
    "the stuck reconcile shows in the metrics too",
  );
  release();
  await eventually(async () => assert.equal((await get(`${url}/healthz`)).code, 200));
});

test("/healthz fails naming the cache and the list's error when a cache never syncs", async () => {
  const ns = await f.namespace("nosync");
  // A ServiceAccount with no RBAC rule: its list of Widgets is Forbidden, retried forever.
  await f.kube.create({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "norights", namespace: ns },
  });
  const token = (await kubectlOk(f.cp, ["create", "token", "norights", "-n", ns])).trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-nosync-"));
  f.defer(() => rmSync(dir, { recursive: true, force: true }));
  const config = parse(await kubectlOk(f.cp, ["config", "view", "--raw"])) as {
    users: { user: Record<string, unknown> }[];
  };
  for (const u of config.users) u.user = { token };
  writeFileSync(path.join(dir, "kubeconfig"), stringify(config));
  const op = await f.run(
    (o) => void o.controller<W>({ name: "denied", for: Widget, reconcile: async () => done() }),
    {
      kubeconfig: path.join(dir, "kubeconfig"),
      namespaces: [ns],
      health: { port: 0, syncTimeoutMs: 1000 },
    },
  );
  await eventually(async () => {
    const url = op.healthUrl(); // served from the start, before any cache syncs
    assert.ok(url, "the health server is up");
    const h = await get(`${url}/healthz`);
    assert.equal(h.code, 503, `unhealthy once the timeout passed: ${h.body}`);
    assert.match(
      h.body,
      /controller denied: cache of Widget in \S+ not synced after \d+ s: .*forbidden.*widgets/i,
    );
  });
});
