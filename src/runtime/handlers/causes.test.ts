// Cause detection (causes.ts) and the handlers each cause runs (plan.ts), without a cluster:
// one test per cause, as kopf tests its causes.py.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { detectCause, observe, type Observation } from "./causes.js";
import { essenceOf, lastHandled, LAST_HANDLED, type Stored } from "./essence.js";
import { plan, type Planned } from "./plan.js";

const essence = (spec: unknown, labels: Record<string, string> = {}): Stored => ({
  spec,
  labels,
  annotations: {},
});
const seen = (o: Partial<Observation>): Observation => ({
  deleting: false,
  finalizing: false,
  now: essence({ size: 1 }),
  last: essence({ size: 1 }),
  initial: false,
  ...o,
});

describe("detectCause", () => {
  test("an object the watch reports deleted is gone, whatever else is true", () => {
    assert.deepEqual(detectCause(seen({ deleted: true, deleting: true, finalizing: true })), {
      reason: "gone",
    });
  });

  test("a deleting object that our finalizer no longer holds is free", () => {
    assert.deepEqual(detectCause(seen({ deleting: true, finalizing: false })), { reason: "free" });
  });

  test("a deleting object that our finalizer holds is a delete, even if never handled", () => {
    assert.deepEqual(detectCause(seen({ deleting: true, finalizing: true, last: undefined })), {
      reason: "delete",
    });
  });

  test("an object never handled is a create carrying its whole spec as added", () => {
    const cause = detectCause(seen({ last: undefined, initial: true }));
    assert.equal(cause.reason, "create");
    assert.deepEqual(cause.reason === "create" && cause.diff, [
      { op: "add", path: [], old: undefined, new: { size: 1 } },
    ]);
  });

  test("a changed essence is an update with the diff from the last handled one", () => {
    const cause = detectCause(seen({ now: essence({ size: 2 }, { team: "a" }) }));
    assert.deepEqual(cause, {
      reason: "update",
      old: essence({ size: 1 }),
      now: essence({ size: 2 }, { team: "a" }),
      diff: [
        { op: "add", path: ["labels", "team"], old: undefined, new: "a" },
        { op: "change", path: ["spec", "size"], old: 1, new: 2 },
      ],
      resume: false,
    });
  });

  test("a change made while the operator was down is an update that also resumes", () => {
    const cause = detectCause(seen({ now: essence({ size: 2 }), initial: true }));
    assert.equal(cause.reason === "update" && cause.resume, true);
  });

  test("an unchanged object first seen by this process is a resume", () => {
    assert.equal(detectCause(seen({ initial: true })).reason, "resume");
  });

  test("an unchanged object seen before is a noop", () => {
    assert.equal(detectCause(seen({})).reason, "noop");
  });
});

describe("observe", () => {
  test("an object marked for deletion and still held by our finalizer is a delete", () => {
    const obj = {
      metadata: { name: "w", deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["x/y"] },
      spec: { size: 1 },
    };
    assert.equal(detectCause(observe(obj, { initial: true, finalizing: true })).reason, "delete");
  });

  test("an object with an unreadable stored state is a create, and says where the state was", () => {
    const obj = { metadata: { name: "w" }, spec: {}, status: { capstan: { lastHandled: "{" } } };
    const seen = observe(obj, { initial: true, finalizing: false });
    assert.equal(seen.unreadable, "status.capstan.lastHandled");
    assert.equal(detectCause(seen).reason, "create");
  });
});

describe("last handled state", () => {
  const obj = (annotations: Record<string, string>, status?: unknown) => ({
    metadata: { name: "w", annotations },
    spec: { size: 1 },
    status,
  });

  test("the essence leaves out the runtime's and kubectl's own annotations", () => {
    const e = essenceOf(
      obj({
        a: "1",
        [LAST_HANDLED]: "{}",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
      }),
    );
    assert.deepEqual(e, { spec: { size: 1 }, labels: {}, annotations: { a: "1" } });
  });

  test("status is read before the annotation", () => {
    const inStatus = JSON.stringify(essence({ size: 2 }));
    const inAnnotation = JSON.stringify(essence({ size: 3 }));
    const { last } = lastHandled(
      obj({ [LAST_HANDLED]: inAnnotation }, { capstan: { lastHandled: inStatus } }),
    );
    assert.deepEqual(last, essence({ size: 2 }));
  });

  test("a state that does not parse counts as never handled and says where it was", () => {
    assert.deepEqual(lastHandled(obj({ [LAST_HANDLED]: "{not json" })), {
      unreadable: `annotation ${LAST_HANDLED}`,
    });
  });
});

describe("plan", () => {
  const h = (kind: Planned<unknown>["kind"], id: string, opts: Planned<unknown>["opts"] = {}) => ({
    kind,
    id,
    opts,
  });
  const entries = [
    h("create", "on_create"),
    h("update", "on_update"),
    h("resume", "on_resume"),
    h("delete", "on_delete"),
    h("field", "on_note/spec.note", { field: "spec.note" }),
    h("timer", "tick"),
    h("daemon", "watcher"),
  ];
  const obj = { metadata: { name: "w" }, spec: { size: 2 } };
  const ids = (o: Partial<Observation>, done?: Set<string>) =>
    plan(detectCause(seen(o)), entries, obj, done).map((i) => i.entry.id);

  test("a create runs create handlers, and field handlers only for a field that is set", () => {
    assert.deepEqual(ids({ last: undefined }), ["on_create"]);
    assert.deepEqual(ids({ last: undefined, now: essence({ note: "hi" }) }), [
      "on_create",
      "on_note/spec.note",
    ]);
  });

  test("an update runs update handlers and the field handlers whose field changed", () => {
    assert.deepEqual(ids({ now: essence({ size: 2 }) }), ["on_update"]);
    const calls = plan(detectCause(seen({ now: essence({ size: 1, note: "hi" }) })), entries, obj);
    assert.deepEqual(
      calls.map((c) => [c.entry.id, c.old, c.new]),
      [
        ["on_update", essence({ size: 1 }), essence({ size: 1, note: "hi" })],
        ["on_note/spec.note", undefined, "hi"],
      ],
    );
  });

  test("an update first seen by this process runs the resume handlers too", () => {
    assert.deepEqual(ids({ now: essence({ size: 2 }), initial: true }), ["on_update", "on_resume"]);
  });

  test("a resume runs resume handlers only; noop, free and gone run nothing", () => {
    assert.deepEqual(ids({ initial: true }), ["on_resume"]);
    assert.deepEqual(ids({}), []);
    assert.deepEqual(ids({ deleting: true }), []);
    assert.deepEqual(ids({ deleted: true }), []);
  });

  test("a delete runs delete handlers", () => {
    assert.deepEqual(ids({ deleting: true, finalizing: true }), ["on_delete"]);
  });

  test("handlers that already succeeded for this change are skipped on a retry", () => {
    assert.deepEqual(
      ids({ last: undefined, now: essence({ note: "hi" }) }, new Set(["create:on_create"])),
      ["on_note/spec.note"],
    );
  });

  test("a handler whose filter rejects the object is not run", () => {
    const filtered = [h("create", "team_a", { labels: { team: "a" } })];
    assert.deepEqual(plan(detectCause(seen({ last: undefined })), filtered, obj), []);
  });
});
