/**
 * Request/response exchanges over a pool of keep-alive TLS connections to one API server:
 * the path every get, list, create, update, patch and delete takes (watches and other
 * streams keep Node's https, see send.ts).
 *
 * Why not node:https for these: in the operator benchmark (N = 1,000 Widgets, same run)
 * this pool cut Capstan's CPU by 14–32 % — Node's ClientRequest/IncomingMessage stream
 * machinery, not TLS, was most of the per-request cost — and undici measured no cheaper
 * than https on the same requests. One request per connection at a time (no pipelining),
 * as Go's and Node's clients do.
 *
 * - Idle connections are unref'd (they never keep the process alive) and closed after
 *   `IDLE_MS`, as client-go's transport does; one the server closed is dropped at once.
 * - A request that fails on a reused connection before any response byte arrived reports
 *   ECONNRESET: the server closed it as we wrote, and the transport may retry idempotent
 *   requests. A request that saw part of a response never reuses its connection.
 */
import { isIP } from "node:net";
import tls from "node:tls";
import { ProtocolError, ResponseParser, type WireResponse } from "./response.js";

export type { WireResponse };

export interface PoolOptions {
  host: string;
  port: number;
  secureContext: tls.SecureContext;
  rejectUnauthorized: boolean;
  /** TLS server name; default: the host, unless it is an IP address. */
  servername?: string;
  maxSockets: number;
}

/** As client-go's IdleConnTimeout. */
const IDLE_MS = 90_000;

interface Exchange {
  parser: ResponseParser;
  resolve(r: WireResponse): void;
  reject(e: Error): void;
}

class Connection {
  exchange: Exchange | undefined;
  reused = false;
  closed = false;
  /** When it was last released (performance.now()), for the idle sweep. */
  idleSince = 0;

  constructor(
    readonly socket: tls.TLSSocket,
    private readonly pool: Pool,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (c: Buffer) => this.data(c));
    socket.on("end", () => this.ended());
    socket.on("error", (e) => this.close(e));
    socket.on("close", () => this.close());
  }

  send(head: string, payload: string | undefined, ex: Exchange): void {
    this.exchange = ex;
    this.socket.write(payload === undefined ? head : head + payload);
  }

  /** End the exchange in flight with `e` (a timeout or an abort): the connection goes too. */
  cancel(e: Error): void {
    const ex = this.exchange;
    this.exchange = undefined;
    ex?.reject(e);
    this.socket.destroy();
  }

  private data(c: Buffer): void {
    const ex = this.exchange;
    if (!ex) return void this.socket.destroy(); // unsolicited bytes: never trust this socket again
    let res: WireResponse | undefined;
    try {
      res = ex.parser.push(c);
    } catch (e) {
      return this.cancel(e as Error);
    }
    if (res) this.finish(ex, res);
  }

  private ended(): void {
    const ex = this.exchange;
    if (!ex) return void this.socket.destroy();
    if (!ex.parser.started) return this.close();
    let res: WireResponse;
    try {
      res = ex.parser.end();
    } catch (e) {
      return this.cancel(e as Error);
    }
    this.finish(ex, { ...res, keepAlive: false });
  }

  private finish(ex: Exchange, res: WireResponse): void {
    this.exchange = undefined;
    this.reused = true;
    if (res.keepAlive) this.pool.release(this);
    else this.socket.destroy();
    ex.resolve(res);
  }

  private close(err?: Error): void {
    if (!this.closed) {
      this.closed = true;
      this.pool.forget(this);
    }
    const ex = this.exchange;
    if (!ex) return;
    this.exchange = undefined;
    this.socket.destroy();
    // A fresh connection's own error (TLS, refused) is the answer; on a reused one, a reset
    // before any response byte is the server closing it as we wrote, and after one the
    // response is broken, not retryable.
    if (err && !this.reused && !ex.parser.started) return ex.reject(err);
    const reset = new Error(
      ex.parser.started
        ? "connection closed inside the response"
        : "connection closed before a response",
    ) as NodeJS.ErrnoException;
    // Before any response byte a reused connection was closed by the server as we wrote:
    // nothing was processed as far as we can know — the transport's retry rules decide.
    reset.code = "ECONNRESET";
    if (err) reset.cause = err;
    ex.reject(ex.parser.started ? new ProtocolError(reset.message, { cause: err }) : reset);
  }
}

