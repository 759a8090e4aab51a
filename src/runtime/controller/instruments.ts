/**
 * What a controller reports to metrics, as interfaces the controller owns: the operator's
 * Prometheus metrics (operator/metrics.ts) implement them, so the controller, usable alone,
 * does not import the operator that builds it.
 */

/** What a controller reports as it works (metrics.forController). */
export interface ControllerInstruments {
  added(): void;
  dequeued(waitedMs: number): void;
  retried(): void;
  reconciled(outcome: "success" | "error" | "requeue_after", seconds: number): void;
}

/** What the metrics read from a controller when scraped (cumulative counts). */
export interface ControllerGauges {
  name: string;
  depth(): number;
  active(): number;
  concurrency: number;
  longestRunningSeconds(): number;
  informers(): { name: string; lists: number; watchStarts: number; events: number }[];
}

/** Where a controller's metrics go: `OperatorMetrics`, or anything of that shape. */
export interface ControllerMetrics {
  /** One controller's instruments, labelled once. */
  forController(controller: string): ControllerInstruments;
  /** Read a controller's queue and informers on every scrape. */
  track(source: ControllerGauges): void;
}
