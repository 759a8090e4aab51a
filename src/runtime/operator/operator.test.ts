// The runtime end to end on the real control plane: reconcile with owned children and
// status, kopf-style handlers across restarts, finalizers, retries and Events, zero writes
// when converged, and never the same object twice at once.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { NotFoundError } from "../../client/errors.js";
import type { Operator } from "./operator.js";
import { done, PermanentError, setCondition, type Condition, type ApiObject } from "../index.js";
import { eventually, useOperatorFixture } from "../../testing/index.js";

const group = `rt${randomBytes(3).toString("hex")}.capstan.test`;
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };
type W = ApiObject & {
  spec: { size: number; note?: string };
  status?: { conditions?: Condition[]; observedGeneration?: number };
};

const f = useOperatorFixture({ widgets: group });

f.before(async () => {
  // The first writes to a just-Established CRD can stall in the API server for a while (it
  // is still building the kind's field-management models); warm it up once, outside the
  // measured tests, so their timing reflects the operator, not that start-up.
  const warm = {
    ...Widget,
    metadata: { name: "warm-up", namespace: "default" },
    spec: { size: 0 },
  };
  await f.kube.create(warm);
  await f.kube.patch(
    { ...Widget, namespace: "default", name: "warm-up" },
    { metadata: { finalizers: ["capstan.test/warm"] } },
  );
  await f.kube.patch(
    { ...Widget, namespace: "default", name: "warm-up" },
    { metadata: { finalizers: null } },
  );
  await f.kube.delete({ ...Widget, namespace: "default", name: "warm-up" });
});

const widget = (ns: string, name: string, size: number) => ({
  ...Widget,
  metadata: { name, namespace: ns },
  spec: { size },
});
const getW = (ns: string, name: string) =>
  f.kube.get<{ apiVersion: string; kind: string; name: string; namespace: string }, W>({
    ...Widget,
    namespace: ns,
    name,
  });

describe("reconcile controller", () => {
  test("converges: an owned ConfigMap applied, status Ready with observedGeneration; a deleted child comes back", async () => {
    const ns = await f.namespace("rt");
    await f.run(
      (o) =>
        void o.controller<W>({
          name: "widgets",
          for: Widget,
          owns: [{ apiVersion: "v1", kind: "ConfigMap" }],
          async reconcile(w, ctx) {
            await f.kube.apply(
              {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: {
                  name: `${w.metadata!.name}-data`,
                  namespace: w.metadata!.namespace,
                  ownerReferences: [
                    {
                      apiVersion: Widget.apiVersion,
                      kind: "Widget",
                      name: w.metadata!.name!,
                      uid: w.metadata!.uid!,
                      controller: true,
                    },
                  ],
                },
                data: { size: String(w.spec.size) },
              },
              { fieldManager: "widgets", force: true },
            );
            const conditions = setCondition(w.status?.conditions, {
              type: "Ready",
              status: "True",
              reason: "Applied",
              message: "",
            });
            await ctx.patchStatus({ conditions, observedGeneration: w.metadata!.generation });
            return done();
          },
        }),
      { namespaces: [ns] },
    );
    await f.kube.create(widget(ns, "a", 2));
    const ready = await f.kube.wait({ ...Widget, namespace: ns, name: "a" }, "condition=Ready", {
      timeoutMs: 20_000,
    });
    assert.equal((ready as unknown as W).status?.observedGeneration, 1);
    const childSize = async () =>
      (await f.kube.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "a-data" }))
        .data?.size;
    assert.equal(await childSize(), "2");
    await f.kube.patch({ ...Widget, namespace: ns, name: "a" }, { spec: { size: 5 } });
    await eventually(async () => assert.equal(await childSize(), "5"));
    await eventually(async () => assert.equal((await getW(ns, "a")).status?.observedGeneration, 2));
    await f.kube.delete({
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: ns,
      name: "a-data",
    } as const);
    await eventually(async () => assert.equal(await childSize(), "5"), {
      what: "the owner to recreate its child",
    });
  });

  test("never reconciles the same object twice at once under load", async () => {
    const ns = await f.namespace("rt");
    const running = new Set<string>();
    let overlaps = 0;
    let runs = 0;
    const op = await f.run(
      (o) =>
        void o.controller<W>({
          name: "load",
          for: Widget,
          queue: { concurrency: 8 },
          async reconcile(w) {
            const key = `${w.metadata!.namespace}/${w.metadata!.name}`;
            if (running.has(key)) overlaps++;
            running.add(key);
            runs++;
            await sleep(20);
            running.delete(key);
          },
        }),
      { namespaces: [ns] },
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => f.kube.create(widget(ns, `w${i}`, 0))));
    for (let round = 1; round <= 5; round++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          f.kube.patch({ ...Widget, namespace: ns, name: `w${i}` }, { spec: { size: round } }),
        ),
      );
    }
    await eventually(async () => assert.ok(runs >= 20, `runs: ${runs}`));
    await op.idle();
    assert.equal(overlaps, 0);
  });
});

