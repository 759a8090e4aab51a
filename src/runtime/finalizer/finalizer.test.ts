// The finalizer state machine, its patches and the helper around reconcile, without a cluster.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  addFinalizerPatch,
  finalizer,
  FinalizerError,
  finalizerState,
  removeFinalizerPatch,
  withFinalizer,
  type FinalizerPatch,
} from "./finalizer.js";

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

type Obj = {
  metadata: {
    name: string;
    finalizers?: string[];
    deletionTimestamp?: string;
    resourceVersion?: string;
  };
};

/** The helper with a patch function that records what it was asked to write. */
function harness() {
  const patches: FinalizerPatch[] = [];
  const events: string[] = [];
  const patch = async (p: FinalizerPatch): Promise<Obj> => {
    patches.push(p);
    return {
      metadata: { name: "w", finalizers: p.metadata.finalizers ?? [], resourceVersion: "2" },
    };
  };
  const run = (obj: Obj, fail?: Error) =>
    finalizer(obj, { name: F, patch, describe: "Widget ns/w" }, async (ev) => {
      events.push(`${ev.type}@${ev.object.metadata.resourceVersion}`);
      if (fail) throw fail;
      return "result";
    });
  return { patches, events, run };
}

describe("finalizer helper", () => {
  test("a new object gets the finalizer and is applied once, as written", async () => {
    const h = harness();
    assert.equal(await h.run({ metadata: { name: "w", resourceVersion: "1" } }), "result");
    assert.equal(h.patches.length, 1);
    assert.deepEqual(h.events, ["apply@2"]);
  });

  test("a protected object is applied without any write", async () => {
    const h = harness();
    await h.run({ metadata: { name: "w", finalizers: [F], resourceVersion: "5" } });
    assert.deepEqual(h.patches, []);
    assert.deepEqual(h.events, ["apply@5"]);
  });

  test("a deleting object is cleaned up, then its finalizer removed", async () => {
    const h = harness();
    const obj = {
      metadata: {
        name: "w",
        finalizers: ["other", F],
        deletionTimestamp: "t",
        resourceVersion: "9",
      },
    };
    await h.run(obj);
    assert.deepEqual(h.events, ["cleanup@9"]);
    assert.deepEqual(h.patches, [{ metadata: { finalizers: ["other"], resourceVersion: "9" } }]);
  });

  test("a failing cleanup keeps the finalizer and its error is the caller's, unchanged", async () => {
    const h = harness();
    const boom = new Error("boom");
    const obj = { metadata: { name: "w", finalizers: [F], deletionTimestamp: "t" } };
    await assert.rejects(h.run(obj, boom), (e) => e === boom);
    assert.deepEqual(h.patches, []);
  });

  test("a deleting object without our finalizer calls nothing", async () => {
    const h = harness();
    const obj = { metadata: { name: "w", deletionTimestamp: "t" } };
    assert.equal(await h.run(obj), undefined);
    assert.deepEqual([h.patches, h.events], [[], []]);
  });

  test("a failed write names the step, the finalizer, the object and the field, with the cause", async () => {
    const conflict = new Error("the object has been modified");
    const err = await finalizer(
      { metadata: { resourceVersion: "1" } },
      { name: F, describe: "Widget ns/w", patch: () => Promise.reject(conflict) },
      async () => "never",
    ).catch((e: unknown) => e);
    assert.ok(err instanceof FinalizerError);
    assert.equal(err.step, "add");
    assert.equal(err.cause, conflict);
    assert.equal(
      err.message,
      `add finalizer ${F} on Widget ns/w (metadata.finalizers): the object has been modified`,
    );
  });

  test("withFinalizer shows the object as the helper's add leaves it", () => {
    const obj = { metadata: { finalizers: ["other"], resourceVersion: "1" } };
    assert.deepEqual(withFinalizer(obj, F).metadata.finalizers, ["other", F]);
    assert.deepEqual(obj.metadata.finalizers, ["other"], "the object itself is not changed");
    const deleting = { metadata: { deletionTimestamp: "t" } };
    assert.equal(withFinalizer(deleting, F), deleting);
  });
});
