// The Reconciled condition as pure logic: when a reconcile's outcome is written, and what.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CONFLICT, outcomeConditions } from "./outcome.js";

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
