// The watcher's list/watch/relist protocol as pure logic: `transition` state by state, then
// the driver against a scripted source on a fake clock (no cluster, no real waiting).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiError, ClientError } from "./errors.js";
import { WatchStalledError, type WatchEvent, type WatchState } from "./watch.js";
import {
  transition,
  unrecoverable,
  watcher,
  type Policy,
  type WatcherSource,
  type WatcherState,
} from "./watcher.js";
import { fakeClock } from "../testing/clock.js";

const req = { verb: "watch", object: "ConfigMap in demo" };
const gone = () => apiError(req, 410, { reason: "Expired", message: "too old" });
const forbidden = () => apiError(req, 403, { reason: "Forbidden" });
const stalled = () => new WatchStalledError("watch", "silent");
const at = (resourceVersion?: string, initialEventsEnded = false): WatchState => ({
  resourceVersion,
  initialEventsEnded,
});

/** A policy whose backoff counts: delays 100, 200, 400… and resets to 100. */
function policy(over: Partial<Policy> = {}): Policy & { resets: number } {
  let n = 0;
  const p = {
    canList: true,
    streamingList: false,
    fatal: () => false,
    resets: 0,
    backoff: {
      next: () => 100 * 2 ** n++,
      reset: () => void ((n = 0), p.resets++),
    },
    ...over,
  };
  return p;
}

describe("watcher transitions", () => {
  test("a completed list starts a watch from the list's resourceVersion and resets the backoff", () => {
    const p = policy();
    const next = transition({ phase: "list" }, { type: "listed", resourceVersion: "7" }, p);
    assert.deepEqual(next, { phase: "watch", from: at("7", true) });
    assert.equal(p.resets, 1);
  });

  test("a failed list backs off, then lists again", () => {
    const p = policy();
    const next = transition({ phase: "list" }, { type: "failed", error: forbidden() }, p);
    assert.deepEqual(next, { phase: "backoff", delayMs: 100, then: { phase: "list" } });
    assert.deepEqual(transition(next, { type: "waited" }, p), { phase: "list" });
  });

  test("a stream the server ends resumes at once from the last resourceVersion seen", () => {
    const s: WatcherState = { phase: "watch", from: at("7", true) };
    const next = transition(s, { type: "ended", at: at("9", true), progressed: true }, policy());
    assert.deepEqual(next, { phase: "watch", from: at("9", true) });
  });

  test("a stalled stream backs off and resumes from the last resourceVersion seen", () => {
    const s: WatcherState = { phase: "watch", from: at("7", true) };
    const o = { type: "failed", error: stalled(), at: at("8", true) } as const;
    assert.deepEqual(transition(s, o, policy()), {
      phase: "backoff",
      delayMs: 100,
      then: { phase: "watch", from: at("8", true) },
    });
  });

  test("consecutive failures double the delay, and an event between them resets it", () => {
    const p = policy();
    const s: WatcherState = { phase: "watch", from: at("7", true) };
    const fail = (progressed: boolean) =>
      transition(s, { type: "failed", error: stalled(), at: at("7", true), progressed }, p);
    const delays = [fail(false), fail(false), fail(true)].map((n) =>
      n.phase === "backoff" ? n.delayMs : -1,
    );
    assert.deepEqual(delays, [100, 200, 100]);
  });

  test("a 410 relists when the source can list", () => {
    const s: WatcherState = { phase: "watch", from: at("7", true) };
    const next = transition(s, { type: "failed", error: gone(), at: at("7", true) }, policy());
    assert.deepEqual(next, { phase: "list" });
  });

  test("a 410 ends a watch that cannot list, with the GoneError for its caller to relist", () => {
    const s: WatcherState = { phase: "watch", from: at("7") };
    const error = gone();
    const next = transition(s, { type: "failed", error, at: at("7") }, policy({ canList: false }));
    assert.deepEqual(next, { phase: "failed", error });
  });

  test("a fatal failure ends the watch instead of backing off", () => {
    const s: WatcherState = { phase: "watch", from: at("7") };
    const error = forbidden();
    const p = policy({ canList: false, fatal: unrecoverable });
    assert.deepEqual(transition(s, { type: "failed", error, at: at("7") }, p), {
      phase: "failed",
      error,
    });
  });

  test("a streaming list cut before its initial-events-end starts over instead of resuming", () => {
    const s: WatcherState = { phase: "watch", from: at(undefined) };
    const p = policy({ canList: false, streamingList: true });
    const cut = transition(s, { type: "failed", error: stalled(), at: at("5") }, p);
    assert.deepEqual(cut, { phase: "backoff", delayMs: 100, then: { phase: "watch", from: at() } });
  });

  test("a streaming list cut after its initial-events-end resumes from the bookmark", () => {
    const s: WatcherState = { phase: "watch", from: at(undefined) };
    const p = policy({ canList: false, streamingList: true });
    const next = transition(s, { type: "ended", at: at("12", true), progressed: true }, p);
    assert.deepEqual(next, { phase: "watch", from: at("12", true) });
  });

  test("an outcome that cannot happen in a phase is a bug, reported as one", () => {
    assert.throws(() => transition({ phase: "list" }, { type: "waited" }, policy()), /"waited"/);
  });
});

