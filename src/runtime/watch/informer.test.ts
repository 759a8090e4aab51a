// The informer against the real control plane, with faults injected: a 410 after etcd
// compaction relists and misses nothing; a stalled stream is cut and resumed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { Cache } from "./cache.js";
import { Informer } from "./informer.js";
import { listWatch } from "./source.js";
import {
  compactEtcd,
  eventually,
  operatorFixture,
  startApiProxy,
  type ApiProxy,
  type TestControlPlane,
} from "../../testing/index.js";

let cp: TestControlPlane;
let kube: KubeClient;
let proxy: ApiProxy;
let ns: { name: string; dispose(): Promise<void> };
type Obj = { metadata: { name: string; namespace: string; resourceVersion: string } };

before(async () => {
  const f = await operatorFixture({ spaces: ["inf"] });
  ({ cp, kube } = f);
  proxy = await startApiProxy(cp.kubeconfig);
  ns = { name: f.ns.inf, dispose: f.dispose };
});
after(async () => {
  await proxy.close();
  await ns.dispose();
});

const event = (name: string) => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: { name, namespace: ns.name },
  involvedObject: { kind: "ConfigMap", name: "x", namespace: ns.name },
  reason: "Test",
  message: name,
});

test("a 410 after etcd compaction makes the informer relist, and no change is missed", async (t) => {
  // Core Events are watched from etcd directly (no watch cache), so compaction reaches them.
  const viaProxy = await KubeClient.fromKubeconfig({ path: proxy.kubeconfig });
  const errors: unknown[] = [];
  const inf = new Informer<Obj>({
    name: "events",
    source: listWatch<Obj>(viaProxy, { apiVersion: "v1", kind: "Event" }, { namespace: ns.name }),
    cache: new Cache<Obj>(),
    onError: (_step, e) => errors.push(e),
  });
  const added: string[] = [];
  inf.on({ added: (o) => void added.push(o.metadata.name) });
  const abort = new AbortController();
  const running = inf.run(abort.signal);
  t.after(async () => {
    abort.abort();
    await running;
  });
  await kube.create(event("before"));
  await inf.synced;
  await eventually(async () => assert.ok(added.includes("before"), added.join()));
  assert.equal(inf.stats.lists, 1);
  // While the informer cannot hear, changes happen and etcd forgets their history.
  proxy.pause();
  for (let i = 0; i < 5; i++) await kube.create(event(`missed-${i}`));
  await compactEtcd(cp);
  proxy.cut();
  proxy.resume();
  await eventually(
    async () => {
      const names = inf
        .reader()
        .list()
        .map((o) => o.metadata.name)
        .sort();
      assert.deepEqual(names, [
        "before",
        "missed-0",
        "missed-1",
        "missed-2",
        "missed-3",
        "missed-4",
      ]);
    },
    { what: "the cache to hold every Event" },
  );
  assert.ok(inf.stats.lists >= 2, `relisted after the 410 (lists: ${inf.stats.lists})`);
  assert.ok(
    errors.some((e) => (e as { code?: number }).code === 410),
    "the watch got 410 Gone",
  );
  abort.abort();
  await running;
});

test("a silent stream is cut by the watchdog and the informer resumes without losing a change", async (t) => {
  const viaProxy = await KubeClient.fromKubeconfig({ path: proxy.kubeconfig });
  const errors: unknown[] = [];
  const inf = new Informer<Obj>({
    name: "configmaps",
    source: listWatch<Obj>(
      viaProxy,
      { apiVersion: "v1", kind: "ConfigMap" },
      { namespace: ns.name, labelSelector: "stall=1" },
      { inactivityMs: 1500 },
    ),
    cache: new Cache<Obj>(),
    backoff: { initialMs: 100, maxMs: 500 },
    onError: (_step, e) => errors.push(e),
  });
  const abort = new AbortController();
  const running = inf.run(abort.signal);
  // A failed assertion must still stop the informer, or its open watch keeps the file alive.
  t.after(async () => {
    abort.abort();
    await running;
  });
  await inf.synced;
  // The watch is flowing (not merely requested) once a change made after the list arrives
  // through it: pausing earlier would hold the request itself, which no watchdog times.
  await kube.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "flowing", namespace: ns.name, labels: { stall: "1" } },
  });
  await eventually(async () =>
    assert.ok(inf.reader().get(`${ns.name}/flowing`), "the watch delivers changes"),
  );
  proxy.pause();
  await kube.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "while-silent", namespace: ns.name, labels: { stall: "1" } },
  });
  await eventually(async () =>
    assert.ok(
      errors.some((e) => (e as Error).name === "WatchStalledError"),
      "stall detected",
    ),
  );
  proxy.resume();
  await eventually(async () =>
    assert.ok(inf.reader().get(`${ns.name}/while-silent`), "the change made while silent arrived"),
  );
  abort.abort();
  await running;
});
