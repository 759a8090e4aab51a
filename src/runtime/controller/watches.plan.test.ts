// Which informers a controller's watches need, and referencedBy's lookup: pure, no cluster.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Cache } from "../watch/cache.js";
import { ownedWatches } from "./owned.js";
import type { ApiObject } from "./reconcile.js";
import { planInformers, referencedBy, type Watch } from "./watches.js";

const SECRET = { apiVersion: "v1", kind: "Secret" };
const CM = { apiVersion: "v1", kind: "ConfigMap" };
const OWNER = { apiVersion: "example.com/v1", kind: "Db" };
const none = () => [];
const summary = (watches: Watch[], namespaces: (string | undefined)[]) =>
  planInformers(watches, namespaces).map(
    (p) =>
      `${p.kind.kind} ${p.namespace ?? "*"} ${p.metadataOnly ? "metadata" : "full"} ×${p.watches.length}`,
  );

test("owns and watches of one kind share one informer per kind and namespace", () => {
  const watches = [
    ...ownedWatches(OWNER, [SECRET]),
    { kind: SECRET, map: none },
    { kind: CM, map: none },
  ];
  assert.deepEqual(summary(watches, ["b", "a"]), [
    "Secret a metadata ×2",
    "Secret b metadata ×2",
    "ConfigMap a metadata ×1",
    "ConfigMap b metadata ×1",
  ]);
});

test("a kind is watched metadata-only unless one of its watches asks for whole objects", () => {
  assert.deepEqual(summary([{ kind: SECRET, map: none }], [undefined]), ["Secret * metadata ×1"]);
  assert.deepEqual(
    summary(
      [
        { kind: CM, map: none },
        { kind: CM, map: none, metadataOnly: false },
      ],
      [undefined],
    ),
    ["ConfigMap * full ×2"],
  );
});

test("a watch of every namespace gives its kind one informer for all, and its own namespaces win", () => {
  assert.deepEqual(
    summary(
      [
        { kind: CM, map: none, namespaces: "all" },
        { kind: CM, map: none },
      ],
      ["a"],
    ),
    ["ConfigMap * metadata ×2"],
  );
  assert.deepEqual(summary([{ kind: CM, map: none, namespaces: ["c"] }], ["a"]), [
    "ConfigMap c metadata ×1",
  ]);
});

test("referencedBy maps an object to the primary objects whose index lists its namespace/name", () => {
  type Db = ApiObject & { spec: { secret: string } };
  const cache = new Cache<Db>({
    indexers: { secret: (d) => [`${d.metadata.namespace}/${d.spec.secret}`] },
  });
  const db = (namespace: string, name: string, secret: string): Db => ({
    metadata: { namespace, name },
    spec: { secret },
  });
  for (const d of [db("a", "x", "s"), db("a", "y", "s"), db("a", "z", "t"), db("b", "w", "s")])
    cache.upsert(d);
  const keys = referencedBy<Db>("secret")(
    { metadata: { namespace: "a", name: "s" } },
    { cache: cache.reader() },
  );
  assert.deepEqual([...keys].map((k) => `${k.namespace}/${k.name}`).sort(), ["a/x", "a/y"]);
});
