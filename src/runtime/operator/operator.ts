/**
 * The one opinionated builder: an operator is a set of controllers (plain reconcile
 * functions or kopf-style handler sets) sharing a client and a logger, run until
 * SIGTERM/SIGINT. On a signal it stops taking new work, lets in-flight reconciles finish
 * within `drainTimeoutMs`, stops daemons, releases its leader lease, and returns.
 *
 * This file is the run; what the builder records (`controller`, `on`, `admission`, `uses`,
 * hooks) is in declarations.ts, which `Operator` extends, and the run's parts beside it:
 * what stops it (stopping.ts), its health endpoint (health-source.ts), its webhooks
 * (webhook-serving.ts).
 *
 * Production parts, on by option: Prometheus metrics (always collected; served with
 * `health`), the `/healthz` `/readyz` `/metrics` endpoint, and leader election
 * (leadership.ts: warm standbys, fenced writes, exit on lost lease).
 *
 * While it runs, every request of its client goes through its interceptors:
 * request metrics, its name as the field manager of every write, API server warnings logged
 * once each, and with leader election the fence on writes.
 *
 * `run({ startup })` runs a start-up step first (`capstan run` waits there for the API
 * server and the CRDs), then waits until the server serves every kind the controllers name
 * (kinds.ts: a near miss fails with "did you mean"): the health endpoint is already up,
 * /readyz says what it waits for, and a signal stops the wait cleanly. Hooks (activities.ts,
 * kopf's): `onStartup` hooks run next, before any watch; `onCleanup` hooks as `run()` ends;
 * `probe`s on each /healthz.
 */
import { defaultFieldManager } from "../../client/intercept.js";
import { Controller } from "../controller/controller.js";
import type { ControllerSpec, ApiObject } from "../controller/reconcile.js";
import { RuntimeError } from "../errors.js";
import type { Leadership } from "../leader/leadership.js";
import { createLogger, type Logger } from "../log.js";
import type { WebhookServer } from "../webhooks/server.js";
import { OperatorDeclarations } from "./declarations.js";
import { serveHealth, type HealthServer } from "./health.js";
import { healthSourceOf } from "./health-source.js";
import { checkKinds, waitUntilServed } from "./kinds.js";
import { OperatorMetrics } from "./metrics.js";
import type { HealthOptions, OperatorOptions, Startup } from "./options.js";
import { leadRun, stopOn, type RunLeadership } from "./stopping.js";
import { logWarnings } from "./warnings.js";
import { planWebhooks, prepareWebhooks, startWebhooks } from "./webhook-serving.js";

// Where importers (capstan run, generate deploy, the testing kit) have always found them.
export type { Access, Declarations, Verb } from "./declarations.js";
export type { HealthOptions, OperatorOptions, Startup } from "./options.js";

/** Runs controllers and handler sets on one client: `op.controller(…)`, `op.on(kind)`, `op.uses(…)`, then `run()`. */
export class Operator extends OperatorDeclarations {
  readonly log: Logger;
  private webhookServer?: WebhookServer;
  readonly controllers: Controller<ApiObject>[] = [];
  readonly metrics: OperatorMetrics;
  private health?: HealthServer;
  private leadership?: Leadership;
  /** What the start-up step waits for, while it runs. */
  private waiting?: string;
  private started = false;

  constructor(private readonly opts: OperatorOptions) {
    super();
    this.log = opts.log ?? createLogger();
    this.metrics = opts.metrics ?? new OperatorMetrics();
  }

  /** The field manager of its writes. */
  get name(): string {
    return this.opts.name ?? this.opts.client.fieldManager;
  }

  /** The health endpoint's port, once `run` has started it. */
  get healthPort(): number | undefined {
    return this.health?.port;
  }

  /** The admission webhook server's port, once `run` has started it. */
  get webhookPort(): number | undefined {
    return this.webhookServer?.port;
  }

