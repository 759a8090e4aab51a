/**
 * The one opinionated builder: an operator is a set of controllers (plain reconcile
 * functions or kopf-style handler sets) sharing a client and a logger, run until
 * SIGTERM/SIGINT. On a signal it stops taking new work, lets in-flight reconciles finish
 * within `drainTimeoutMs`, stops daemons, releases its leader lease, and returns.
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
import { setMaxListeners } from "node:events";
import { KubeClient } from "../../client/client.js";
import { defaultFieldManager } from "../../client/intercept.js";
import { Controller } from "../controller/controller.js";
import { RuntimeError } from "../errors.js";
import type { ControllerSpec, ApiObject } from "../controller/reconcile.js";
import { Handlers } from "../handlers/handlers.js";
import { serveHealth, type HealthServer } from "./health.js";
import { Activities, type Hook, type HookOptions, type StartupHookOptions } from "./activities.js";
import { checkKinds, waitUntilServed } from "./kinds.js";
import {
  LeadershipLostError,
  setUpLeadership,
  type LeaderElectionOptions,
  type Leadership,
} from "../leader/leadership.js";
import { createLogger, type Logger } from "../log.js";
import { OperatorMetrics } from "./metrics.js";
import type { MetaMatch } from "../handlers/filters.js";
import type { KindRef } from "../kind.js";
import type { WatchTuning } from "../watch/source.js";
import { logWarnings } from "./warnings.js";
import type { Chosen, InputFor, ObjectFor } from "../controller/typed.js";
import { Admission, schemaCheckOf } from "../webhooks/admission.js";
import { WebhookServer, type WebhookServeOptions } from "../webhooks/server.js";
import { isConvertible, type ConvertibleResource } from "../webhooks/conversion.js";

/** The health endpoint's port and the limits after which /healthz fails. */
export interface HealthOptions {
  /** 0 picks a free port (see `Operator.healthPort`). */
  port: number;
  host?: string;
  /** A synced watch silent this long fails /healthz (default 5 min: bookmarks come each minute). */
  stallAfterMs?: number;
  /** A reconcile running this long fails /healthz (default 10 min). */
  stuckAfterMs?: number;
  /**
   * A cache not synced this long after start fails /healthz, naming the list's last error —
   * a Forbidden names the missing RBAC rule (default 2 min, controller-runtime's
   * CacheSyncTimeout).
   */
  syncTimeoutMs?: number;
}

/** An operator's client, name, namespaces, health endpoint, leader election, metrics and watch tuning. */
export interface OperatorOptions {
  /**
   * Every read and write of the operator goes through this client (given to reconcile
   * functions and handlers as `ctx.client`); while it runs, the operator intercepts it.
   */
  client: KubeClient;
  /** The field manager of every write the operator makes (default: the client's). */
  name?: string;
  log?: Logger;
  /** Namespaces to watch (default: all). */
  namespaces?: string[];
  drainTimeoutMs?: number;
  /** Serve /healthz, /readyz and /metrics. */
  health?: HealthOptions;
  /** Reconcile only while holding this Lease. */
  leaderElection?: LeaderElectionOptions;
  /** The registry to record into (default: a new one per operator). */
  metrics?: OperatorMetrics;
  /** Watch stream timeouts (default: the client's). */
  watch?: WatchTuning;
  /** Serve the admission handlers (`op.admission`) and, with `register`, register them. */
  webhooks?: WebhookServeOptions;
}

/**
 * Work before the controllers start, such as waiting for the API server or a CRD. It tells
 * /readyz what it is waiting for, and stops when `signal` aborts.
 */
export type Startup = (s: {
  signal: AbortSignal;
  waitingFor(reason: string): void;
}) => Promise<void>;

/** An RBAC verb (no wildcards: generated roles list each verb). */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete";

/** Access an operator needs beyond its controllers' own kinds (Secrets it reads, Pods it creates…). */
export interface Access {
  kind: KindRef;
  verbs: Verb[];
  /** e.g. "status", "log". */
  subresource?: string;
}

/** Everything an operator declares, read without running it (`capstan generate deploy`). */
export interface Declarations {
  controllers: ControllerSpec<ApiObject>[];
  uses: Access[];
  /** Admission handlers (`op.admission`): generate deploy emits their configurations. */
  admissions?: Admission<unknown>[];
}

