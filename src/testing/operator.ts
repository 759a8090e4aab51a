/**
 * Run an operator inside a test against the local control plane — what KopfRunner is for
 * kopf — and count the writes it makes, so a test can assert "converged means zero writes".
 */
import { KubeClient } from "../client/client.js";
import { isOperatorDefinition, type OperatorDefinition } from "../runtime/define.js";
import { kubePort } from "../runtime/kube.js";
import { createLogger } from "../runtime/log.js";
import { Operator, type HealthOptions } from "../runtime/operator.js";
import type { LeaderElectionOptions } from "../runtime/leadership.js";
import type { RuntimePort } from "../runtime/port.js";

export interface RunningOperator {
  operator: Operator;
  client: KubeClient;
  /** Writes to objects (PATCH/PUT/POST), Events excluded. */
  writes(): number;
  /** Resolves when every controller's caches have synced. */
  synced(): Promise<void>;
  /** Base URL of the health endpoint (`http://127.0.0.1:PORT`), when `health` was given. */
  healthUrl(): string | undefined;
  stop(): Promise<void>;
}

function counting(port: RuntimePort, counter: { n: number }): RuntimePort {
  const count =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    (...a: A) => {
      counter.n++;
      return f(...a);
    };
  return {
    ...port,
    mergePatch: count(port.mergePatch.bind(port)) as RuntimePort["mergePatch"],
    create: count(port.create.bind(port)) as RuntimePort["create"],
    replace: count(port.replace.bind(port)) as RuntimePort["replace"],
  };
}

export async function runOperator(
  def: OperatorDefinition | ((op: Operator) => void | Promise<void>),
  opts: {
    kubeconfig: string;
    namespaces?: string[];
    logLevel?: string;
    inactivityMs?: number;
    /** Serve /healthz, /readyz, /metrics (`{ port: 0 }`: a free port, see `operator.healthPort`). */
    health?: HealthOptions;
    leaderElection?: LeaderElectionOptions;
  },
): Promise<RunningOperator> {
  const client = await KubeClient.fromKubeconfig({ path: opts.kubeconfig });
  const counter = { n: 0 };
  const port = counting(kubePort(client, { inactivityMs: opts.inactivityMs }), counter);
  const operator = new Operator({
    port,
    client,
    namespaces: opts.namespaces,
    health: opts.health,
    leaderElection: opts.leaderElection,
    log: createLogger({ level: opts.logLevel ?? process.env.CAPSTAN_TEST_LOG_LEVEL ?? "silent" }),
  });
  await (isOperatorDefinition(def) ? def.setup(operator) : def(operator));
  const abort = new AbortController();
  const running = operator.run({ signal: abort.signal });
  return {
    operator,
    client,
    writes: () => counter.n,
    synced: () => operator.synced(),
    healthUrl: () =>
      operator.healthPort === undefined ? undefined : `http://127.0.0.1:${operator.healthPort}`,
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}
