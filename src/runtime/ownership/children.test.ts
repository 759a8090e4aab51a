// ensureChild on the real control plane: a child is created and converged without extra
// writes; a child of that name that belongs to anyone else is never changed, and the owner
// says so in its conditions and a Warning Event.
import assert from "node:assert/strict";
import { test } from "node:test";
import { eventsFor, eventually, useOperatorFixture } from "../../testing/index.js";
import { done, ensureChild, OwnershipConflictError, type ApiObject } from "../index.js";

const group = "children.capstan.test";
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" } as const;
const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;
const f = useOperatorFixture({ widgets: group });

async function widget(ns: string, name: string) {
  return (await f.kube.create({
    ...Widget,
    metadata: { name, namespace: ns },
    spec: { size: 1 },
  })) as ApiObject & typeof Widget;
}
const child = (ns: string, name: string, data: Record<string, string>) => ({
  ...CM,
  metadata: { name, namespace: ns },
  data,
});

test("a missing child is created with the owner as its controller", async () => {
  const ns = await f.namespace("child-new");
  const w = await widget(ns, "w");
  const r = await ensureChild(f.kube, w, child(ns, "c", { a: "1" }), { fieldManager: "t" });
  assert.equal(r.outcome, "created");
  const ref = r.object.metadata.ownerReferences?.[0];
  assert.deepEqual([ref?.uid, ref?.controller], [w.metadata.uid, true]);
});

test("a child that already matches is not written again", async () => {
  const ns = await f.namespace("child-same");
  const w = await widget(ns, "w");
  const first = await ensureChild(f.kube, w, child(ns, "c", { a: "1" }), { fieldManager: "t" });
  const again = await ensureChild(f.kube, w, child(ns, "c", { a: "1" }), { fieldManager: "t" });
  assert.equal(again.outcome, "unchanged");
  assert.equal(again.object.metadata.resourceVersion, first.object.metadata.resourceVersion);
});

test("a Secret written with stringData counts as unchanged once stored as data", async () => {
  const ns = await f.namespace("child-secret");
  const w = await widget(ns, "w");
  const s = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s", namespace: ns },
    stringData: { password: "pä😀" },
  } as const;
  await ensureChild(f.kube, w, s, { fieldManager: "t" });
  assert.equal((await ensureChild(f.kube, w, s, { fieldManager: "t" })).outcome, "unchanged");
});

test("a changed child of its own is updated", async () => {
  const ns = await f.namespace("child-upd");
  const w = await widget(ns, "w");
  await ensureChild(f.kube, w, child(ns, "c", { a: "1" }), { fieldManager: "t" });
  const r = await ensureChild(f.kube, w, child(ns, "c", { a: "2" }), { fieldManager: "t" });
  assert.equal(r.outcome, "updated");
  assert.equal((r.object as { data?: Record<string, string> }).data?.a, "2");
});

test("a child controlled by another owner is refused and left exactly as it was", async () => {
  const ns = await f.namespace("child-foreign");
  const [a, b] = [await widget(ns, "a"), await widget(ns, "b")];
  const theirs = await ensureChild(f.kube, a, child(ns, "c", { owner: "a" }), {
    fieldManager: "t",
  });
  await assert.rejects(
    ensureChild(f.kube, b, child(ns, "c", { owner: "b" }), { fieldManager: "t", adopt: true }),
    (e: unknown) =>
      e instanceof OwnershipConflictError &&
      /ConfigMap .*\/c already exists and does not belong to Widget .*\/b/.test(e.message) &&
      /controlled by Widget a/.test(e.message),
  );
  const after = await f.kube.get({ ...CM, namespace: ns, name: "c" });
  assert.equal(after.metadata?.resourceVersion, theirs.object.metadata.resourceVersion);
});

test("an unowned child is refused unless adoption is asked for", async () => {
  const ns = await f.namespace("child-adopt");
  const w = await widget(ns, "w");
  await f.kube.create(child(ns, "c", { hand: "made" }));
  await assert.rejects(
    ensureChild(f.kube, w, child(ns, "c", { a: "1" }), { fieldManager: "t" }),
    /has no controller and adoption is off/,
  );
  const r = await ensureChild(f.kube, w, child(ns, "c", { a: "1" }), {
    fieldManager: "t",
    adopt: true,
  });
  assert.equal(r.object.metadata.ownerReferences?.[0]?.uid, w.metadata.uid);
});

test("a controller meeting a foreign child sets Conflict=True and a Warning Event naming both", async () => {
  const ns = await f.namespace("child-ctrl");
  await f.kube.create(child(ns, "w-config", { foreign: "yes" }));
  await f.run(
    (o) =>
      void o.controller<ApiObject>({
        name: "widgets",
        for: Widget,
        owns: [CM],
        async reconcile(w, ctx) {
          await ctx.ensureChild(child(ns, `${w.metadata.name}-config`, { a: "1" }));
          return done();
        },
      }),
    { namespaces: [ns] },
  );
  const w = await widget(ns, "w");
  await eventually(async () => {
    const now = (await f.kube.get({ ...Widget, namespace: ns, name: "w" })) as {
      status?: { conditions?: { type: string; status: string; reason: string }[] };
    };
    const c = now.status?.conditions?.find((x) => x.type === "Conflict");
    assert.equal(c?.status, "True");
  });
  const ev = (await eventsFor(f.kube, w)).find((e) => e.reason === "Conflict");
  assert.equal(ev?.type, "Warning");
  assert.match(ev?.note ?? "", new RegExp(`ConfigMap ${ns}/w-config .* Widget ${ns}/w`));
  const cm = await f.kube.get({ ...CM, namespace: ns, name: "w-config" });
  assert.deepEqual([cm.data, cm.metadata?.ownerReferences], [{ foreign: "yes" }, undefined]);
});
