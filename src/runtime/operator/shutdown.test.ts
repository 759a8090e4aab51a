// Stopping an operator mid-reconcile: the reconcile in flight is aborted, and that is not a
// failure — no Reconciled=False, no Warning Event, so no write to undo on the next start.
import assert from "node:assert/strict";
import { test } from "node:test";
import { eventsFor, useOperatorFixture } from "../../testing/index.js";
import { done, type ApiObject } from "../index.js";

const f = useOperatorFixture({ widgets: "shutdown.capstan.test" });

test("a reconcile aborted by the operator's stop writes no condition and no Event", async () => {
  const { kube, Widget } = f;
  const ns = await f.namespace("shutdown");
  let entered!: () => void;
  const inFlight = new Promise<void>((r) => (entered = r));
  let aborted = false;
  const op = await f.run(
    (o) =>
      void o.controller<ApiObject>({
        name: "slow",
        for: Widget,
        async reconcile(_w, ctx) {
          entered();
          await new Promise<void>((_r, reject) =>
            ctx.signal.addEventListener("abort", () => {
              aborted = true;
              reject(ctx.signal.reason);
            }),
          );
          return done();
        },
      }),
    { namespaces: [ns] },
  );
  const w = await kube.create({ ...Widget, metadata: { name: "w", namespace: ns }, spec: {} });
  await inFlight;
  const before = op.writes();
  await op.stop();
  assert.ok(aborted, "the reconcile saw its signal abort");
  assert.equal(op.writes(), before, "no write after the stop began");
  const now = (await kube.get({ ...Widget, namespace: ns, name: "w" })) as ApiObject;
  assert.equal(now.status, undefined);
  assert.deepEqual(
    (await eventsFor(kube, w)).map((e) => e.reason),
    [],
  );
});
