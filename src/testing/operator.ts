/**
 * Run an operator inside a test against the local control plane — what KopfRunner is for
 * kopf — and count the writes it makes, so a test can assert "converged means zero writes".
 */
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { KubeClient } from "../client/client.js";
import { isWrite } from "../client/intercept.js";
import { eventually } from "./eventually.js";
import { operatorIdle } from "./idle.js";
import { isOperatorDefinition, type OperatorDefinition } from "../runtime/operator/define.js";
import { installCrds, type CrdSource } from "../runtime/operator/crds.js";
import { createLogger } from "../runtime/log.js";
import { Operator, type HealthOptions } from "../runtime/operator/operator.js";
import type { LeaderElectionOptions } from "../runtime/leader/leadership.js";
import type { RotationPolicy } from "../runtime/webhooks/rotation.js";
import type { CertsOption } from "../runtime/webhooks/options.js";

/** An operator running inside a test: its client, write count, logs, and sync and idle signals. */
export interface RunningOperator {
  operator: Operator;
  client: KubeClient;
  /** Write requests sent (POST/PUT/PATCH/DELETE, retries included), Events and Leases excluded. */
  writes(): number;
  /** Resolves when every controller's caches have synced. */
  synced(): Promise<void>;
  /**
   * Resolves once every controller has reconciled at least once, has nothing queued or in
   * flight, and its caches have seen the operator's own writes (idle.ts): the signal that a
   * (re)started operator has caught up, and what a test awaits before asserting an absence
   * ("no more writes") instead of sleeping. With `{ timers: true }`, also nothing waiting on
   * a timer (a retry's backoff, a `requeueAfter`): for "not retried".
   */
  idle(opts?: { timers?: boolean }): Promise<void>;
  /**
   * Every log line the operator wrote (JSON, one per entry), when `captureLogs` was given:
   * to assert what it said, and that no secret value is ever in it.
   */
  logs(): string[];
  /** Base URL of the health endpoint (`http://127.0.0.1:PORT`), when `health` was given. */
  healthUrl(): string | undefined;
  /** Stop the operator (daemons included); resolves once it has. */
  stop(): Promise<void>;
}

/**
 * Counts every write request the operator's client sends — the runtime's and the user
 * code's through `ctx.client` alike — except Events and Leases, which are bookkeeping.
 */
function countWrites(client: KubeClient, counter: { n: number; paths: Set<string> }): void {
  client.intercept({
    after(req, res) {
      if (!isWrite(req) || /\/events(\/|$)|\/leases(\/|$)/.test(req.path)) return;
      counter.n++;
      if (res.code >= 200 && res.code < 300) counter.paths.add(req.path);
    },
  });
}

/** Run an operator (a `defineOperator` definition or a setup function) in the test process until `stop()`. */
export async function runOperator(
  def: OperatorDefinition | ((op: Operator) => void | Promise<void>),
  opts: {
    kubeconfig: string;
    namespaces?: string[];
    /** Install (or upgrade) these resources' CRDs before the operator starts. */
    crds?: CrdSource[];
    logLevel?: string;
    /** Keep every log line (at `logLevel`, default debug) for `logs()` instead of printing. */
    captureLogs?: boolean;
    inactivityMs?: number;
    /** Serve /healthz, /readyz, /metrics (`{ port: 0 }`: a free port, see `operator.healthPort`). */
    health?: HealthOptions;
    leaderElection?: LeaderElectionOptions;
    /**
     * Serve the operator's admission handlers on 127.0.0.1 and register them with the
     * cluster (limited to `namespaces` when given); removed again by `stop()`. `certs`:
     * keep them in a Secret shared with other instances, or read them from files.
     */
    webhooks?: boolean | { policy?: RotationPolicy; certs?: CertsOption };
  },
): Promise<RunningOperator> {
  const client = await KubeClient.fromKubeconfig({ path: opts.kubeconfig });
  if (opts.crds?.length) await installCrds(client, opts.crds);
  const counter = { n: 0, paths: new Set<string>() };
  let probe: Promise<KubeClient> | undefined;
  const lines: string[] = [];
  countWrites(client, counter);
  const operator = new Operator({
    client,
    name: isOperatorDefinition(def) ? def.name : undefined,
    watch: { inactivityMs: opts.inactivityMs },
    namespaces: opts.namespaces,
    health: opts.health,
    leaderElection: opts.leaderElection,
    webhooks: opts.webhooks
      ? {
          // A name of its own: test files share the cluster and run at once.
          register: {
            name: `capstan-test-${randomBytes(4).toString("hex")}`,
            exclude: [],
            only: opts.namespaces,
          },
          policy: opts.webhooks === true ? undefined : opts.webhooks.policy,
          certs: opts.webhooks === true ? undefined : opts.webhooks.certs,
        }
      : undefined,
    log: opts.captureLogs
      ? pino(
          { level: opts.logLevel ?? "debug" },
          { write: (line: string) => void lines.push(line) },
        )
      : createLogger({ level: opts.logLevel ?? process.env.CAPSTAN_TEST_LOG_LEVEL ?? "silent" }),
  });
  await (isOperatorDefinition(def) ? def.setup(operator) : def(operator));
  const abort = new AbortController();
  const running = operator.run({ signal: abort.signal });
  if (opts.webhooks)
    // The port is known once the configurations are registered (or the run failed).
    await Promise.race([
      running,
      eventually(async () => {
        if (operator.webhookPort === undefined) throw new Error("webhooks not served yet");
      }),
    ]);
  return {
    operator,
    client,
    writes: () => counter.n,
    logs: () => lines,
    synced: () => operator.synced(),
    idle: (o) =>
      operatorIdle(
        operator,
        counter.paths,
        () => (probe ??= KubeClient.fromKubeconfig({ path: opts.kubeconfig })),
        o,
      ),
    healthUrl: () =>
      operator.healthPort === undefined ? undefined : `http://127.0.0.1:${operator.healthPort}`,
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}
