/**
 * The one opinionated builder: an operator is a set of controllers (plain reconcile
 * functions or kopf-style handler sets) sharing a port to the API and a logger, run until
 * SIGTERM/SIGINT. On a signal it stops taking new work, lets in-flight reconciles finish
 * within `drainTimeoutMs`, stops daemons, and returns.
 */
import type { KubeClient } from "../client/client.js";
import { Controller, type ControllerSpec, type KubeObject } from "./controller.js";
import { Handlers } from "./handlers.js";
import { createLogger, type Logger } from "./log.js";
import type { MetaMatch } from "./filters.js";
import type { KindRef, RuntimePort } from "./port.js";

export interface OperatorOptions {
  port: RuntimePort;
  /** Given to reconcile functions and handlers as `ctx.client`. */
  client?: KubeClient;
  log?: Logger;
  /** Namespaces to watch (default: all). */
  namespaces?: string[];
  drainTimeoutMs?: number;
}

export class Operator {
  readonly log: Logger;
  private readonly specs: ControllerSpec<KubeObject>[] = [];
  private readonly handlerSets: Handlers<KubeObject>[] = [];
  readonly controllers: Controller<KubeObject>[] = [];

  constructor(private readonly opts: OperatorOptions) {
    this.log = opts.log ?? createLogger();
  }

  /** Add a controller with a reconcile function. */
  controller<T extends KubeObject>(spec: ControllerSpec<T>): this {
    this.specs.push(spec as unknown as ControllerSpec<KubeObject>);
    return this;
  }

  /** Add kopf-style handlers for a kind; returns the handler set to register on. */
  on<T extends KubeObject & { spec?: unknown }>(
    kind: KindRef,
    opts: string | { name?: string; labels?: MetaMatch } = {},
  ): Handlers<T> {
    const o = typeof opts === "string" ? { name: opts } : opts;
    const h = new Handlers<T>(kind, o.name ?? kind.kind.toLowerCase(), o.labels);
    this.handlerSets.push(h as unknown as Handlers<KubeObject>);
    return h;
  }

  /** Run until `signal` aborts (or SIGTERM/SIGINT when `handleSignals`). */
  async run(opts: { signal?: AbortSignal; handleSignals?: boolean } = {}): Promise<void> {
    const abort = new AbortController();
    opts.signal?.addEventListener("abort", () => abort.abort(), { once: true });
    const onSignal = (sig: NodeJS.Signals) => {
      this.log.info({ signal: sig }, "stopping: no new work, finishing what is in flight");
      abort.abort();
    };
    if (opts.handleSignals) {
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
    }
    const specs = [...this.specs, ...this.handlerSets.map((h) => h.spec())];
    for (const spec of specs) {
      const withNs =
        spec.namespaces || !this.opts.namespaces
          ? spec
          : { ...spec, namespaces: this.opts.namespaces };
      this.controllers.push(new Controller(withNs, this.opts.port, this.log, this.opts.client));
    }
    try {
      await Promise.all(
        this.controllers.map((c) =>
          c.run(abort.signal, { drainTimeoutMs: this.opts.drainTimeoutMs }),
        ),
      );
      await Promise.all(this.handlerSets.map((h) => h.stop()));
    } finally {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    }
  }

  /** Resolves when every controller's caches have synced. */
  async synced(): Promise<void> {
    while (this.controllers.length < this.specs.length + this.handlerSets.length) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(this.controllers.map((c) => c.synced));
  }
}

export function operator(opts: OperatorOptions): Operator {
  return new Operator(opts);
}
