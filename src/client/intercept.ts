/**
 * Interceptors: the one way to hook every request a client sends — leader fencing, write
 * counting, request metrics, a default field manager, API server warnings — without touching
 * the transport's fields (controller-runtime's `interceptor.NewClient`, kube-rs tower layers).
 *
 *   const dispose = client.intercept({
 *     before(req) { if (isWrite(req) && !leading()) throw new NotLeaderError(…); },
 *     after(req, res) { for (const w of res.warnings) log.warn(w); },
 *   });
 *
 * Contract:
 * - `before` runs once per request, before anything is sent (retries do not run it again).
 *   Throwing refuses the request: nothing is sent and the caller gets that error. Returning a
 *   request sends that one instead (e.g. with a `fieldManager` added to the query).
 * - `after` runs after every attempt (retries included) with its outcome; it must not throw.
 * - The interceptor added last runs its `before` first: each one wraps the client as it was
 *   when it was added, as a layer does. `after` runs in the opposite order.
 * - The disposer removes the interceptor; requests already past it are not affected.
 */

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type Query = Record<string, string | number | boolean | undefined>;

/** A request as an interceptor sees it. */
export interface InterceptedRequest {
  readonly method: Method;
  /** The client's verb: get, list, watch, create, replace, patch (merge), apply, delete… */
  readonly verb: string;
  /** The object as errors name it: `Kind namespace/name`. */
  readonly object: string;
  /** The API path, without the server's prefix and the query. */
  readonly path: string;
  readonly query: Readonly<Query>;
  readonly body?: unknown;
}

/** One attempt's outcome. */
export interface RequestOutcome {
  /** The HTTP status; 0 when no response arrived. */
  readonly code: number;
  readonly seconds: number;
  /** The texts of the API server's `Warning` headers (deprecations, unknown fields…). */
  readonly warnings: readonly string[];
}

/** Hooks around every request of a client (`client.intercept(...)`), for fencing, counting and defaults. */
export interface Interceptor {
  /** Before the request is sent: throw to refuse it, return a request to send instead. */
  before?(req: InterceptedRequest): InterceptedRequest | void;
  /** After each attempt, with its outcome. Must not throw. */
  after?(req: InterceptedRequest, res: RequestOutcome): void;
}

/** POST, PUT, PATCH and DELETE: what leader election fences and write counters count. */
export function isWrite(req: Pick<InterceptedRequest, "method">): boolean {
  return req.method !== "GET";
}

/**
 * Fill `fieldManager` on every create, update and patch that names none. Without one the
 * server records the manager from the User-Agent, which shows as `unknown` in managedFields.
 */
export function defaultFieldManager(name: string): Interceptor {
  return {
    before(req) {
      if (req.method === "GET" || req.method === "DELETE" || req.query.fieldManager !== undefined)
        return;
      return { ...req, query: { ...req.query, fieldManager: name } };
    },
  };
}

const WARNING = /(\d{3}) (\S+) "((?:[^"\\]|\\.)*)"(?: "[^"]*")?/g;

/**
 * The texts of `Warning` header values (RFC 7234: `299 - "text"`); a value may hold several,
 * separated by commas, and the texts may contain commas and escaped quotes.
 */
export function parseWarnings(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values)
    for (const m of v.matchAll(WARNING)) out.push(m[3]!.replace(/\\(.)/g, "$1"));
  return out;
}