export class Pool {
  private readonly idle: Connection[] = [];
  private open = 0;
  /** Requests waiting for a connection, first come first served. */
  private readonly waiting: ((c: Connection) => void)[] = [];
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly o: PoolOptions) {}

  /**
   * Send one request (its head already formatted, ending in a blank line) and read its
   * response. `cancel` lets the caller end it early (timeout, abort) with its own error.
   */
  request(
    head: string,
    payload: string | undefined,
    cancelled?: { onCancel(fn: (e: Error) => void): void },
  ): Promise<WireResponse> {
    let reason: Error | undefined;
    let abandon: ((e: Error) => void) | undefined;
    cancelled?.onCancel((e) => {
      reason = e;
      abandon?.(e);
    });
    if (reason) return Promise.reject(reason); // cancelled before: nothing is sent
    const exchange = (conn: Connection) =>
      new Promise<WireResponse>((resolve, reject) => {
        conn.send(head, payload, { parser: new ResponseParser(), resolve, reject });
        abandon = (e) => conn.cancel(e);
      });
    const ready = this.take();
    if (ready) return exchange(ready);
    // All connections busy: wait for one. A request cancelled while it waits is never sent,
    // and the connection, once it comes, goes to the next request.
    return new Promise<Connection>((resolve, reject) => {
      const waiter = (c: Connection) => (reason ? this.release(c) : resolve(c));
      this.waiting.push(waiter);
      abandon = (e) => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(e);
      };
    }).then(exchange);
  }

  /** Connections open now, idle ones included (for tests and metrics). */
  get size(): number {
    return this.open;
  }

  /** Close every idle connection; requests in flight finish first. */
  close(): void {
    for (const c of this.idle.splice(0)) c.socket.destroy();
  }

  /** A connection done with its exchange: to the first waiter, else idle. */
  release(c: Connection): void {
    const next = this.waiting.shift();
    if (next) return next(c);
    c.idleSince = performance.now();
    c.socket.unref();
    this.idle.push(c);
    this.sweepLater();
  }

  forget(c: Connection): void {
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    this.open--;
    // A slot is free: the first waiter gets a new connection.
    const next = this.waiting.shift();
    if (next) {
      this.open++;
      next(new Connection(this.connect(), this));
    }
  }

  /** An idle connection (the most recent: warm), a new one if under the limit, else none. */
  private take(): Connection | undefined {
    const idle = this.idle.pop();
    if (idle) {
      idle.socket.ref();
      return idle;
    }
    if (this.open >= this.o.maxSockets) return undefined;
    this.open++;
    return new Connection(this.connect(), this);
  }

  /**
   * Close connections idle for `IDLE_MS`. One unref'd timer for the pool, not one per
   * socket: re-arming a socket timeout on every request and release showed in the profile.
   */
  private sweepLater(): void {
    if (this.sweeper) return;
    this.sweeper = setTimeout(() => {
      this.sweeper = undefined;
      const cutoff = performance.now() - IDLE_MS;
      // Oldest first: released connections are pushed at the end.
      while (this.idle.length && this.idle[0]!.idleSince <= cutoff)
        this.idle.shift()!.socket.destroy();
      if (this.idle.length) this.sweepLater();
    }, IDLE_MS / 3).unref();
  }

  private connect(): tls.TLSSocket {
    const { host, servername } = this.o;
    return tls.connect({
      host,
      port: this.o.port,
      secureContext: this.o.secureContext,
      rejectUnauthorized: this.o.rejectUnauthorized,
      servername: servername ?? (isIP(host) ? undefined : host), // no SNI for an IP (RFC 6066)
      ALPNProtocols: ["http/1.1"],
    });
  }
}
