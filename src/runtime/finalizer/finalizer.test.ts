// The finalizer state machine and its patches, without a cluster.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { addFinalizerPatch, finalizerState, removeFinalizerPatch } from "./finalizer.js";

const F = "capstan.dev/cleanup";

describe("finalizer state machine", () => {
  test("a live object without our finalizer gets it first", () => {
    assert.deepEqual(finalizerState({ metadata: {} }, F), { step: "add-finalizer" });
    assert.deepEqual(finalizerState({ metadata: { finalizers: ["other"] } }, F), {
      step: "add-finalizer",
    });
  });

  test("a live object with our finalizer is applied", () => {
    assert.deepEqual(finalizerState({ metadata: { finalizers: ["other", F] } }, F), {
      step: "apply",
    });
  });

  test("a deleting object with our finalizer is cleaned up", () => {
    const obj = {
      metadata: { finalizers: ["other", F], deletionTimestamp: "2026-01-01T00:00:00Z" },
    };
    assert.deepEqual(finalizerState(obj, F), { step: "cleanup", index: 1 });
  });

  test("a deleting object without our finalizer needs nothing from us", () => {
    const obj = { metadata: { finalizers: ["other"], deletionTimestamp: "2026-01-01T00:00:00Z" } };
    assert.deepEqual(finalizerState(obj, F), { step: "done" });
  });

  test("patches keep other finalizers and carry the resourceVersion as a precondition", () => {
    const obj = { metadata: { finalizers: ["other"], resourceVersion: "42" } };
    assert.deepEqual(addFinalizerPatch(obj, F), {
      metadata: { finalizers: ["other", F], resourceVersion: "42" },
    });
    const withOurs = { metadata: { finalizers: ["other", F], resourceVersion: "43" } };
    assert.deepEqual(removeFinalizerPatch(withOurs, F), {
      metadata: { finalizers: ["other"], resourceVersion: "43" },
    });
  });

  test("removing the last finalizer clears the list", () => {
    const obj = { metadata: { finalizers: [F], resourceVersion: "7" } };
    assert.deepEqual(removeFinalizerPatch(obj, F), {
      metadata: { finalizers: null, resourceVersion: "7" },
    });
  });
});
