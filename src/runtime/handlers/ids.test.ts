// Handler ids (kopf's: the function's name, or `id`) and errors that name their handler,
// timeouts included, without a cluster.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HandlerError, HandlerTimeoutError, PermanentError, TemporaryError } from "../errors.js";
import { callHandler } from "./call.js";
import { HandlerIds, named } from "./ids.js";

describe("handler ids", () => {
  test("a named function's id is its name", () => {
    function create_fn() {}
    assert.equal(new HandlerIds("h").next("create", create_fn, {}), "create_fn");
  });

  test("an explicit id wins over the function's name", () => {
    function create_fn() {}
    assert.equal(new HandlerIds("h").next("create", create_fn, { id: "sized" }), "sized");
  });

  test("a bound function's id is the name it was bound from", () => {
    function resize() {}
    assert.equal(new HandlerIds("h").next("update", resize.bind(null), {}), "resize");
  });

  test("a field handler's id ends in its field", () => {
    const onNote = () => undefined;
    assert.equal(
      new HandlerIds("h").next("field", onNote, { field: "spec.note" }),
      "onNote/spec.note",
    );
  });

  test("unnamed functions are numbered per cause, so adding one of another cause renames none", () => {
    const ids = new HandlerIds("h");
    assert.deepEqual(
      [
        ids.next("create", () => 1, {}),
        ids.next("update", () => 1, {}),
        ids.next("create", () => 1, {}),
        ids.next("field", () => 1, { field: "spec.a" }),
      ],
      ["create", "update", "create-1", "field/spec.a"],
    );
  });

  test("one function may serve two causes under one id", () => {
    const ids = new HandlerIds("h");
    function sync() {}
    assert.deepEqual(
      [ids.next("create", sync, {}), ids.next("update", sync, {})],
      ["sync", "sync"],
    );
  });

  test("two handlers of one cause with one id are refused, naming the set and the id", () => {
    const ids = new HandlerIds("handlers widget (Widget)");
    function sync() {}
    ids.next("create", sync, {});
    assert.throws(
      () => ids.next("create", sync, {}),
      /handlers widget \(Widget\): two create handlers have the id "sync"/,
    );
  });
});

describe("named errors", () => {
  test("a plain error becomes a HandlerError naming the handler, with the original as cause", () => {
    const original = new Error("boom");
    const e = named("create_fn", original);
    assert.ok(e instanceof HandlerError);
    assert.equal(e.message, "handler create_fn: boom");
    assert.equal((e as HandlerError).handler, "create_fn");
    assert.equal(e.cause, original);
  });

  test("a PermanentError stays permanent and keeps its reason", () => {
    const e = named("check", new PermanentError("size must be even", { reason: "Invalid" }));
    assert.ok(e instanceof PermanentError);
    assert.equal(e.message, "handler check: size must be even");
    assert.equal(e.reason, "Invalid");
  });

  test("a TemporaryError keeps its delay", () => {
    const e = named("wait", new TemporaryError("not yet", { delay: 250 }));
    assert.ok(e instanceof TemporaryError);
    assert.equal(e.delayMs, 250);
    assert.equal(e.message, "handler wait: not yet");
  });

  test("a thrown non-error is named too", () => {
    assert.equal(named("x", "just a string").message, "handler x: just a string");
  });
});

describe("calling a handler", () => {
  test("what it throws reaches the controller named", async () => {
    const e = { id: "create_fn", fn: () => Promise.reject(new Error("boom")), opts: {} };
    await assert.rejects(callHandler(e, { signal: new AbortController().signal }), {
      name: "HandlerError",
      message: "handler create_fn: boom",
    });
  });

  test("one past its timeout fails with a HandlerTimeoutError naming it, its signal aborted", async () => {
    let aborted: Promise<void> | undefined;
    const e = {
      id: "slow",
      fn: ({ signal }: { signal: AbortSignal }) =>
        (aborted = new Promise<void>((r) => signal.addEventListener("abort", () => r()))),
      opts: { timeoutMs: 20 },
    };
    await assert.rejects(callHandler(e, { signal: new AbortController().signal }), (err) => {
      assert.ok(err instanceof HandlerTimeoutError);
      assert.equal(err.message, "handler slow timed out after 20 ms");
      return true;
    });
    await aborted;
  });
});
