// A reconcile's outcome as pure logic: how it is classified, and when the Reconciled
// condition is written, and what.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PermanentError, TemporaryError } from "../errors.js";
import { CONFLICT, classifyOutcome, outcomeConditions } from "./outcome.js";
import { done, requeueAfter } from "./reconcile.js";

const failed = {
  type: "Reconciled",
  status: "False",
  reason: "ReconcileError",
  message: "boom",
  lastTransitionTime: "2026-01-01T00:00:00Z",
};

test("a success writes nothing on an object that never failed or already says True", () => {
  assert.equal(outcomeConditions(undefined, undefined), undefined);
  assert.equal(outcomeConditions({ conditions: [] }, undefined), undefined);
  assert.equal(
    outcomeConditions(
      { conditions: [{ ...failed, status: "True", reason: "Succeeded" }] },
      undefined,
    ),
    undefined,
  );
});

test("a failure sets Reconciled=False with its reason and a message cut to 1024 bytes", () => {
  const ready = {
    type: "Ready",
    status: "True",
    reason: "Up",
    message: "",
    lastTransitionTime: "x",
  };
  const next = outcomeConditions(
    { conditions: [ready] },
    { reason: "ReconcileFailed", message: "m".repeat(5000) },
  )!;
  assert.deepEqual(
    next.map((c) => c.type),
    ["Ready", "Reconciled"],
  );
  const r = next.find((c) => c.type === "Reconciled")!;
  assert.equal(r.status, "False");
  assert.equal(r.reason, "ReconcileFailed");
  assert.equal(Buffer.byteLength(r.message), 1024);
  assert.ok(r.message.endsWith("…"));
  assert.deepEqual(next[0], ready, "other conditions are kept as they were");
});

test("the next success after a failure turns it True, with a new transition time", () => {
  const [r] = outcomeConditions({ conditions: [failed] }, undefined)!;
  assert.equal(r!.status, "True");
  assert.equal(r!.reason, "Succeeded");
  assert.notEqual(r!.lastTransitionTime, failed.lastTransitionTime);
});

test("a repeated failure keeps the time it first failed", () => {
  const [r] = outcomeConditions(
    { conditions: [failed] },
    { reason: "ReconcileError", message: "again" },
  )!;
  assert.equal(r!.lastTransitionTime, failed.lastTransitionTime);
  assert.equal(r!.message, "again");
});

test("a long multibyte message is cut on a character boundary", () => {
  const next = outcomeConditions(undefined, {
    reason: "ReconcileError",
    message: "😀".repeat(600),
  })!;
  const r = next.find((c) => c.type === "Reconciled")!;
  assert.ok(Buffer.byteLength(r.message) <= 1024);
  assert.ok(!/[\uD800-\uDFFF]/u.test(r.message), "no lone surrogate");
});

test("an ownership conflict also sets the Conflict condition to True", () => {
  const next = outcomeConditions(undefined, {
    reason: CONFLICT,
    message: "Secret ns/x is foreign",
  })!;
  const c = next.find((x) => x.type === CONFLICT)!;
  assert.equal(c.status, "True");
  assert.equal(c.message, "Secret ns/x is foreign");
});

test("a success after a conflict turns Conflict False", () => {
  const before = outcomeConditions(undefined, { reason: CONFLICT, message: "m" })!;
  const next = outcomeConditions({ conditions: before }, undefined)!;
  assert.equal(next.find((x) => x.type === CONFLICT)!.status, "False");
  assert.equal(next.find((x) => x.type === "Reconciled")!.status, "True");
});

test("a failure that is not a conflict leaves no Conflict condition on an object without one", () => {
  const next = outcomeConditions(undefined, { reason: "ReconcileError", message: "m" })!;
  assert.equal(
    next.find((x) => x.type === CONFLICT),
    undefined,
  );
});

// How a settled reconcile is classified: one case per outcome.
class Conflict extends Error {}
const isConflict = (e: unknown) => e instanceof Conflict;
const threw = (error: unknown, aborted = false) =>
  classifyOutcome({ ok: false, error, aborted }, isConflict);

test("a reconcile that returns nothing or done() is done", () => {
  assert.deepEqual(classifyOutcome({ ok: true, result: undefined }, isConflict), { kind: "done" });
  assert.deepEqual(classifyOutcome({ ok: true, result: done() }, isConflict), { kind: "done" });
});

test("requeueAfter(ms) is a requeue after that many milliseconds", () => {
  assert.deepEqual(classifyOutcome({ ok: true, result: requeueAfter(1500) }, isConflict), {
    kind: "requeue-after",
    afterMs: 1500,
  });
});

test("a TemporaryError is temporary, with its delay and its reason as a named failure", () => {
  const error = new TemporaryError("not yet", { delay: 250, reason: "Waiting" });
  assert.deepEqual(threw(error), {
    kind: "temporary",
    delayMs: 250,
    error,
    failure: { reason: "Waiting", message: "not yet", named: true },
  });
});

test("a TemporaryError without a delay leaves it to the queue's backoff", () => {
  const o = threw(new TemporaryError("later"));
  assert.equal(o.kind, "temporary");
  assert.equal(o.kind === "temporary" && o.delayMs, undefined);
  assert.deepEqual(o.kind === "temporary" && o.failure, {
    reason: "ReconcileError",
    message: "later",
    named: false,
  });
});

test("a PermanentError is permanent, its reason defaulting to ReconcileFailed", () => {
  const error = new PermanentError("bad spec");
  assert.deepEqual(threw(error), {
    kind: "permanent",
    error,
    failure: { reason: "ReconcileFailed", message: "bad spec", named: false },
  });
});

test("any other error is an error, retried with backoff and logged with its stack", () => {
  const error = new TypeError("x is undefined");
  assert.deepEqual(threw(error), {
    kind: "error",
    error,
    failure: { reason: "ReconcileError", message: "x is undefined", named: false },
  });
});

test("a thrown non-Error is an error whose message is its string form", () => {
  const o = threw("oops");
  assert.equal(o.kind === "error" && o.failure.message, "oops");
});

test("the API's 409 is a conflict, also when it is the cause of another error", () => {
  const conflict = new Conflict("the object has been modified");
  assert.deepEqual(threw(conflict), { kind: "conflict", error: conflict });
  const wrapped = new Error("add finalizer f on Widget ns/w", { cause: conflict });
  assert.deepEqual(threw(wrapped), { kind: "conflict", error: wrapped });
});

test("user intent wins over a conflict it wraps", () => {
  const error = new TemporaryError("retry", { cause: new Conflict("409") });
  assert.equal(threw(error).kind, "temporary");
});

test("any failure while the operator stops is aborted, not a failure", () => {
  const error = new PermanentError("cut short");
  assert.deepEqual(threw(error, true), { kind: "aborted", error });
});
