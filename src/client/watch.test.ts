// Watches that never silently stop: resume from a bookmark after the connection is cut,
// 410 Gone after etcd compaction, a cut connection that loses no event, a stalled stream
// detected and resumed; multibyte text intact however the network splits it. Fault injection goes through a loopback proxy the test controls.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeClient } from "./client.js";
import { GoneError } from "./errors.js";
import { WatchStalledError, type WatchEvent, type WatchState } from "./watch.js";
import {
  compactEtcd,
  eventually,
  startApiProxy,
  testNamespace,
  useControlPlane,
  type ApiProxy,
  type TestControlPlane,
} from "../testing/index.js";

let cp: TestControlPlane;
let kube: KubeClient;
let ns: string;
let dispose: () => Promise<void>;
const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;
type CM = { metadata: { name: string; resourceVersion: string } };

before(async () => {
  cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ({ name: ns, dispose } = await testNamespace(kube, "watch"));
});
after(() => dispose());

// 200 KB of 3-, 2-, 4- and 1-byte characters: the 16 KiB TLS records that carry it cut
// characters in two.
const MULTIBYTE = "日é😀a".repeat(20_000);
type BigCM = { metadata: { name: string }; data: { text: string } };

/** The object of the first ADDED event of a watch. */
async function firstAdded(it: AsyncIterable<WatchEvent<BigCM>>): Promise<BigCM> {
  for await (const ev of it) if (ev.type === "ADDED") return ev.object;
  throw new Error("the watch ended before the ConfigMap was added");
}

/** Collect events of a watch in the background. */
function collect<T>(it: AsyncIterable<WatchEvent<T>>) {
  const events: WatchEvent<T>[] = [];
  const done = (async () => {
    for await (const ev of it) events.push(ev);
  })();
  return { events, done };
}

test("a ConfigMap of 200 KB of multibyte text arrives through a watch byte for byte", async (t) => {
  const ref = { ...CM, namespace: ns, name: "multibyte" };
  const { resourceVersion } = await kube.list({ ...CM, namespace: ns });
  const abort = new AbortController();
  t.after(() => abort.abort());
  const added = firstAdded(
    kube.watchOnce<typeof ref, BigCM>(ref, { resourceVersion, signal: abort.signal }),
  );
  added.catch(() => undefined); // awaited below; if a step before fails, the abort ends it
  await kube.create({
    ...CM,
    metadata: { name: ref.name, namespace: ns },
    data: { text: MULTIBYTE },
  });
  const { text } = (await added).data;
  assert.ok(!text.includes("\uFFFD"), "no character was replaced by U+FFFD");
  assert.ok(Buffer.from(text).equals(Buffer.from(MULTIBYTE)), "the text is the one written");
});

