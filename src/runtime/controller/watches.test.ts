// `watches`: a change of a related object (one the controller does not own) re-queues the
// primary objects its map names — exactly those — through a metadata-only, namespace-scoped
// informer. Absence is proven with a later signal event through the same watch: the queue
// runs one key at a time, first in first out, so a key queued by the event under test would
// be reconciled before the signal's.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeClient } from "../../client/client.js";
import { eventually, operatorFixture, type RunningOperator } from "../../testing/index.js";
import {
  createLogger,
  done,
  Operator,
  referencedBy,
  RuntimeError,
  type ApiObject,
} from "../index.js";

const group = "watches.capstan.test";
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };
const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;
const SECRET = { apiVersion: "v1", kind: "Secret" } as const;
type W = ApiObject & { spec?: { note?: string } };

let kube: KubeClient;
let op: RunningOperator;
let ns: string;
let elsewhere: string;
const disposers: (() => Promise<void>)[] = [];
/** Keys reconciled, in order. */
const reconciled: string[] = [];
/** What the maps saw (`Kind name@resourceVersion`) and what was reconciled, in order. */
const trace: string[] = [];
const saw = (obj: ApiObject, kind: string) =>
  trace.push(`saw ${kind} ${obj.metadata.name}@${obj.metadata.resourceVersion}`);
/** Every Secret a map was given. */
const secretsSeen: ApiObject[] = [];

before(async () => {
  const f = await operatorFixture({ widgets: group, spaces: ["watches", "unwatched"] });
  disposers.push(f.dispose);
  ({ kube } = f);
  [ns, elsewhere] = [f.ns.watches, f.ns.unwatched];
  op = await f.run(
    (o) =>
      void o.controller<W>({
        name: "related",
        for: Widget,
        queue: { concurrency: 1 },
        indexers: { note: (w) => (w.spec?.note ? [`${w.metadata.namespace}/${w.spec.note}`] : []) },
        watches: [
          {
            kind: CM,
            // Always in the watched namespace: a ConfigMap heard from elsewhere would show.
            map: (cm) => {
              saw(cm, "ConfigMap");
              if (cm.metadata.labels?.widget === "throw") throw new Error("a map's own bug");
              return (cm.metadata.labels?.widget ?? "")
                .split(",")
                .filter(Boolean)
                .map((name) => ({ namespace: ns, name }));
            },
          },
          {
            kind: SECRET,
            map: (s, ctx) => {
              secretsSeen.push(s);
              saw(s, "Secret");
              return referencedBy("note")(s, ctx);
            },
          },
        ],
        async reconcile(_w, ctx) {
          reconciled.push(ctx.key);
          trace.push(`reconcile ${ctx.key}`);
          return done();
        },
      }),
    { namespaces: [ns], captureLogs: true, logLevel: "warn" },
  );
  await op.synced();
});

after(async () => {
  await op?.stop();
  for (const d of disposers) await d();
});

const cm = (name: string, widget: string, namespace = ns) =>
  kube.create({ ...CM, metadata: { name, namespace, labels: { widget } }, data: { v: "0" } });
const touch = (kind: typeof CM | typeof SECRET, name: string, namespace = ns) =>
  kube.patch(
    { ...kind, namespace, name },
    { metadata: { annotations: { touched: `${Date.now()}` } } },
  );
const widget = (name: string, note?: string) =>
  kube.create({ ...Widget, metadata: { name, namespace: ns }, spec: note ? { note } : {} });

/** The signal objects: the ConfigMap `signal` re-queues Widget `signal`, the Secret `signal-secret` Widget `s`. */
const SIGNALS = { ConfigMap: "signal", Secret: "signal-secret" } as const;

/**
 * Touch the signal object of `via`'s watch and wait until its map has seen that change and
 * the queue is empty: every event the watch delivered before it has been mapped (one
 * stream, in order) and every key it queued has been reconciled.
 */
async function settle(via: typeof CM | typeof SECRET): Promise<void> {
  const touched = await touch(via, SIGNALS[via.kind]);
  const seen = `saw ${via.kind} ${SIGNALS[via.kind]}@${touched.metadata?.resourceVersion}`;
  await eventually(async () => assert.ok(trace.includes(seen), seen));
  await op.idle();
}

