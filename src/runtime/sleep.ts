/** Wait `ms`, or less if `signal` aborts first; never rejects (callers check the signal). */
import { setTimeout as delay } from "node:timers/promises";

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
