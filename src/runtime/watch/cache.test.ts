// The informer's cache: keys, indexes, read-only views and managedFields stripping.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Cache, keyOf } from "./cache.js";

interface Obj {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    managedFields?: unknown[];
  };
  data?: Record<string, string>;
}
const cm = (namespace: string, name: string, app = "x"): Obj => ({
  metadata: { name, namespace, labels: { app }, managedFields: [{ manager: "kubectl" }] },
});

describe("cache", () => {
  test("keys namespaced objects as namespace/name and cluster-scoped ones as name", () => {
    assert.equal(keyOf({ metadata: { namespace: "a", name: "b" } }), "a/b");
    assert.equal(keyOf({ metadata: { name: "node-1" } }), "node-1");
  });

  test("strips managedFields by default and freezes what it stores", () => {
    const c = new Cache<Obj>();
    c.upsert(cm("ns", "a"));
    const got = c.reader().get("ns/a")!;
    assert.equal(got.metadata.managedFields, undefined);
    assert.ok(Object.isFrozen(got) && Object.isFrozen(got.metadata.labels));
    assert.throws(() => {
      (got.metadata.labels as Record<string, string>).app = "changed";
    });
  });

  test("a transform replaces the default", () => {
    const c = new Cache<Obj>({ transform: (o) => ({ ...o, data: { seen: "yes" } }) });
    c.upsert(cm("ns", "a"));
    assert.deepEqual(c.reader().get("ns/a")!.data, { seen: "yes" });
    assert.ok(c.reader().get("ns/a")!.metadata.managedFields, "kept when the transform keeps it");
  });

  test("indexes follow updates and removals", () => {
    const c = new Cache<Obj>({ indexers: { app: (o) => [o.metadata.labels?.app ?? ""] } });
    const r = c.reader();
    c.upsert(cm("ns", "a", "web"));
    c.upsert(cm("ns", "b", "web"));
    c.upsert(cm("ns", "c", "db"));
    assert.deepEqual(r.byIndex("app", "web").map(keyOf).sort(), ["ns/a", "ns/b"]);
    c.upsert(cm("ns", "b", "db"));
    assert.deepEqual(r.byIndex("app", "web").map(keyOf), ["ns/a"]);
    c.remove("ns/c");
    assert.deepEqual(r.byIndex("app", "db").map(keyOf), ["ns/b"]);
    assert.throws(() => r.byIndex("nope", "x"), /no index named nope/);
  });

  test("replace drops what a fresh list no longer has and reports it", () => {
    const c = new Cache<Obj>();
    c.upsert(cm("ns", "a"));
    c.upsert(cm("ns", "b"));
    assert.deepEqual(c.replace([cm("ns", "b"), cm("ns", "c")]), ["ns/a"]);
    assert.deepEqual(c.reader().keys().sort(), ["ns/b", "ns/c"]);
    assert.equal(c.reader().size, 2);
  });

  test("the reader view has no way to write", () => {
    const r = new Cache<Obj>().reader() as unknown as Record<string, unknown>;
    for (const m of ["upsert", "remove", "replace"]) assert.equal(r[m], undefined);
  });
});
