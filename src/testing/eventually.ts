/**
 * Poll until a check passes. For conditions reached asynchronously by controllers (garbage
 * collection, namespace deletion): the test states the outcome, not a sleep.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** Retry `check` every `intervalMs` (250 ms) until it resolves; after `timeoutMs` (30 s) throw its last error. */
export async function eventually<T>(
  check: () => Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? last.message : String(last);
      throw new Error(
        `${opts.what ?? "condition"} not reached within ${opts.timeoutMs ?? 30_000} ms: ${why}`,
        {
          cause: last,
        },
      );
    }
    await sleep(opts.intervalMs ?? 250);
  }
}
