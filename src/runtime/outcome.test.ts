// The Reconciled condition as pure logic: when a reconcile's outcome is written, and what.
import assert from "node:assert/strict";
import { test } from "node:test";
import { outcomeConditions } from "./outcome.js";

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

test("a failure sets Reconciled=False with its reason and a message cut to 1024 characters", () => {
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
  assert.equal(r.message.length, 1024);
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
