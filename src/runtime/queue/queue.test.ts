// The work queue's guarantees, checked without a cluster.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { WorkQueue } from "./queue.js";
import { fakeClock } from "../../testing/clock.js";

/** Wait until the queue has nothing queued, running or scheduled. */
async function drained(q: WorkQueue): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const s = q.stats();
    if (s.depth + s.processing + s.waiting === 0) return;
    if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(s)}`);
    await sleep(2);
  }
}

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("work queue", () => {
  test("a key added many times while queued is processed once", async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) q.add("ns/a");
    q.add("ns/b");
    q.start(async (k) => void seen.push(k));
    await drained(q);
    assert.deepEqual(seen, ["ns/a", "ns/b"]);
  });

  test("never runs the same key twice at once, and reruns a key changed during its run", async () => {
    const q = new WorkQueue({ concurrency: 4 });
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const gate = deferred();
    const started = deferred();
    q.start(async () => {
      running++;
      runs++;
      maxRunning = Math.max(maxRunning, running);
      if (runs === 1) {
        started.resolve();
        await gate.promise;
      }
      running--;
    });
    q.add("ns/a");
    await started.promise;
    q.add("ns/a");
    q.add("ns/a");
    assert.equal(runs, 1, "the second add waits for the first run");
    gate.resolve();
    await drained(q);
    assert.equal(maxRunning, 1);
    assert.equal(runs, 2, "one rerun for the adds made during the run");
  });

  test("runs at most `concurrency` keys at a time", async () => {
    const q = new WorkQueue({ concurrency: 3 });
    let running = 0;
    let maxRunning = 0;
    q.start(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setImmediate(r));
      running--;
    });
    for (let i = 0; i < 20; i++) q.add(`ns/o${i}`);
    await drained(q);
    assert.equal(maxRunning, 3);
    assert.equal(q.stats().depth, 0);
  });

  test("fresh changes overtake the initial-list backlog", async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) q.add(`ns/old${i}`, "low");
    q.add("ns/fresh", "high");
    q.add("ns/old3", "high"); // an edit to a backlog object promotes it
    q.start(async (k) => void seen.push(k));
    await drained(q);
    assert.deepEqual(seen, ["ns/fresh", "ns/old3", "ns/old0", "ns/old1", "ns/old2", "ns/old4"]);
  });

  test("retries back off exponentially per key and forget resets them", () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50, clock: fakeClock() });
    assert.deepEqual([q.retry("k"), q.retry("k"), q.retry("k"), q.retry("k")], [10, 20, 40, 50]);
    assert.equal(q.retry("other"), 10, "failures are counted per key");
    q.forget("k");
    assert.equal(q.retry("k"), 10);
    void q.shutdown();
  });

  test("the overall rate limit spaces retries once the burst is spent", async () => {
    const clock = fakeClock();
    const q = new WorkQueue({ baseDelayMs: 1, rateLimit: { perSecond: 10, burst: 2 }, clock });
    const delays = ["a", "b", "c", "d"].map((k) => q.retry(k));
    assert.deepEqual(delays, [1, 1, 100, 200], "the third and fourth wait for a token each");
    await clock.advance(1000);
    assert.equal(q.retry("e"), 1, "a second later the bucket has refilled");
    void q.shutdown();
  });

  test("addAfter keeps the earliest time for a key", async () => {
    const clock = fakeClock();
    const q = new WorkQueue({ clock });
    const seen: [string, number][] = [];
    q.start(async (k) => void seen.push([k, clock.now()]));
    q.addAfter("ns/a", 2000);
    q.addAfter("ns/a", 20);
    q.addAfter("ns/a", 1000);
    await clock.advance(19);
    assert.deepEqual(seen, []);
    await clock.advance(1);
    assert.deepEqual(seen, [["ns/a", 20]]);
    assert.equal(q.stats().waiting, 0, "the later times were dropped, not kept as extra runs");
    await clock.advance(5000);
    assert.deepEqual(seen, [["ns/a", 20]]);
  });

  test("shutdown stops taking keys and waits for work in flight", async () => {
    const q = new WorkQueue({ concurrency: 1, clock: fakeClock() });
    const done: string[] = [];
    const gate = deferred();
    const started = deferred();
    q.start(async (k) => {
      started.resolve();
      await gate.promise;
      done.push(k);
    });
    q.add("ns/a");
    q.add("ns/b");
    await started.promise;
    const stopped = q.shutdown(1000);
    gate.resolve();
    assert.equal(await stopped, true);
    assert.deepEqual(done, ["ns/a"]);
    q.add("ns/c");
    assert.deepEqual(
      q.stats(),
      { depth: 1, processing: 0, waiting: 0 },
      "ns/b stays queued, ns/c is not added, nothing runs",
    );
  });

  test("a worker that throws reports the failure and the queue keeps going", async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const failures: string[] = [];
    const seen: string[] = [];
    q.on("failure", (_e, k: string) => failures.push(k));
    q.start(async (k) => {
      seen.push(k);
      if (k === "ns/bad") throw new Error("boom");
    });
    q.add("ns/bad");
    q.add("ns/good");
    await drained(q);
    assert.deepEqual(failures, ["ns/bad"]);
    assert.deepEqual(seen, ["ns/bad", "ns/good"]);
  });
});
