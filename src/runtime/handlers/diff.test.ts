// kopf-style diffs and status conditions, without a cluster.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { diff, getPath } from "./diff.js";
import { setCondition } from "../status/conditions.js";

describe("diff", () => {
  test("reports added, changed and removed fields with their paths", () => {
    const old = { spec: { count: 1, image: "a", gone: true } };
    const now = { spec: { count: 2, image: "a", extra: { x: 1 } } };
    assert.deepEqual(diff(old, now), [
      { op: "change", path: ["spec", "count"], old: 1, new: 2 },
      { op: "add", path: ["spec", "extra"], old: undefined, new: { x: 1 } },
      { op: "remove", path: ["spec", "gone"], old: true, new: undefined },
    ]);
  });

  test("treats lists as whole values and equal values as no change", () => {
    assert.deepEqual(diff({ a: [1, 2] }, { a: [1, 2] }), []);
    assert.deepEqual(diff({ a: [1, 2] }, { a: [2, 1] }), [
      { op: "change", path: ["a"], old: [1, 2], new: [2, 1] },
    ]);
  });

  test("reads nested values by dotted path", () => {
    assert.equal(getPath({ spec: { db: { name: "x" } } }, "spec.db.name"), "x");
    assert.equal(getPath({ spec: {} }, "spec.db.name"), undefined);
  });
});

describe("conditions", () => {
  const t1 = () => "2026-01-01T00:00:00Z";
  const t2 = () => "2026-02-02T00:00:00Z";

  test("keeps lastTransitionTime while the status stays the same", () => {
    const a = setCondition(
      [],
      { type: "Ready", status: "False", reason: "Pending", message: "" },
      t1,
    );
    const b = setCondition(
      a,
      { type: "Ready", status: "False", reason: "StillPending", message: "x" },
      t2,
    );
    assert.equal(b[0]!.lastTransitionTime, "2026-01-01T00:00:00Z");
    assert.equal(b[0]!.reason, "StillPending");
  });

  test("moves lastTransitionTime when the status flips", () => {
    const a = setCondition(
      [],
      { type: "Ready", status: "False", reason: "Pending", message: "" },
      t1,
    );
    const b = setCondition(a, { type: "Ready", status: "True", reason: "Done", message: "" }, t2);
    assert.equal(b[0]!.lastTransitionTime, "2026-02-02T00:00:00Z");
  });

  test("setting the same condition twice yields an equal list", () => {
    const c = {
      type: "Ready",
      status: "True" as const,
      reason: "Done",
      message: "ok",
      observedGeneration: 3,
    };
    const a = setCondition(
      [{ type: "Other", status: "True", reason: "r", message: "", lastTransitionTime: "t" }],
      c,
      t1,
    );
    assert.deepEqual(setCondition(a, c, t2), a);
  });
});