describe("handlers", () => {
  test("create, update with diff, field, delete — across restarts, with zero writes when converged", async () => {
    const ns = await f.namespace("rt");
    const log: string[] = [];
    const setup = (o: Operator) => {
      o.on<W>(Widget, "widget-handlers")
        .create(({ obj }) => void log.push(`create ${obj.metadata.name}`))
        .update(
          ({ obj, diff }) =>
            void log.push(
              `update ${obj.metadata.name} ${JSON.stringify(diff.map((d) => [d.op, d.path.join("."), d.old, d.new]))}`,
            ),
        )
        .field(
          "spec.note",
          ({ obj, old, new: now }) => void log.push(`note ${obj.metadata.name} ${old}->${now}`),
        )
        .delete(({ obj }) => void log.push(`delete ${obj.metadata.name}`))
        .resume(({ obj }) => void log.push(`resume ${obj.metadata.name}`));
    };
    let op = await f.run(setup, { namespaces: [ns] });
    await f.kube.create(widget(ns, "h", 1));
    await eventually(async () => assert.ok(log.includes("create h"), log.join("\n")));
    await eventually(async () =>
      assert.ok((await getW(ns, "h")).metadata.finalizers?.length, "finalizer added"),
    );
    await f.kube.patch({ ...Widget, namespace: ns, name: "h" }, { spec: { size: 2, note: "hi" } });
    await eventually(async () =>
      assert.ok(
        log.some((l) => l.startsWith("update h")),
        log.join("\n"),
      ),
    );
    assert.ok(
      log.includes('update h [["add","spec.note",null,"hi"],["change","spec.size",1,2]]'),
      log.join("\n"),
    );
    assert.ok(log.includes("note h undefined->hi"), log.join("\n"));
    await op.idle();
    await op.stop();

    // Restart over a converged object: only resume handlers run, nothing is written.
    log.length = 0;
    op = await f.run(setup, { namespaces: [ns] });
    await op.idle();
    assert.deepEqual(log, ["resume h"], "only the resume handler runs for an unchanged object");
    assert.equal(op.writes(), 0, "a restart over converged objects writes nothing");
    await op.stop();

    // Changed while down: seen as an update with the right diff after restart.
    await f.kube.patch({ ...Widget, namespace: ns, name: "h" }, { spec: { size: 7 } });
    op = await f.run(setup, { namespaces: [ns] });
    await eventually(async () =>
      assert.ok(log.includes('update h [["change","spec.size",2,7]]'), log.join("\n")),
    );
    await op.stop();

    // Deleted while down: the delete handler runs after restart, then the object goes.
    await f.kube.delete({ ...Widget, namespace: ns, name: "h" });
    op = await f.run(setup, { namespaces: [ns] });
    await eventually(async () => assert.ok(log.includes("delete h"), log.join("\n")));
    await eventually(async () => assert.rejects(getW(ns, "h"), NotFoundError), {
      what: "the object to be gone",
    });
  });

  /** An operator whose create handler fails `flaky` twice and `doomed` for good. */
  async function failing(ns: string) {
    const attempts: Record<string, number> = {};
    const op = await f.run(
      (o) =>
        void o.on<W>(Widget).create(({ obj }) => {
          const n = (attempts[obj.metadata.name!] = (attempts[obj.metadata.name!] ?? 0) + 1);
          if (obj.metadata.name === "flaky" && n < 3) throw new Error(`transient failure ${n}`);
          if (obj.metadata.name === "doomed")
            throw new PermanentError("bad spec: size must be even");
        }),
      { namespaces: [ns] },
    );
    return { op, attempts };
  }
  const reconciled = async (ns: string, name: string) =>
    (await getW(ns, name)).status?.conditions?.find((c) => c.type === "Reconciled");
  const eventsAbout = async (ns: string, name: string) =>
    (
      await f.kube.list({ apiVersion: "events.k8s.io/v1", kind: "Event", namespace: ns } as const)
    ).items.filter((e) => e.regarding?.name === name);

  test("a failing handler is retried until it succeeds, with a Warning Event, and then no more", async () => {
    const ns = await f.namespace("rt");
    const { op, attempts } = await failing(ns);
    await f.kube.create(widget(ns, "flaky", 1));
    await eventually(async () => assert.equal((await reconciled(ns, "flaky"))?.status, "True"));
    await eventually(async () => {
      const warnings = (await eventsAbout(ns, "flaky")).filter((e) => e.type === "Warning");
      assert.match(warnings[0]?.note ?? "", /transient failure/);
    });
    await op.idle({ timers: true });
    assert.equal(attempts.flaky, 3, "success stops the retries");
  });

  test("a PermanentError is reported in status and an Event, and not retried", async () => {
    const ns = await f.namespace("rt");
    const { op, attempts } = await failing(ns);
    await f.kube.create(widget(ns, "doomed", 1));
    await eventually(async () => {
      const doomed = await reconciled(ns, "doomed");
      assert.deepEqual([doomed?.status, doomed?.reason], ["False", "ReconcileFailed"]);
      assert.match(doomed?.message ?? "", /size must be even/);
    });
    const [event] = await eventually(async () => {
      const evs = await eventsAbout(ns, "doomed");
      assert.ok(evs.length > 0, "an Event for doomed");
      return evs;
    });
    assert.equal(event?.reason, "ReconcileFailed");
    assert.match(event?.note ?? "", /size must be even/);
    await op.idle({ timers: true });
    assert.equal(attempts.doomed, 1, "a PermanentError is not retried");
  });

  test("a timer fires on its interval per object; a daemon runs while the object lives and is cancelled on delete", async () => {
    const ns = await f.namespace("rt");
    const ticks: Record<string, number> = {};
    const daemon = { started: 0, cancelled: 0 };
    const op = await f.run(
      (o) =>
        void o
          .on<W>(Widget)
          .timer(
            ({ obj }) => void (ticks[obj.metadata.name!] = (ticks[obj.metadata.name!] ?? 0) + 1),
            { intervalMs: 300 },
          )
          .daemon(async ({ signal }) => {
            daemon.started++;
            await new Promise<void>((r) =>
              signal.addEventListener("abort", () => r(), { once: true }),
            );
            daemon.cancelled++;
          }),
      { namespaces: [ns] },
    );
    await f.kube.create(widget(ns, "t1", 1));
    await f.kube.create(widget(ns, "t2", 1));
    await eventually(async () =>
      assert.ok((ticks.t1 ?? 0) >= 3 && (ticks.t2 ?? 0) >= 3, JSON.stringify(ticks)),
    );
    assert.equal(daemon.started, 2, "one daemon per object");
    assert.equal(daemon.cancelled, 0);
    await f.kube.delete({ ...Widget, namespace: ns, name: "t1" });
    await eventually(async () =>
      assert.equal(daemon.cancelled, 1, "the deleted object's daemon was cancelled"),
    );
    await eventually(async () => assert.rejects(getW(ns, "t1"), NotFoundError), {
      what: "the object to be gone",
    });
    const t2Before = ticks.t2!;
    await eventually(async () =>
      assert.ok(ticks.t2! > t2Before, "the other object's timer keeps firing"),
    );
    await op.stop();
    assert.equal(daemon.cancelled, 2, "stopping the operator cancels the remaining daemon");
  });

  test("a label filter is sent to the server, event handlers see every change, a slow handler times out and is retried", async () => {
    const ns = await f.namespace("rt");
    const events: string[] = [];
    const calls: Record<string, number> = {};
    const op = await f.run(
      (o) =>
        void o
          .on<W>(Widget, { labels: { team: "a" } })
          .event(({ type, obj }) => void events.push(`${type} ${obj.metadata.name}`))
          .create(
            async ({ obj, signal }) => {
              const n = (calls[obj.metadata.name!] = (calls[obj.metadata.name!] ?? 0) + 1);
              // The first call hangs past the handler's timeout; its signal is aborted.
              if (obj.metadata.name === "slow" && n === 1) {
                await new Promise<void>((r) =>
                  signal.addEventListener("abort", () => r(), { once: true }),
                );
              }
            },
            { timeoutMs: 500 },
          ),
      { namespaces: [ns] },
    );
    const labelled = (name: string, team: string) => ({
      ...widget(ns, name, 1),
      metadata: { name, namespace: ns, labels: { team } },
    });
    await f.kube.create(labelled("mine", "a"));
    await f.kube.create(labelled("theirs", "b"));
    await f.kube.create(labelled("slow", "a"));
    await eventually(async () =>
      assert.ok(calls.mine === 1 && calls.slow === 2, JSON.stringify(calls)),
    );
    assert.equal(calls.theirs, undefined, "the other team's object never reached a handler");
    const cached = op.operator.controllers[0]!.reader().keys().sort();
    assert.deepEqual(
      cached,
      [`${ns}/mine`, `${ns}/slow`],
      "nor the cache: the selector was applied by the server",
    );
    await f.kube.delete({ ...Widget, namespace: ns, name: "mine" });
    await eventually(async () => assert.ok(events.includes("DELETED mine"), events.join()));
    assert.ok(events.includes("ADDED mine") && events.includes("ADDED slow"), events.join());
    assert.ok(!events.some((e) => e.endsWith(" theirs")), events.join());
    const slow = (await getW(ns, "slow")).status?.conditions?.find((c) => c.type === "Reconciled");
    assert.equal(slow?.status, "True", "the retried handler succeeded");
  });
});