describe("watch", () => {
  let proxy: ApiProxy;
  before(async () => {
    proxy = await startApiProxy(cp.kubeconfig);
  });
  after(() => proxy.close());

  test("resumes from the initial-events-end bookmark after the connection is cut, without replaying", async () => {
    const viaProxy = await KubeClient.fromKubeconfig({ path: proxy.kubeconfig });
    await kube.create({ ...CM, metadata: { name: "pre", namespace: ns } });
    const state: WatchState = { resourceVersion: undefined, initialEventsEnded: false };
    const abort = new AbortController();
    const reconnects: unknown[] = [];
    const w = collect(
      viaProxy.watch<typeof CM & { namespace: string }, CM>(
        { ...CM, namespace: ns },
        {
          sendInitialEvents: true,
          state,
          signal: abort.signal,
          onReconnect: (e) => reconnects.push(e),
        },
      ),
    );
    await eventually(async () => assert.ok(state.initialEventsEnded, "initial events ended"));
    const bookmarkRv = state.resourceVersion;
    assert.ok(
      w.events.some((e) => e.type === "ADDED" && e.object.metadata.name === "pre"),
      "pre listed",
    );
    assert.ok(
      w.events.some((e) => e.type === "BOOKMARK"),
      "bookmark seen",
    );
    proxy.cut();
    await kube.create({ ...CM, metadata: { name: "after-cut", namespace: ns } });
    await eventually(
      async () =>
        assert.ok(
          w.events.some((e) => e.object.metadata.name === "after-cut"),
          "after-cut seen",
        ),
      { what: "the event made while cut" },
    );
    abort.abort();
    await w.done;
    assert.ok(reconnects.length >= 1, "it reconnected");
    assert.notEqual(bookmarkRv, undefined);
    assert.equal(
      w.events.filter((e) => e.type === "ADDED" && e.object.metadata.name === "pre").length,
      1,
      "no replay of the initial state",
    );
  });

  test("a connection cut mid-stream loses no event", async () => {
    const viaProxy = await KubeClient.fromKubeconfig({ path: proxy.kubeconfig });
    const { resourceVersion } = await kube.list({ ...CM, namespace: ns });
    const abort = new AbortController();
    const w = collect(
      viaProxy.watch<typeof CM & { namespace: string }, CM>(
        { ...CM, namespace: ns },
        { resourceVersion, signal: abort.signal, labelSelector: "burst=1" },
      ),
    );
    const names = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
    for (const [i, name] of names.entries()) {
      await kube.create({ ...CM, metadata: { name, namespace: ns, labels: { burst: "1" } } });
      if (i % 10 === 5) proxy.cut();
    }
    await eventually(
      async () => {
        const seen = new Set(
          w.events.filter((e) => e.type === "ADDED").map((e) => e.object.metadata.name),
        );
        assert.deepEqual(
          names.filter((n) => !seen.has(n)),
          [],
        );
      },
      { what: "every created ConfigMap to be seen" },
    );
    abort.abort();
    await w.done;
  });

  test("a stalled stream is detected by the inactivity watchdog and resumed", async () => {
    const viaProxy = await KubeClient.fromKubeconfig({ path: proxy.kubeconfig });
    const { resourceVersion } = await kube.list({ ...CM, namespace: ns });
    const abort = new AbortController();
    const reconnects: unknown[] = [];
    const w = collect(
      viaProxy.watch<typeof CM & { namespace: string }, CM>(
        { ...CM, namespace: ns },
        {
          resourceVersion,
          signal: abort.signal,
          labelSelector: "stall=1",
          inactivityMs: 1500,
          onReconnect: (e) => reconnects.push(e),
        },
      ),
    );
    await sleep(200);
    proxy.pause();
    await kube.create({
      ...CM,
      metadata: { name: "during-stall", namespace: ns, labels: { stall: "1" } },
    });
    await eventually(
      async () =>
        assert.ok(
          reconnects.some((e) => e instanceof WatchStalledError),
          "stall detected",
        ),
      { what: "the stall to be detected" },
    );
    proxy.resume();
    await eventually(
      async () =>
        assert.ok(
          w.events.some((e) => e.object.metadata.name === "during-stall"),
          "during-stall seen",
        ),
      { what: "the event from the stall" },
    );
    abort.abort();
    await w.done;
  });

  test("a stream the proxy pauses mid-response carries on intact after resume", async (t) => {
    const viaProxy = await KubeClient.fromKubeconfig({ path: proxy.kubeconfig });
    const ref = { ...CM, namespace: ns, name: "paused" };
    const state: WatchState = { resourceVersion: undefined, initialEventsEnded: false };
    const abort = new AbortController();
    t.after(() => abort.abort());
    // One stream, no reconnection: a byte lost in the pause would break it, not be re-sent.
    const added = firstAdded(
      viaProxy.watchOnce<typeof ref, BigCM>(ref, {
        sendInitialEvents: true,
        state,
        signal: abort.signal,
      }),
    );
    added.catch(() => undefined); // awaited below; if a step before fails, the abort ends it
    await eventually(async () => assert.ok(state.initialEventsEnded, "the watch is open"));
    proxy.pause();
    await kube.create({
      ...CM,
      metadata: { name: ref.name, namespace: ns },
      data: { text: MULTIBYTE },
    });
    await eventually(async () => assert.ok(proxy.held > 0, "the event reached the paused proxy"));
    proxy.resume();
    const { text } = (await added).data;
    assert.ok(Buffer.from(text).equals(Buffer.from(MULTIBYTE)), "the text is the one written");
  });

  test("watching from a version compacted away in etcd fails with GoneError", async () => {
    // Core Events have no watch cache in the API server, so the watch reaches etcd itself
    // (ConfigMap watches are served from the cache, which outlives etcd compaction).
    const Ev = { apiVersion: "v1", kind: "Event" } as const;
    const event = (name: string) => ({
      ...Ev,
      metadata: { name, namespace: ns },
      involvedObject: { kind: "ConfigMap", name: "x", namespace: ns },
      reason: "Test",
      message: "compaction",
    });
    await kube.create(event("e0"));
    const { resourceVersion: old } = await kube.list({ ...Ev, namespace: ns });
    for (let i = 1; i <= 3; i++) await kube.create(event(`e${i}`));
    await compactEtcd(cp);
    await assert.rejects(
      (async () => {
        for await (const _ of kube.watch(
          { ...Ev, namespace: ns },
          { resourceVersion: old, timeoutSeconds: 20 },
        ))
          void _;
      })(),
      (e: unknown) =>
        e instanceof GoneError && e.code === 410 && /^watch Event in /.test(e.message),
    );
  });

  test("a watch resumes from the bookmark the server sends before its timeout", async () => {
    const state: WatchState = { resourceVersion: undefined, initialEventsEnded: false };
    const { resourceVersion } = await kube.list({ ...CM, namespace: ns });
    state.resourceVersion = resourceVersion;
    // One stream of 8 s: the server sends a BOOKMARK shortly before closing it. It carries
    // the watch cache's version, which the server never sends when older than the watch's
    // start — so a change this watch filters out moves it on: the bookmark is then the only
    // news of it, and resuming from it skips it.
    const first: WatchEvent<CM>[] = [];
    const unseen = sleep(500).then(() =>
      kube.create({ ...CM, metadata: { name: "not-watched", namespace: ns } }),
    );
    for await (const ev of kube.watchOnce<typeof CM & { namespace: string }, CM>(
      { ...CM, namespace: ns },
      { state, timeoutSeconds: 8, labelSelector: "bm=1" },
    ))
      first.push(ev);
    const filtered = await unseen;
    // The server may send more than one (a periodic one, then the one before closing).
    const bookmark = first.findLast((e) => e.type === "BOOKMARK");
    assert.ok(bookmark, "a bookmark arrived before the server closed the stream");
    assert.deepEqual(
      first.filter((e) => e.type !== "BOOKMARK"),
      [],
      "the filtered change was not sent",
    );
    assert.equal(state.resourceVersion, bookmark.object.metadata.resourceVersion);
    assert.ok(
      BigInt(bookmark.object.metadata.resourceVersion!) >=
        BigInt(filtered.metadata!.resourceVersion!),
      "the bookmark is at or past the filtered change",
    );
    await kube.create({
      ...CM,
      metadata: { name: "after-bookmark", namespace: ns, labels: { bm: "1" } },
    });
    const next: WatchEvent<CM>[] = [];
    for await (const ev of kube.watchOnce<typeof CM & { namespace: string }, CM>(
      { ...CM, namespace: ns },
      { state, timeoutSeconds: 2, labelSelector: "bm=1" },
    ))
      next.push(ev);
    assert.deepEqual(
      next.filter((e) => e.type !== "BOOKMARK").map((e) => `${e.type} ${e.object.metadata.name}`),
      ["ADDED after-bookmark"],
    );
  });
});
