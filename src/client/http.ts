/**
 * One HTTP exchange with the API server over the cluster's pooled keep-alive agent.
 *
 * - Failures become typed errors (errors.ts) naming verb and object.
 * - Idempotent requests are retried on 429, 503, 504 and dropped connections, with
 *   exponential backoff and jitter, honouring Retry-After; others are never retried.
 * - Every request has a timeout (default 30 s) and accepts an AbortSignal.
 * - An optional token-bucket rate limit (off by default, like controller-runtime since
 *   v0.21, which relies on the server's priority and fairness instead).
 */
import type { IncomingMessage } from "node:http";
import { randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Connection } from "./config.js";
import { apiError, ClientError, type ApiStatus, type RequestDescription } from "./errors.js";
import { TokenBucket, type RateLimit } from "./backoff.js";
import { readAll, sendStream, sendWhole, type Attempt, type Reply } from "./send.js";
import { Pool } from "./wire/pool.js";
import { authorityOf } from "./wire/request.js";
import { type Interceptor, type Method, type Query, type InterceptedRequest } from "./intercept.js";

export type { RateLimit };
export { readAll };

export interface RequestOptions {
  method: Method;
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Safe to send twice (GET, PUT, DELETE, server-side apply). */
  idempotent?: boolean;
  describe: RequestDescription;
}

const RETRYABLE_CODES = new Set([429, 503, 504]);
const RETRYABLE_ERRORS = new Set(["ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT", "EAI_AGAIN"]);
const MAX_ATTEMPTS = 5;
/** `CAPSTAN_DEBUG_HTTP=1` traces every request (method, path, status, time) to stderr. */
const DEBUG = process.env.CAPSTAN_DEBUG_HTTP === "1";

export class Transport {
  /** Counters for metrics and tests: requests sent (attempts) and retries among them. */
  readonly stats = { requests: 0, retries: 0 };
  /** Replaced, never changed in place: a request in flight keeps the list it started with. */
  private layers: readonly Interceptor[] = [];
  private readonly bucket: TokenBucket | undefined;
  /** Connections for every request but streams (wire/pool.ts says why not Node's https). */
  private readonly pool: Pool;
  private readonly authority: string;

  constructor(
    readonly conn: Connection,
    rateLimit?: RateLimit,
  ) {
    this.bucket = rateLimit && new TokenBucket(rateLimit);
    const u = new URL(conn.server);
    this.endpoint = {
      // An IPv6 literal comes bracketed in a URL, bare in request options.
      hostname: u.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: u.port || "443",
      prefix: u.pathname.replace(/\/+$/, ""),
    };
    this.authority = authorityOf(this.endpoint.hostname, this.endpoint.port);
    this.pool = new Pool({
      host: this.endpoint.hostname,
      port: Number(this.endpoint.port),
      maxSockets: conn.maxSockets,
      ...conn.tls,
    });
  }

  /**
   * Host, port and path prefix of the server, parsed once: a `new URL` per request (and
   * Node re-deriving options from it) showed in the operator benchmark's CPU profile.
   */
  private readonly endpoint: { hostname: string; port: string; prefix: string };