  /**
   * Run until `signal` aborts (or SIGTERM/SIGINT when `handleSignals`). Rejects with
   * `LeadershipLostError` if the leader lease is lost while running, or with the error of
   * `startup`, which runs first, after the health endpoint is up.
   */
  async run(
    opts: { signal?: AbortSignal; handleSignals?: boolean; startup?: Startup } = {},
  ): Promise<void> {
    if (this.started)
      throw new RuntimeError(
        "run",
        "this Operator has already been run; an Operator runs once (create a new one to run again)",
      );
    this.started = true;
    const specs = this.declarations().controllers;
    for (const spec of specs) checkKinds(spec);
    const stop = stopOn(opts, this.log);
    const abort = stop.abort;
    const client = this.opts.client;
    let led: RunLeadership | undefined;
    if (this.opts.leaderElection) {
      led = leadRun(this.opts.leaderElection, client, {
        abort,
        metrics: this.metrics,
        log: this.log,
      });
      this.leadership = led.leadership;
    }
    for (const spec of specs) {
      const withNs =
        spec.namespaces || !this.opts.namespaces
          ? spec
          : { ...spec, namespaces: this.opts.namespaces };
      this.controllers.push(
        new Controller(withNs, client, this.log, { metrics: this.metrics, watch: this.opts.watch }),
      );
    }
    // Nothing above sends a request; everything from here on goes through these.
    const intercepted = [
      client.intercept(this.metrics.requestInterceptor(client.conn.server)),
      client.intercept(defaultFieldManager(this.name)),
      client.intercept(logWarnings(this.log)),
    ];
    const served = this.webhooksToServe();
    try {
      if (this.opts.health) await this.serve(this.opts.health);
      const webhooks = planWebhooks(served, this.opts.webhooks, client, this.name, this.log);
      await prepareWebhooks(webhooks);
      if (await this.startUp(opts.startup, specs, abort.signal)) {
        // Every replica serves webhooks: Ready only once this one listens with its certificate.
        this.webhookServer = await startWebhooks(webhooks, (w) => (this.waiting = w));
        const campaign = this.leadership?.elector.run(abort.signal);
        await Promise.all([
          ...(this.webhookServer ? [aborted(abort.signal)] : []),
          ...this.controllers.map((c) =>
            c.run(abort.signal, {
              drainTimeoutMs: this.opts.drainTimeoutMs,
              gate: this.leadership?.leading,
            }),
          ),
        ]);
        await Promise.all(this.handlerSets.map((h) => h.stop()));
        await campaign; // releases the lease once in-flight work is done
      }
    } finally {
      stop.dispose();
      this.leadership?.unfence();
      await this.webhookServer?.close();
      for (const dispose of intercepted) dispose();
      await this.activities.cleanUp(this.log);
      await this.health?.close();
    }
    const lost = led?.lost();
    if (lost) throw lost;
  }

  /**
   * Run the start-up step, wait until every kind is served, then the startup hooks; false
   * when stopped during them (nothing to run then).
   */
  private async startUp(
    startup: Startup | undefined,
    specs: ControllerSpec<ApiObject>[],
    signal: AbortSignal,
  ): Promise<boolean> {
    const waitingFor = (reason: string) => (this.waiting = reason);
    try {
      await startup?.({ signal, waitingFor });
      // A kind not served yet is a wait (its CRD may come), a near miss a mistake (kinds.ts).
      await waitUntilServed(this.opts.client, specs, { log: this.log, signal, waitingFor });
      await this.activities.startUp(this.log, signal, waitingFor);
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      this.waiting = undefined;
    }
    return !signal.aborted;
  }

  private async serve(o: HealthOptions): Promise<void> {
    const run = {
      controllers: this.controllers,
      waiting: () => this.waiting,
      webhookServer: () => this.webhookServer,
      probes: () => this.activities.probe(this.log),
    };
    this.health = await serveHealth({
      port: o.port,
      host: o.host,
      metrics: this.metrics,
      source: healthSourceOf(run, o),
    });
    this.log.info({ port: this.health.port }, "serving /healthz, /readyz and /metrics");
  }

  /**
   * Resolves when every controller's caches have synced. `run()` creates the controllers
   * synchronously, so `const done = op.run(); await op.synced()` works; before `run()` there
   * is nothing that could ever sync, which is an error rather than a promise that never settles.
   */
  async synced(): Promise<void> {
    if (!this.started)
      throw new RuntimeError("synced", "the Operator is not running: call run() first");
    await Promise.all(this.controllers.map((c) => c.synced));
  }
}

/** Resolves when `signal` aborts: an operator that only serves webhooks runs until stopped. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) =>
    signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}