/** Runs controllers and handler sets on one client: `op.controller(…)`, `op.on(kind)`, `op.uses(…)`, then `run()`. */
export class Operator {
  readonly log: Logger;
  private readonly specs: ControllerSpec<ApiObject>[] = [];
  private readonly access: Access[] = [];
  private readonly handlerSets: Handlers<ApiObject>[] = [];
  private readonly admissions: Admission<unknown>[] = [];
  /** The kinds given to `on`, as given (a `defineResource` result keeps its schema). */
  private readonly onKinds: KindRef[] = [];
  /** Resources with converters the operator names: it serves their conversion webhook. */
  private readonly conversions = new Set<ConvertibleResource>();
  private webhookServer?: WebhookServer;
  readonly controllers: Controller<ApiObject>[] = [];
  readonly metrics: OperatorMetrics;
  private health?: HealthServer;
  private leadership?: Leadership;
  /** What the start-up step waits for, while it runs. */
  private waiting?: string;
  private started = false;
  private readonly activities = new Activities();

  constructor(private readonly opts: OperatorOptions) {
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

  /**
   * Add a controller with a reconcile function. The object type comes from `for` (a
   * `defineResource` result, or a built-in kind's literal `{ apiVersion, kind }`); naming it
   * (`controller<X>(…)`) overrides that.
   */
  controller<T extends ApiObject = never, const F extends KindRef = KindRef>(
    spec: ControllerSpec<Chosen<NoInfer<T>, ObjectFor<F>>, Chosen<NoInfer<T>, InputFor<F>>> & {
      for: F;
    },
  ): this {
    this.specs.push(spec as unknown as ControllerSpec<ApiObject>);
    this.noteConversion(spec.for);
    return this;
  }

  /** Add kopf-style handlers for a kind; returns the handler set to register on. */
  on<T extends ApiObject & { spec?: unknown } = never, const F extends KindRef = KindRef>(
    kind: F,
    opts: string | { name?: string; labels?: MetaMatch } = {},
  ): Handlers<Chosen<T, ObjectFor<F>>, Chosen<T, InputFor<F>>> {
    const o = typeof opts === "string" ? { name: opts } : opts;
    this.onKinds.push(kind);
    const h = new Handlers<Chosen<T, ObjectFor<F>>, Chosen<T, InputFor<F>>>(
      kind,
      o.name ?? kind.kind.toLowerCase(),
      o.labels,
    );
    this.handlerSets.push(h as unknown as Handlers<ApiObject>);
    this.noteConversion(kind);
    return h;
  }

  /** Add admission handlers (validate, mutate) for a kind, typed from its definition. */
  admission<T extends ApiObject = never, const F extends KindRef = KindRef>(
    kind: F,
  ): Admission<Chosen<T, ObjectFor<F>>> {
    const a = new Admission<Chosen<T, ObjectFor<F>>>(
      { apiVersion: kind.apiVersion, kind: kind.kind },
      schemaCheckOf(kind),
    );
    this.admissions.push(a as Admission<unknown>);
    this.noteConversion(kind);
    return a;
  }

  /**
   * Serve the conversion webhook of a resource defined with converters. A resource the
   * operator names in `controller`, `on` or `admission` needs no call: it is served anyway.
   */
  serveConversion(resource: ConvertibleResource): this {
    if (!isConvertible(resource)) {
      const r = resource as { kind: string; group: string };
      throw new RuntimeError(
        "serveConversion",
        `${r.kind} (${r.group}) has no converters: give defineResource a convert for each version but the storage one`,
      );
    }
    this.conversions.add(resource);
    return this;
  }

  private noteConversion(kind: unknown): void {
    if (isConvertible(kind)) this.conversions.add(kind);
  }

  /** The admission webhook server's port, once `run` has started it. */
  get webhookPort(): number | undefined {
    return this.webhookServer?.port;
  }

  /**
   * A hook run before any watch starts; the operator reconciles nothing until it succeeds.
   * Failures are retried with backoff and shown on /readyz; a PermanentError ends `run()`.
   */
  onStartup(fn: Hook, opts: StartupHookOptions = {}): this {
    this.activities.addStartup(fn, opts);
    return this;
  }

  /** A hook run once as `run()` ends, after in-flight work finished; failures are logged. */
  onCleanup(fn: Hook, opts: HookOptions = {}): this {
    this.activities.addCleanup(fn, opts);
    return this;
  }

  /** A check run on each GET /healthz: its value is listed there; a throw fails it, named. */
  probe(fn: Hook, opts: HookOptions = {}): this {
    this.activities.addProbe(fn, opts);
    return this;
  }

  /**
   * Declare access to a kind the operator's code uses through `ctx.client` (its controllers'
   * own kinds, owned kinds, Events and Leases are implied). Generated RBAC grants exactly this.
   */
  uses(kind: KindRef, verbs: Verb[], opts: { subresource?: string } = {}): this {
    this.access.push({ kind, verbs: [...verbs], ...opts });
    return this;
  }

  /** The controllers (handler sets compiled) and declared access, without running anything. */
  declarations(): Declarations {
    return {
      controllers: [...this.specs, ...this.handlerSets.map((h) => h.spec())],
      uses: this.access.map((a) => ({ ...a, verbs: [...a.verbs] })),
      admissions: [...this.admissions],
    };
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
    for (const spec of this.declarations().controllers) checkKinds(spec);
    const abort = new AbortController();
    // Every watch (kinds × namespaces) and every request in flight listens to this one
    // signal; past Node's default of 10 it would warn of a leak that is not one.
    setMaxListeners(0, abort.signal);
    let lost: LeadershipLostError | undefined;
    opts.signal?.addEventListener("abort", () => abort.abort(), { once: true });
    const onSignal = (sig: NodeJS.Signals) => {
      this.log.info({ signal: sig }, "stopping: no new work, finishing what is in flight");
      abort.abort();
    };
    if (opts.handleSignals) {
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
    }
    const client = this.opts.client;
    const le = this.opts.leaderElection;
    if (le) {
      const lease = `${le.namespace}/${le.name}`;
      this.leadership = setUpLeadership(le, client, {
        onStarted: () => {
          this.metrics.leader.set({ name: lease }, 1);
          this.log.info({ lease, identity: this.leadership?.identity }, "became the leader");
        },
        onLost: () => {
          this.metrics.leader.set({ name: lease }, 0);
          if (abort.signal.aborted) return;
          lost = new LeadershipLostError(this.leadership!.identity, lease);
          this.log.error({ lease }, lost.message);
          abort.abort();
        },
      });
      this.metrics.leader.set({ name: lease }, 0);
    }
    const specs = [...this.specs, ...this.handlerSets.map((h) => h.spec())];
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
    // A resource with `validation: "webhook"` has its schema served without a handler.
    for (const kind of [...this.specs.map((s) => s.for as KindRef), ...this.onKinds]) {
      const schema = schemaCheckOf(kind);
      const same = (a: Admission<unknown>) =>
        a.kind.apiVersion === kind.apiVersion && a.kind.kind === kind.kind;
      if (schema && !this.admissions.some(same))
        this.admissions.push(
          new Admission({ apiVersion: kind.apiVersion, kind: kind.kind }, schema),
        );
    }
    try {
      if (this.opts.health) await this.serve(this.opts.health);
      const conversions = [...this.conversions];
      if ((this.admissions.length || conversions.length) && !this.opts.webhooks)
        this.log.warn(
          {
            kinds: this.admissions.map((a) => a.kind.kind),
            conversions: conversions.map((r) => r.name),
          },
          "admission handlers are not served: against a local cluster use `capstan run --local-webhooks` (capstan dev does); in a cluster see docs/webhooks.md",
        );
      // Not fenced by leader election: every replica serves webhooks, and any may rotate the
      // certificates (the Secret's resourceVersion keeps one writer per change).
      const unfenced = new KubeClient(client.conn, { fieldManager: this.name });
      const register = this.opts.webhooks?.register;
      if (!this.admissions.length && register)
        await WebhookServer.removeStale(unfenced, this.log, register);
      if (await this.startUp(opts.startup, specs, abort.signal)) {
        // After the start-up step: the handlers' kinds must be served (their CRDs installed
        // or waited for) to be located, and a CRD just installed (`--install-crds`) carries
        // the manifest's placeholder conversion address. Every replica serves webhooks (the
        // Service sends to all): Ready only once this one listens with its certificate.
        if ((this.admissions.length || conversions.length) && this.opts.webhooks) {
          this.waiting = "webhook server: loading certificates";
          this.webhookServer = await WebhookServer.start(
            this.admissions,
            unfenced,
            this.log,
            this.opts.webhooks,
            conversions,
          );
          this.waiting = undefined;
        }
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
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      this.leadership?.unfence();
      await this.webhookServer?.close();
      for (const dispose of intercepted) dispose();
      await this.activities.cleanUp(this.log);
      await this.health?.close();
    }
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
    const stallAfterMs = o.stallAfterMs ?? 5 * 60_000;
    const stuckAfterMs = o.stuckAfterMs ?? 10 * 60_000;
    const syncTimeoutMs = o.syncTimeoutMs ?? 2 * 60_000;
    this.health = await serveHealth({
      port: o.port,
      host: o.host,
      metrics: this.metrics,
      source: {
        problems: (now) =>
          this.controllers.flatMap((c) =>
            c.problems(now, { stallAfterMs, stuckAfterMs, syncTimeoutMs }),
          ),
        notReady: () => {
          if (this.waiting) return this.waiting;
          const cert = this.webhookServer?.certificateProblem();
          if (cert) return cert;
          // Each cache still listing, with why its last list failed (a CRD not installed).
          const waits = this.controllers.flatMap((c) => c.notReady() ?? []);
          if (waits.length) return `caches not synced yet: ${waits.join("; ")}`;
          // An operator that only serves webhooks is ready once its server is.
          return this.controllers.length || this.webhookServer
            ? undefined
            : "caches not synced yet";
        },
        probes: () => this.activities.probe(this.log),
      },
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
