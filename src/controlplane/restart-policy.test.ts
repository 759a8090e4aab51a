// The restart policy's decisions, without processes or clocks: each test drives the state
// machine with events and checks the effects it asks for.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  crashedMessage,
  gaveUpMessage,
  initialState,
  step,
  type ComponentEvent,
  type ComponentState,
  type Effect,
  type RestartPolicy,
} from "./restart-policy.js";

const policy: RestartPolicy = {
  maxRestarts: 3,
  windowMs: 60_000,
  backoffMs: 1000,
  maxBackoffMs: 3000,
};
const crashed: ComponentEvent = { type: "exited", exit: { code: 1, signal: null } };
const killed: ComponentEvent = { type: "exited", exit: { code: null, signal: "SIGKILL" } };

/** Feed `events` at the given times; return the last state and every effect in order. */
function run(events: [number, ComponentEvent][], from: ComponentState = initialState()) {
  let state = from;
  const effects: Effect[] = [];
  for (const [now, e] of events) {
    const next = step(state, e, now, policy);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

/** A crash, the backoff, the respawn and its health check, at time `t`. */
const crashCycle = (t: number): [number, ComponentEvent][] => [
  [t, crashed],
  [t, { type: "waited" }],
  [t, { type: "healthy" }],
];

describe("the restart policy", () => {
  test("a crashed component is restarted after the first backoff and counts as restart 1", () => {
    const { state, effects } = run([[0, crashed]]);
    assert.equal(state.phase, "down");
    assert.deepEqual(effects, [
      { type: "crashed", exit: { code: 1, signal: null }, restart: 1, of: 3, delayMs: 1000 },
      { type: "wait", ms: 1000 },
    ]);
    assert.deepEqual(run([[1000, { type: "waited" }]], state).effects, [{ type: "spawn" }]);
  });

  test("the backoff doubles with each restart in the window and stops at its maximum", () => {
    const { effects } = run([...crashCycle(0), ...crashCycle(1), ...crashCycle(2)]);
    const waits = effects.flatMap((e) => (e.type === "wait" ? [e.ms] : []));
    assert.deepEqual(waits, [1000, 2000, 3000]);
  });

  test("the crash after the last allowed restart gives up", () => {
    const { state, effects } = run([
      ...crashCycle(0),
      ...crashCycle(1),
      ...crashCycle(2),
      [3, killed],
    ]);
    assert.equal(state.phase, "gave-up");
    assert.deepEqual(effects.at(-1), { type: "give-up", exit: killed.exit, restarts: 3 });
  });

  test("restarts older than the window are forgotten", () => {
    const { state, effects } = run([
      ...crashCycle(0),
      ...crashCycle(1),
      ...crashCycle(2),
      [60_000, crashed], // the restart at 0 has left the window
    ]);
    assert.equal(state.phase, "down");
    assert.deepEqual(effects.at(-2), {
      type: "crashed",
      exit: crashed.exit,
      restart: 3,
      of: 3,
      delayMs: 3000,
    });
  });

  test("a component that dies again before it is healthy counts a further restart", () => {
    const { effects } = run([
      [0, crashed],
      [0, { type: "waited" }],
      [1, crashed],
    ]);
    const restarts = effects.flatMap((e) => (e.type === "crashed" ? [e.restart] : []));
    assert.deepEqual(restarts, [1, 2]);
  });

  test("a component not healthy in time is killed, and its exit counts as a crash", () => {
    const { effects } = run([
      [0, crashed],
      [0, { type: "waited" }],
      [1, { type: "unhealthy" }],
      [1, killed],
    ]);
    assert.deepEqual(effects[3], { type: "kill", why: "unhealthy" });
    assert.equal(effects[4]?.type, "crashed");
  });

  test("a requested restart kills, waits downMs, respawns and answers once healthy", () => {
    const { state, effects } = run([
      [0, { type: "restart", id: 7, downMs: 500 }],
      [0, killed],
      [500, { type: "waited" }],
      [600, { type: "healthy" }],
    ]);
    assert.deepEqual(state, { phase: "running", restarts: [] }, "it does not count");
    assert.deepEqual(effects, [
      { type: "kill", why: "requested" },
      { type: "wait", ms: 500 },
      { type: "spawn" },
      { type: "recovered", requested: true },
      { type: "answer", id: 7 },
    ]);
  });

  test("a restart requested while one is under way is refused", () => {
    const { effects } = run([
      [0, { type: "restart", id: 1, downMs: 0 }],
      [0, { type: "restart", id: 2, downMs: 0 }],
    ]);
    assert.deepEqual(effects.at(-1), {
      type: "answer",
      id: 2,
      error: "it is already being restarted",
    });
  });

  test("stopping fails a pending restart request and ignores later exits", () => {
    const { state, effects } = run([
      [0, { type: "restart", id: 3, downMs: 0 }],
      [0, { type: "stop" }],
      [0, killed],
    ]);
    assert.equal(state.phase, "stopping");
    assert.deepEqual(effects.slice(1), [
      { type: "answer", id: 3, error: "the control plane is stopping" },
    ]);
  });

  test("the messages name the component, its exit, the attempt and its log file", () => {
    const who = { name: "etcd", pid: 42, logFile: "/d/logs/etcd.log" };
    assert.equal(
      crashedMessage(who, { type: "crashed", exit: killed.exit, restart: 2, of: 5, delayMs: 2000 }),
      "etcd (pid 42) was killed by SIGKILL; restarting it in 2 s (restart 2/5); its log: /d/logs/etcd.log",
    );
    assert.equal(
      gaveUpMessage(
        who,
        { type: "give-up", exit: crashed.exit, restarts: 5 },
        {
          ...policy,
          windowMs: 600_000,
        },
      ),
      "etcd (pid 42) exited with code 1 after it was restarted 5 times within 10 min; " +
        "stopping the control plane. Its log: /d/logs/etcd.log",
    );
  });
});
