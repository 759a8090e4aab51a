/**
 * What the supervisor does when a control-plane component's process exits: the life of one
 * component as a state machine. Pure — no processes, no clock — so every path is unit-tested;
 * restarter.ts carries out the effects.
 *
 * Guarantees: a component that exits on its own is started again with the same flags (so
 * the same data dir, port and certificates) after a backoff that doubles from `backoffMs` up
 * to `maxBackoffMs`. Once it has been restarted `maxRestarts` times within `windowMs`, the
 * next exit gives up and the supervisor stops the whole control plane. A restart asked for
 * (`restart` event) kills the process and does not count against the limit.
 * Assumptions: the driver reports each exit of the current process once, `waited` only for
 * the wait it was asked for, and `healthy`/`unhealthy` only for the process it spawned last.
 */
import type { Exit } from "./component.js";

/** How the supervisor restarts a crashed component: backoff, and how many restarts in a window. */
export interface RestartPolicy {
  /** Restarts after crashes allowed within `windowMs`; the next crash gives up. */
  maxRestarts: number;
  windowMs: number;
  /** Delay before the first restart; doubled for each further one in the window. */
  backoffMs: number;
  maxBackoffMs: number;
}

/** 1 s doubling to 30 s, at most 5 restarts in 10 minutes. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 10 * 60_000,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
};

/** `restarts`: when each restart after a crash began, those within the window. `request`:
 * the id of a restart someone asked for and is waiting on. */
export type ComponentState =
  | { phase: "running"; restarts: number[] }
  | { phase: "killing"; restarts: number[]; downMs: number; request: number }
  | { phase: "down"; restarts: number[]; request?: number }
  | { phase: "recovering"; restarts: number[]; request?: number }
  | { phase: "gave-up"; exit: Exit }
  | { phase: "stopping" };

export type ComponentEvent =
  | { type: "exited"; exit: Exit }
  | { type: "waited" }
  | { type: "healthy" }
  | { type: "unhealthy" }
  | { type: "restart"; id: number; downMs: number }
  | { type: "stop" };

export type Effect =
  | { type: "kill"; why: "requested" | "unhealthy" }
  | { type: "wait"; ms: number }
  | { type: "spawn" }
  | { type: "crashed"; exit: Exit; restart: number; of: number; delayMs: number }
  | { type: "recovered"; requested: boolean }
  /** Settle restart request `id`: done, or failed with `error`. */
  | { type: "answer"; id: number; error?: string }
  | { type: "give-up"; exit: Exit; restarts: number };

export interface Step {
  state: ComponentState;
  effects: Effect[];
}

export const initialState = (): ComponentState => ({ phase: "running", restarts: [] });

export function step(
  s: ComponentState,
  e: ComponentEvent,
  now: number,
  policy: RestartPolicy,
): Step {
  const same: Step = { state: s, effects: [] };
  const busy = (why: string): Step =>
    e.type === "restart" ? { state: s, effects: [{ type: "answer", id: e.id, error: why }] } : same;
  if (e.type === "stop") {
    const pending = "request" in s && s.request !== undefined ? s.request : undefined;
    const effects: Effect[] =
      pending === undefined
        ? []
        : [{ type: "answer", id: pending, error: "the control plane is stopping" }];
    return { state: { phase: "stopping" }, effects };
  }
  switch (s.phase) {
    case "running":
      if (e.type === "exited") return crash(s.restarts, e.exit, undefined, now, policy);
      if (e.type === "restart")
        return {
          state: { phase: "killing", restarts: s.restarts, downMs: e.downMs, request: e.id },
          effects: [{ type: "kill", why: "requested" }],
        };
      return same;
    case "killing":
      if (e.type === "exited")
        return {
          state: { phase: "down", restarts: s.restarts, request: s.request },
          effects: [{ type: "wait", ms: s.downMs }],
        };
      return busy("it is already being restarted");
    case "down":
      if (e.type === "waited")
        return { state: { ...s, phase: "recovering" }, effects: [{ type: "spawn" }] };
      return busy("it is already being restarted");
    case "recovering":
      switch (e.type) {
        case "healthy": {
          const effects: Effect[] = [{ type: "recovered", requested: s.request !== undefined }];
          if (s.request !== undefined) effects.push({ type: "answer", id: s.request });
          return { state: { phase: "running", restarts: s.restarts }, effects };
        }
        case "unhealthy":
          return { state: s, effects: [{ type: "kill", why: "unhealthy" }] };
        case "exited":
          return crash(s.restarts, e.exit, s.request, now, policy);
        case "waited":
        case "restart":
          return busy("it is already being restarted");
        default: {
          const never: never = e;
          return never;
        }
      }
    case "gave-up":
      return busy("its restarts are exhausted");
    case "stopping":
      return busy("the control plane is stopping");
    default: {
      const never: never = s;
      return never;
    }
  }
}

/** The process exited without being asked to: restart it after a backoff, or give up. */
function crash(
  restarts: number[],
  exit: Exit,
  request: number | undefined,
  now: number,
  policy: RestartPolicy,
): Step {
  const effects: Effect[] =
    request === undefined
      ? []
      : [{ type: "answer", id: request, error: `it ${describeExit(exit)} before it was healthy` }];
  const recent = restarts.filter((t) => now - t < policy.windowMs);
  if (recent.length >= policy.maxRestarts) {
    effects.push({ type: "give-up", exit, restarts: recent.length });
    return { state: { phase: "gave-up", exit }, effects };
  }
  const delayMs = Math.min(policy.backoffMs * 2 ** recent.length, policy.maxBackoffMs);
  effects.push(
    { type: "crashed", exit, restart: recent.length + 1, of: policy.maxRestarts, delayMs },
    { type: "wait", ms: delayMs },
  );
  return { state: { phase: "down", restarts: [...recent, now] }, effects };
}

export function describeExit(exit: Exit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

const duration = (ms: number) =>
  ms < 60_000 ? `${+(ms / 1000).toFixed(1)} s` : `${+(ms / 60_000).toFixed(1)} min`;

/** The supervisor's log line for a `crashed` effect. */
export function crashedMessage(
  who: { name: string; pid: number; logFile: string },
  e: Extract<Effect, { type: "crashed" }>,
): string {
  return (
    `${who.name} (pid ${who.pid}) ${describeExit(e.exit)}; restarting it in ${duration(e.delayMs)} ` +
    `(restart ${e.restart}/${e.of}); its log: ${who.logFile}`
  );
}

/** Why the supervisor stops the control plane, for a `give-up` effect. */
export function gaveUpMessage(
  who: { name: string; pid: number; logFile: string },
  e: Extract<Effect, { type: "give-up" }>,
  policy: RestartPolicy,
): string {
  return (
    `${who.name} (pid ${who.pid}) ${describeExit(e.exit)} after it was restarted ${e.restarts} ` +
    `times within ${duration(policy.windowMs)}; stopping the control plane. Its log: ${who.logFile}`
  );
}