  /** The request path with its query string, on the server's path prefix. */
  pathOf(path: string, query?: RequestOptions["query"]): string {
    let out = this.endpoint.prefix + path;
    let sep = path.includes("?") ? "&" : "?";
    if (query)
      for (const k in query) {
        const v = query[k];
        if (v === undefined) continue;
        out += `${sep}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
        sep = "&";
      }
    return out;
  }

  private async throttle(signal?: AbortSignal): Promise<void> {
    const wait = this.bucket?.take() ?? 0;
    if (wait > 0) await sleep(wait, undefined, { signal });
  }

  /** Hook every request from now on (intercept.ts has the contract); returns the disposer. */
  intercept(i: Interceptor): () => void {
    this.layers = [...this.layers, i];
    return () => {
      this.layers = this.layers.filter((l) => l !== i);
    };
  }

  /** Run the `before` hooks, last added first: the request to send, as the `after` hooks see it. */
  private before(
    o: RequestOptions,
    layers: readonly Interceptor[],
  ): [RequestOptions, InterceptedRequest] {
    const first: InterceptedRequest = {
      method: o.method,
      verb: o.describe.verb,
      object: o.describe.object,
      path: o.path,
      query: o.query ?? {},
      body: o.body,
    };
    let req = first;
    for (let i = layers.length - 1; i >= 0; i--) req = layers[i]!.before?.(req) ?? req;
    if (req === first) return [o, req];
    return [{ ...o, method: req.method, path: req.path, query: req.query, body: req.body }, req];
  }

  /** Send a request and return the response stream once the status is 2xx (watch, logs). */
  async open(o: RequestOptions): Promise<IncomingMessage> {
    return (await this.send(o, (a) => sendStream(this.conn, this.endpoint, a))).stream;
  }

  /** Send a request and decode the JSON body. */
  async json<T>(o: RequestOptions): Promise<T> {
    const r = await this.send(o, (a) => sendWhole(this.pool, this.authority, a));
    try {
      return JSON.parse(r.body) as T;
    } catch (e) {
      throw new ClientError(
        "decode",
        `${o.describe.verb} ${o.describe.object}: the response is not JSON`,
        { cause: e },
      );
    }
  }

  /** Interceptors' `before`, then attempts until a 2xx or a failure not worth retrying. */
  private async send<R extends Reply>(
    opts: RequestOptions,
    one: (a: Attempt) => Promise<R>,
  ): Promise<R> {
    const layers = this.layers;
    const [o, req] = layers.length ? this.before(opts, layers) : [opts, undefined];
    const seen = req && { req, layers };
    if (!DEBUG) return this.attempt(o, seen, one);
    const t0 = Date.now();
    process.stderr.write(`[http] → ${o.method} ${o.path}\n`);
    try {
      const res = await this.attempt(o, seen, one);
      process.stderr.write(`[http] ← ${o.method} ${o.path} ${res.status} ${Date.now() - t0} ms\n`);
      return res;
    } catch (e) {
      process.stderr.write(
        `[http] ✗ ${o.method} ${o.path} ${(e as Error).name} ${Date.now() - t0} ms\n`,
      );
      throw e;
    }
  }

  private async attempt<R extends Reply>(
    o: RequestOptions,
    seen: { req: InterceptedRequest; layers: readonly Interceptor[] } | undefined,
    one: (a: Attempt) => Promise<R>,
  ): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      // No await without a rate limit (the default): one fewer microtask per request.
      if (this.bucket) await this.throttle(o.signal);
      const t0 = performance.now();
      const record = (code: number, res?: Reply) => {
        if (!seen) return;
        const outcome = {
          code,
          seconds: (performance.now() - t0) / 1000,
          warnings: res ? res.warnings() : [],
        };
        for (const l of seen.layers) l.after?.(seen.req, outcome);
      };
      try {
        this.stats.requests++;
        const res = await one(await this.attemptOf(o)).catch((e: unknown) => {
          record(0);
          throw e;
        });
        record(res.status, res);
        if (res.status < 300) return res;
        const err = apiError(o.describe, res.status, parseStatus(await res.text(), res.status));
        const retryAfter =
          Number(res.header("retry-after")) || err.status.details?.retryAfterSeconds;
        if (o.idempotent && RETRYABLE_CODES.has(res.status) && attempt < MAX_ATTEMPTS) {
          this.stats.retries++;
          await sleep(retryAfter ? retryAfter * 1000 : backoff(attempt), undefined, {
            signal: o.signal,
          });
          continue;
        }
        throw err;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (
          o.idempotent &&
          code &&
          RETRYABLE_ERRORS.has(code) &&
          attempt < MAX_ATTEMPTS &&
          !o.signal?.aborted
        ) {
          await sleep(backoff(attempt), undefined, { signal: o.signal });
          continue;
        }
        if (code && RETRYABLE_ERRORS.has(code)) {
          throw new ClientError(
            "connect",
            `${o.describe.verb} ${o.describe.object}: ${code} talking to ${this.conn.server}`,
            { cause: e },
          );
        }
        throw e;
      }
    }
  }

  /** The request as one attempt sends it: target, headers (fresh credentials), body. */
  private async attemptOf(o: RequestOptions): Promise<Attempt> {
    const headers: Record<string, string> = {
      Accept: o.accept ?? "application/json",
      ...(await this.conn.authHeaders()),
    };
    let payload: string | undefined;
    if (o.body !== undefined) {
      payload = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
      headers["Content-Type"] = o.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    return {
      method: o.method,
      target: this.pathOf(o.path, o.query),
      headers,
      payload,
      signal: o.signal,
      timeoutMs: o.timeoutMs ?? 30_000,
      what: `${o.describe.verb} ${o.describe.object}`,
    };
  }
}

function backoff(attempt: number): number {
  const cap = Math.min(5000, 200 * 2 ** (attempt - 1));
  return cap / 2 + randomInt(0, Math.floor(cap / 2) + 1);
}

function parseStatus(body: string, code: number): ApiStatus {
  try {
    const s = JSON.parse(body) as ApiStatus;
    if (s && typeof s === "object" && (s.kind === "Status" || s.reason || s.message)) return s;
  } catch {
    // not a Status body: fall through
  }
  return { code, message: body.slice(0, 500) || `HTTP ${code}` };
}