describe("which failures a watch that cannot list gives up on", () => {
  test("authorization, a kind not served and bad input end it", () => {
    for (const e of [
      forbidden(),
      apiError(req, 401, {}),
      apiError(req, 404, {}),
      apiError(req, 400, {}),
      new ClientError("input", "bad name"),
    ])
      assert.equal(unrecoverable(e), true, String(e));
  });

  test("server errors, throttling, stalls and dropped connections are retried", () => {
    for (const e of [
      apiError(req, 500, {}),
      apiError(req, 429, {}),
      stalled(),
      new ClientError("connect", "ECONNRESET"),
    ])
      assert.equal(unrecoverable(e), false, String(e));
  });
});

type Obj = { metadata: { name: string; resourceVersion: string } };
const obj = (name: string, rv: string): Obj => ({ metadata: { name, resourceVersion: rv } });
const added = (name: string, rv: string): WatchEvent<Obj> => ({
  type: "ADDED",
  object: obj(name, rv),
});

/**
 * A source that plays one scripted step per call: a list, or a stream (events, then an end
 * or a failure). Past the script, a stream stays open and quiet until the watcher stops.
 */
function scripted(lists: (Obj[] | Error)[], streams: (WatchEvent<Obj> | Error)[][]) {
  const froms: (string | undefined)[] = [];
  const source: WatcherSource<Obj> & { list: NonNullable<WatcherSource<Obj>["list"]> } = {
    async list() {
      const next = lists.shift() ?? new Error("no more lists");
      if (next instanceof Error) throw next;
      return { items: next, resourceVersion: next.at(-1)?.metadata.resourceVersion ?? "1" };
    },
    async *watch(from, signal) {
      froms.push(from.resourceVersion);
      const script = streams.shift();
      if (!script) await new Promise((r) => signal?.addEventListener("abort", r));
      for (const step of script ?? []) {
        if (step instanceof Error) throw step;
        yield step;
      }
    },
  };
  return { source, froms };
}

describe("watcher", () => {
  test("lists, watches, relists after a 410 and resumes from each list's version", async () => {
    const abort = new AbortController();
    const { source, froms } = scripted(
      [[obj("a", "3")], [obj("a", "3"), obj("b", "6")]],
      [[added("b", "4"), gone()], [added("c", "7")]],
    );
    const seen: string[] = [];
    for await (const ev of watcher(source, { signal: abort.signal, clock: fakeClock() })) {
      seen.push(ev.type === "LISTED" ? `LISTED@${ev.resourceVersion}` : ev.object.metadata.name);
      if (seen.length === 4) abort.abort();
    }
    assert.deepEqual(seen, ["LISTED@3", "b", "LISTED@6", "c"]);
    assert.deepEqual(froms, ["3", "6"]);
  });

  test("a failed stream waits its backoff on the clock before resuming from its last event", async () => {
    const clock = fakeClock();
    const abort = new AbortController();
    const { source, froms } = scripted([[obj("a", "3")]], [[added("b", "4"), stalled()]]);
    const states: string[] = [];
    const run = (async () => {
      for await (const _ of watcher(source, {
        signal: abort.signal,
        clock,
        backoff: { next: () => 1000, reset: () => {} },
        onState: (s) => states.push(s.phase),
      }))
        void _;
    })();
    await clock.nextTimer();
    assert.deepEqual(froms, ["3"], "no second stream before the backoff elapsed");
    await clock.advance(999);
    assert.deepEqual(froms, ["3"]);
    await clock.advance(1);
    assert.deepEqual(froms, ["3", "4"]);
    abort.abort();
    await run;
    assert.deepEqual(states.slice(0, 4), ["list", "watch", "backoff", "watch"]);
  });

  test("a watch without a list ends with the GoneError on a 410", async () => {
    const { source } = scripted([], [[added("b", "4"), gone()]]);
    const noList = { watch: source.watch };
    await assert.rejects(
      (async () => {
        for await (const _ of watcher(noList, { clock: fakeClock() })) void _;
      })(),
      (e: unknown) => (e as { code?: number }).code === 410,
    );
  });

  test("aborting while backing off ends the watcher without an error", async () => {
    const clock = fakeClock();
    const abort = new AbortController();
    const { source } = scripted([forbidden()], []);
    const run = (async () => {
      for await (const _ of watcher(source, { signal: abort.signal, clock })) void _;
    })();
    await clock.nextTimer();
    abort.abort();
    await run;
    assert.equal(clock.pending, 0, "the backoff's timer was cancelled");
  });
});
