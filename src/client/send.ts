/**
 * One attempt of a request, two ways: a whole response over Capstan's own connection pool
 * (wire/pool.ts; every request but streams), or a stream over Node's https (watch, logs).
 * Both answer a `Reply` with its status known, so that http.ts retries and reports them alike.
 */
import https from "node:https";
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import type { Connection } from "./config.js";
import { ClientError } from "./errors.js";
import { parseWarnings, type Method } from "./intercept.js";
import type { Pool } from "./wire/pool.js";
import { HeadError, requestHead } from "./wire/request.js";

/** What one attempt needs: everything already decided (path with query, body encoded). */
export interface Attempt {
  method: Method;
  /** Path and query, on the server's prefix. */
  target: string;
  headers: Record<string, string>;
  payload?: string;
  signal?: AbortSignal;
  timeoutMs: number;
  /** `verb Kind namespace/name`, for messages. */
  what: string;
}

/** A response whose status line and headers have arrived. */
export interface Reply {
  status: number;
  header(name: string): string | undefined;
  /** The texts of its `Warning` headers. */
  warnings(): string[];
  /** The body as text (read now for a stream). */
  text(): Promise<string>;
}

export interface WholeReply extends Reply {
  body: string;
}

export interface StreamReply extends Reply {
  stream: IncomingMessage;
}

const timeoutError = (a: Attempt) =>
  new ClientError("timeout", `${a.what}: no response within ${a.timeoutMs} ms`);

/** Send over the pool and read the whole response. */
export async function sendWhole(pool: Pool, authority: string, a: Attempt): Promise<WholeReply> {
  let head: string;
  try {
    head = requestHead(a.method, a.target, authority, a.headers);
  } catch (e) {
    if (e instanceof HeadError) throw new ClientError("input", `${a.what}: ${e.message}`);
    throw e;
  }
  const cancel = new Cancel();
  const signal = a.signal;
  const onAbort = () => cancel.fire((signal!.reason as Error) ?? new Error("aborted"));
  if (signal) {
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  }
  const timer =
    a.timeoutMs > 0 ? setTimeout(() => cancel.fire(timeoutError(a)), a.timeoutMs) : undefined;
  try {
    const r = await pool.request(head, a.payload, cancel);
    const body = r.body.toString("utf8");
    return {
      status: r.status,
      body,
      header: (n) => r.headers.get(n)?.[0],
      warnings: () => parseWarnings(r.headers.get("warning") ?? []),
      text: () => Promise.resolve(body),
    };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** An attempt's cancellation (timeout or abort), which may come before the connection does. */
export class Cancel {
  private reason: Error | undefined;
  private fn: ((e: Error) => void) | undefined;
  /** Call `fn` on cancellation (at once if it already happened). */
  onCancel(fn: (e: Error) => void): void {
    if (this.reason) fn(this.reason);
    else this.fn = fn;
  }
  fire(e: Error): void {
    if (this.reason) return;
    this.reason = e;
    this.fn?.(e);
  }
}

/** Send over Node's https and answer once the status arrives; the body is left to read. */
export function sendStream(
  conn: Connection,
  endpoint: { hostname: string; port: string },
  a: Attempt,
): Promise<StreamReply> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      hostname: endpoint.hostname,
      port: endpoint.port,
      path: a.target,
      method: a.method,
      headers: a.headers,
      agent: conn.agent,
    });
    // The signal is watched here rather than given to https.request: Node ties it to the
    // request with end-of-stream tracking (seven listeners per request). One listener,
    // removed when the request closes, does the same.
    const signal = a.signal;
    if (signal) {
      const onAbort = () => req.destroy(signal.reason as Error);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        const off = () => signal.removeEventListener("abort", onAbort);
        req.once("close", off);
        req.once("error", off);
      }
    }
    const timer =
      a.timeoutMs > 0 ? setTimeout(() => req.destroy(timeoutError(a)), a.timeoutMs) : undefined;
    req.on("response", (res) => {
      clearTimeout(timer);
      resolve({
        status: res.statusCode!,
        stream: res,
        header: (n) => res.headers[n] as string | undefined,
        warnings: () => warningsOf(res),
        text: () => readAll(res),
      });
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(signal?.aborted ? (signal.reason ?? e) : e);
    });
    req.end(a.payload);
  });
}

/** The `Warning` headers, each on its own: Node joins repeated headers with commas. */
function warningsOf(res: IncomingMessage): string[] {
  const raw = res.rawHeaders;
  let values: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.length === 7 && raw[i]!.toLowerCase() === "warning")
      (values ??= []).push(raw[i + 1]!);
  return values ? parseWarnings(values) : [];
}

/** A response body as text, decoded once whole: chunks may end inside a character. */
export function readAll(res: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    // Most bodies arrive in one chunk: decode it without copying it first.
    res.on("end", () =>
      resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8")),
    );
    res.on("error", reject);
  });
}
