/**
 * Prometheus metrics of an operator (prom-client), one registry per operator so several in
 * one process (tests) never collide. Names follow controller-runtime and client-go where the
 * meaning is the same, so existing dashboards work:
 *
 *   controller_runtime_reconcile_total{controller,result}   result: success|error|requeue_after
 *   controller_runtime_reconcile_errors_total{controller}
 *   controller_runtime_reconcile_time_seconds{controller}
 *   controller_runtime_active_workers / _max_concurrent_reconciles{controller}
 *   workqueue_depth / _adds_total / _retries_total / _queue_duration_seconds /
 *     _work_duration_seconds / _longest_running_processor_seconds{name}
 *   rest_client_requests_total{code,method,host}, rest_client_request_duration_seconds{verb,host}
 *   leader_election_master_status{name}
 * and Capstan's own, for what controller-runtime does not expose:
 *   capstan_informer_lists_total / capstan_watch_restarts_total /
 *     capstan_watch_events_total{informer}
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Interceptor } from "../../client/intercept.js";
import type {
  ControllerGauges,
  ControllerInstruments,
  ControllerMetrics,
} from "../controller/instruments.js";

const LATENCY = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** An operator's Prometheus metrics, named as controller-runtime's and client-go's. */
export class OperatorMetrics implements ControllerMetrics {
  readonly registry = new Registry();
  private readonly sources: ControllerGauges[] = [];
  readonly reconcileTotal: Counter<"controller" | "result">;
  readonly reconcileErrors: Counter<"controller">;
  readonly reconcileTime: Histogram<"controller">;
  readonly queueAdds: Counter<"name">;
  readonly queueRetries: Counter<"name">;
  readonly queueLatency: Histogram<"name">;
  readonly workDuration: Histogram<"name">;
  readonly requests: Counter<"code" | "method" | "host">;
  readonly requestLatency: Histogram<"verb" | "host">;
  readonly leader: Gauge<"name">;

  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const sources = this.sources;
    this.reconcileTotal = new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"],
      buckets: LATENCY,
      registers,
    });
    new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller",
      labelNames: ["controller"],
      registers,
      collect() {
        for (const s of sources) this.set({ controller: s.name }, s.active());
      },
    });
    new Gauge({
      name: "controller_runtime_max_concurrent_reconciles",
      help: "Maximum number of concurrent reconciles per controller",
      labelNames: ["controller"],
      registers,
      collect() {
        for (const s of sources) this.set({ controller: s.name }, s.concurrency);
      },
    });
    new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames: ["name"],
      registers,
      collect() {
        for (const s of sources) this.set({ name: s.name }, s.depth());
      },
    });
    new Gauge({
      name: "workqueue_longest_running_processor_seconds",
      help: "How many seconds the longest running reconcile has been running",
      labelNames: ["name"],
      registers,
      collect() {
        for (const s of sources) this.set({ name: s.name }, s.longestRunningSeconds());
      },
    });
    this.queueAdds = new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: ["name"],
      registers,
    });
    this.queueRetries = new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: ["name"],
      registers,
    });
    this.queueLatency = new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames: ["name"],
      buckets: LATENCY,
      registers,
    });
    this.workDuration = new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes",
      labelNames: ["name"],
      buckets: LATENCY,
      registers,
    });
    this.requests = new Counter({
      name: "rest_client_requests_total",
      help: "Number of HTTP requests, partitioned by status code, method, and host",
      labelNames: ["code", "method", "host"],
      registers,
    });
    this.requestLatency = new Histogram({
      name: "rest_client_request_duration_seconds",
      help: "Request latency in seconds, by verb and host",
      labelNames: ["verb", "host"],
      buckets: LATENCY,
      registers,
    });
    this.leader = new Gauge({
      name: "leader_election_master_status",
      help: "1 while this process holds the leader lease, 0 otherwise",
      labelNames: ["name"],
      registers,
    });
    informerCounter(registers, sources, "capstan_informer_lists_total", "Full lists", "lists");
    informerCounter(
      registers,
      sources,
      "capstan_watch_restarts_total",
      "Watch streams started (the first, and every resume or restart)",
      "watchStarts",
    );
    informerCounter(
      registers,
      sources,
      "capstan_watch_events_total",
      "Watch events and bookmarks received",
      "events",
    );
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Read a controller's queue and informers on every scrape. */
  track(source: ControllerGauges): void {
    this.sources.push(source);
  }

  /** Counts and times every request attempt of a client (`client.intercept(...)`). */
  requestInterceptor(server: string): Interceptor {
    const host = new URL(server).host;
    // Labelled children cached: prom-client hashes the label object on every call otherwise,
    // twice per request (seen in the operator benchmark's CPU profile).
    const counters = new Map<string, Counter.Internal>();
    const latencies = new Map<string, Histogram.Internal<"verb" | "host">>();
    return {
      after: ({ method }, r) => {
        const code = r.code ? String(r.code) : "<error>";
        const key = `${code} ${method}`;
        let c = counters.get(key);
        if (!c) counters.set(key, (c = this.requests.labels({ code, method, host })));
        c.inc();
        let l = latencies.get(method);
        if (!l) latencies.set(method, (l = this.requestLatency.labels({ verb: method, host })));
        l.observe(r.seconds);
      },
    };
  }

  /** One controller's instruments, labelled once (the reconcile path calls them per object). */
  forController(controller: string): ControllerInstruments {
    const result = {
      success: this.reconcileTotal.labels({ controller, result: "success" }),
      error: this.reconcileTotal.labels({ controller, result: "error" }),
      requeue_after: this.reconcileTotal.labels({ controller, result: "requeue_after" }),
    };
    const errors = this.reconcileErrors.labels({ controller });
    const time = this.reconcileTime.labels({ controller });
    const name = { name: controller };
    const adds = this.queueAdds.labels(name);
    const retries = this.queueRetries.labels(name);
    const latency = this.queueLatency.labels(name);
    const work = this.workDuration.labels(name);
    return {
      added: () => adds.inc(),
      dequeued: (waitedMs) => latency.observe(waitedMs / 1000),
      retried: () => retries.inc(),
      reconciled: (outcome, seconds) => {
        result[outcome].inc();
        if (outcome === "error") errors.inc();
        time.observe(seconds);
        work.observe(seconds);
      },
    };
  }

  /** The metrics in Prometheus' text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A counter mirroring a cumulative informer statistic (the informer owns the count). */
function informerCounter(
  registers: Registry[],
  sources: ControllerGauges[],
  name: string,
  help: string,
  stat: "lists" | "watchStarts" | "events",
): void {
  const seen = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: ["informer"],
    registers,
    collect() {
      for (const s of sources)
        for (const i of s.informers()) {
          const delta = i[stat] - (seen.get(i.name) ?? 0);
          if (delta > 0) this.inc({ informer: i.name }, delta);
          seen.set(i.name, i[stat]);
        }
    },
  });
}
