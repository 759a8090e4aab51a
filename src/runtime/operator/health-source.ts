/**
 * What a running operator reports on its health endpoint (health.ts serves it): the
 * controllers' problems on /healthz, and on /readyz the first thing it still waits for —
 * its start-up step, the webhook server's certificate, then each cache still listing.
 * Everything is read on each request: the run fills these in as it goes.
 */
import type { ApiObject } from "../controller/reconcile.js";
import type { Controller } from "../controller/controller.js";
import type { WebhookServer } from "../webhooks/server.js";
import type { ProbeResult } from "./activities.js";
import type { HealthSource } from "./health.js";
import type { HealthOptions } from "./options.js";

/** The parts of a run the health endpoint reads. */
export interface RunState {
  /** The run's controllers (the array is filled before the endpoint starts). */
  readonly controllers: readonly Controller<ApiObject>[];
  /** What the start-up step waits for, while it runs. */
  waiting(): string | undefined;
  webhookServer(): WebhookServer | undefined;
  probes(): Promise<ProbeResult[]>;
}

/** The health source of a run, with the limits of `o` (defaults as documented there). */
export function healthSourceOf(run: RunState, o: HealthOptions): HealthSource {
  const stallAfterMs = o.stallAfterMs ?? 5 * 60_000;
  const stuckAfterMs = o.stuckAfterMs ?? 10 * 60_000;
  const syncTimeoutMs = o.syncTimeoutMs ?? 2 * 60_000;
  return {
    problems: (now) =>
      run.controllers.flatMap((c) =>
        c.problems(now, { stallAfterMs, stuckAfterMs, syncTimeoutMs }),
      ),
    notReady: () => {
      const waiting = run.waiting();
      if (waiting) return waiting;
      const server = run.webhookServer();
      const cert = server?.certificateProblem();
      if (cert) return cert;
      // Each cache still listing, with why its last list failed (a CRD not installed).
      const waits = run.controllers.flatMap((c) => c.notReady() ?? []);
      if (waits.length) return `caches not synced yet: ${waits.join("; ")}`;
      // An operator that only serves webhooks is ready once its server is.
      return run.controllers.length || server ? undefined : "caches not synced yet";
    },
    probes: () => run.probes(),
  };
}