/** The keys reconciled because of `act` (signals left out), proven complete by `settle`. */
async function reconciledBy(
  act: () => Promise<unknown>,
  via: typeof CM | typeof SECRET = CM,
): Promise<string[]> {
  await settle(via);
  const from = trace.length;
  await act();
  await settle(via);
  return trace
    .slice(from)
    .filter((t) => t.startsWith("reconcile "))
    .map((t) => t.slice("reconcile ".length))
    .filter((k) => k !== `${ns}/signal` && k !== `${ns}/s`);
}

describe("watches", () => {
  before(async () => {
    for (const w of ["a", "b", "signal"]) await widget(w);
    await cm("signal", "signal");
    await eventually(async () => assert.ok(reconciled.includes(`${ns}/signal`)));
  });

  test("a change of a watched object re-queues exactly the keys its map returns", async () => {
    await cm("to-a", "a");
    const keys = await reconciledBy(() => touch(CM, "to-a"));
    assert.deepEqual(keys, [`${ns}/a`]);
  });

  test("a watched object whose map changes re-queues the keys of its old and its new version", async () => {
    await cm("moves", "a");
    const keys = await reconciledBy(() =>
      kube.patch(
        { ...CM, namespace: ns, name: "moves" },
        { metadata: { labels: { widget: "b" } } },
      ),
    );
    assert.deepEqual(keys.sort(), [`${ns}/a`, `${ns}/b`]);
  });

  test("a deleted watched object re-queues the keys its map returns", async () => {
    await cm("goes", "b");
    const keys = await reconciledBy(() => kube.delete({ ...CM, namespace: ns, name: "goes" }));
    assert.deepEqual(keys, [`${ns}/b`]);
  });

  test("a watched kind is watched only in the controller's namespaces", async () => {
    const keys = await reconciledBy(() => cm("from-elsewhere", "a", elsewhere));
    assert.deepEqual(keys, []);
  });

  test("a map that throws is logged naming the kind and the object, and the watch carries on", async () => {
    const keys = await reconciledBy(() => cm("buggy", "throw"));
    assert.deepEqual(keys, []);
    const line = op.logs().find((l) => l.includes("the map of watched ConfigMap"));
    assert.ok(line, "the failure is logged");
    assert.match(line, new RegExp(`ConfigMap ${ns}/buggy`));
    assert.match(line, /a map's own bug/);
  });

  test("a watched kind is cached metadata only by default: a map sees a Secret's labels, never its data", async () => {
    await kube.create({
      ...SECRET,
      metadata: { name: "payload", namespace: ns, labels: { kept: "yes" } },
      stringData: { password: "never-cached" },
    });
    const seen = await eventually(async () => {
      const s = secretsSeen.find((x) => x.metadata.name === "payload");
      assert.ok(s, "the map saw the Secret");
      return s as ApiObject & { data?: unknown };
    });
    assert.equal(seen.metadata.labels?.kept, "yes");
    assert.equal(seen.data, undefined);
    assert.ok(!JSON.stringify(seen).includes("never-cached"));
  });

  test("referencedBy(index) re-queues every object whose index names the changed object", async () => {
    await widget("r1", "shared");
    await widget("r2", "shared");
    await widget("r3", "other");
    await widget("s", "signal-secret");
    await eventually(async () =>
      assert.ok(["r1", "r2", "r3", "s"].every((w) => reconciled.includes(`${ns}/${w}`))),
    );
    for (const name of ["shared", "other", "signal-secret"])
      await kube.create({ ...SECRET, metadata: { name, namespace: ns }, stringData: { k: "v" } });
    const keys = await reconciledBy(() => touch(SECRET, "shared"), SECRET);
    assert.deepEqual(keys.sort(), [`${ns}/r1`, `${ns}/r2`]);
  });
});

test("a malformed watched kind is refused at start, naming the controller and the field", async () => {
  const op = new Operator({ client: kube, log: createLogger({ level: "silent" }) });
  op.controller({
    name: "typo",
    for: Widget,
    watches: [{ kind: { apiVersion: "v1", kind: "config map" }, map: () => [] }],
    reconcile: async () => undefined,
  });
  await assert.rejects(
    op.run(),
    (e: unknown) =>
      e instanceof RuntimeError && /controller typo: watches\[0\]\.kind\.kind: /.test(e.message),
  );
});
