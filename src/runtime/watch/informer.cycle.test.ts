// The informer over the watcher's cycle, without a cluster: a scripted source and a fake
// clock show what a relist reports and how a failing list is retried.
import assert from "node:assert/strict";
import { test } from "node:test";
import { apiError } from "../../client/errors.js";
import type { WatchEvent } from "../../client/watch.js";
import { fakeClock } from "../../testing/clock.js";
import { Cache } from "./cache.js";
import { Informer, type ListWatch } from "./informer.js";

type Obj = { metadata: { name: string; namespace: string; resourceVersion: string } };
const obj = (name: string, rv: string): Obj => ({
  metadata: { name, namespace: "demo", resourceVersion: rv },
});
const req = { verb: "list", object: "ConfigMap in demo" };

/** Lists and streams played in order; past the script a stream stays open and quiet. */
function scripted(
  lists: (Obj[] | Error)[],
  streams: (WatchEvent<Obj> | Error)[][],
): ListWatch<Obj> {
  return {
    async list() {
      const next = lists.shift()!;
      if (next instanceof Error) throw next;
      return { items: next, resourceVersion: next.at(-1)?.metadata.resourceVersion ?? "1" };
    },
    async *watch(_from, signal) {
      const script = streams.shift();
      if (!script) await new Promise((r) => signal?.addEventListener("abort", r));
      for (const step of script ?? []) {
        if (step instanceof Error) throw step;
        yield step;
      }
    },
  };
}

test("a relist after a 410 reports the objects that vanished meanwhile as deleted", async (t) => {
  const gone = apiError({ verb: "watch", object: "ConfigMap in demo" }, 410, { reason: "Expired" });
  const inf = new Informer<Obj>({
    name: "configmaps",
    source: scripted(
      [
        [obj("a", "1"), obj("b", "2")],
        [obj("b", "2"), obj("c", "5")],
      ],
      [[gone]],
    ),
    cache: new Cache<Obj>(),
    clock: fakeClock(),
  });
  const seen: string[] = [];
  inf.on({
    added: (o) => void seen.push(`added ${o.metadata.name}`),
    deleted: (o) => void seen.push(`deleted ${o.metadata.name}`),
  });
  const relisted = new Promise<void>((r) =>
    inf.on({ added: (o) => o.metadata.name === "c" && r() }),
  );
  const abort = new AbortController();
  const running = inf.run(abort.signal);
  t.after(() => abort.abort());
  await relisted;
  abort.abort();
  await running;
  assert.deepEqual(seen, ["added a", "added b", "deleted a", "added c"]);
  assert.deepEqual(inf.reader().keys().sort(), ["demo/b", "demo/c"]);
  assert.equal(inf.stats.lists, 2);
});

test("a forbidden list is retried after its backoff on the clock, its error kept for health", async (t) => {
  const clock = fakeClock();
  const forbidden = apiError(req, 403, { reason: "Forbidden", message: "cannot list" });
  const inf = new Informer<Obj>({
    name: "configmaps",
    source: scripted([forbidden, [obj("a", "1")]], []),
    cache: new Cache<Obj>(),
    backoff: { initialMs: 1000, maxMs: 1000 },
    clock,
  });
  const abort = new AbortController();
  const running = inf.run(abort.signal);
  t.after(() => abort.abort());
  const delay = await clock.nextTimer();
  assert.ok(delay >= 500 && delay <= 1000, `a jittered delay: ${delay}`);
  assert.match(inf.stats.lastError ?? "", /Forbidden: cannot list/);
  assert.equal(inf.hasSynced, false);
  await clock.advance(delay);
  await inf.synced;
  assert.equal(inf.stats.lastError, undefined, "a successful list clears the error");
  abort.abort();
  await running;
});
