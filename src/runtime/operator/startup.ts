/**
 * Starting before the cluster is there: an operator's pod can start before the API server
 * answers (a control plane restarting, a network not up yet). It waits instead of exiting,
 * so it neither crash-loops nor needs its supervisor to notice.
 *
 * - `unreachable(e)`: why a failure means the API server cannot be reached right now
 *   (`ECONNREFUSED`, `ENOTFOUND`, `timeout`, `HTTP 503`…), or undefined when it is not about
 *   reachability (a certificate the kubeconfig does not trust, a refused credential, bad
 *   input) and retrying cannot help.
 * - `waitForApiServer(client, opts)`: GET /version until the server answers, with
 *   exponential backoff and full jitter (1 s doubling to 30 s), one warning per failed
 *   attempt: `API server https://… unreachable (ECONNREFUSED); retrying in 3.2 s`.
 *
 * Guarantees: never gives up on an unreachable server; resolves once it answers anything
 * (what a 401 or 403 means is for the next request to report, naming its object); rejects
 * when `signal` aborts, or with a `ClientError` naming the server for a failure no retry fixes.
 */
import type { KubeClient } from "../../client/client.js";
import { ApiError, ClientError, ServerError, TooManyRequestsError } from "../../client/errors.js";
import { backoffFrom, type BackoffOptions } from "../backoff.js";
import type { Logger } from "../log.js";
import { sleep } from "../sleep.js";

// Connection refused, reset or timed out; DNS; no route. Not TLS: a certificate the
// kubeconfig does not trust stays untrusted.
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
]);

export function unreachable(e: unknown): string | undefined {
  if (e instanceof ClientError && e.step === "timeout") return "timeout";
  // Answering, but not serving yet: an API server still starting says 503 or 429.
  if (e instanceof ServerError || e instanceof TooManyRequestsError) return `HTTP ${e.code}`;
  for (let c = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    const code = (c as NodeJS.ErrnoException).code;
    if (typeof code === "string" && NETWORK.has(code)) return code;
    // Node tries each address of a name (happy eyeballs) and reports all failures at once.
    if (c instanceof AggregateError)
      for (const inner of c.errors) {
        const reason = unreachable(inner);
        if (reason) return reason;
      }
  }
  return undefined;
}

/** "3.2 s": a delay as the waiting line says it. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export interface ApiServerWaitOptions {
  log: Logger;
  signal?: AbortSignal;
  /** Default: 1 s doubling to 30 s. */
  backoff?: BackoffOptions;
  /** One attempt's timeout (default 10 s). */
  attemptTimeoutMs?: number;
  /** Told the reason after each failed attempt (for /readyz). */
  onUnreachable?: (reason: string) => void;
  /** Added to the first "unreachable" line: what the user can check (the CLI's words). */
  hint?: string;
}

export async function waitForApiServer(
  client: KubeClient,
  opts: ApiServerWaitOptions,
): Promise<void> {
  const server = client.conn.server;
  const backoff = backoffFrom({ initialMs: 1000, maxMs: 30_000, ...opts.backoff });
  const signal = opts.signal ?? new AbortController().signal;
  for (let attempt = 1; ; attempt++) {
    const reason = await probe(client, signal, opts.attemptTimeoutMs ?? 10_000);
    if (reason === undefined) {
      if (attempt > 1) opts.log.info({ server, attempts: attempt }, "API server reachable");
      return;
    }
    const delay = backoff.next();
    opts.onUnreachable?.(reason);
    opts.log.warn(
      { server, reason, attempt, retryInMs: delay },
      `API server ${server} unreachable (${reason}); retrying in ${seconds(delay)}` +
        (attempt === 1 && opts.hint ? ` (${opts.hint})` : ""),
    );
    await sleep(delay, signal);
  }
}

/** One GET /version: undefined once the server answers, else why it is unreachable. */
async function probe(
  client: KubeClient,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<string | undefined> {
  const server = client.conn.server;
  signal.throwIfAborted();
  try {
    // Not idempotent on purpose: the transport's own quick retries would hide attempts.
    await client.http.json({
      method: "GET",
      path: "/version",
      signal,
      timeoutMs,
      describe: { verb: "get", object: `the version of API server ${server}` },
    });
    return undefined;
  } catch (e) {
    signal.throwIfAborted();
    const reason = unreachable(e);
    if (reason !== undefined || e instanceof ApiError) return reason;
    throw new ClientError("connect", `API server ${server}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
