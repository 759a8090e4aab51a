/**
 * An HTTP/1.1 response read from a byte stream, as a state machine (RFC 9112): status line
 * and headers, then a body framed by Content-Length, by chunked transfer coding, or by the
 * connection's end. Interim 1xx responses are skipped. Pure: bytes in, a response out, so
 * that every framing can be tested with its bytes cut anywhere.
 *
 * Strict where leniency would let a response be read two ways: a malformed status line,
 * header, length or chunk size is an error, never a guess, and the connection is not reused.
 */
export interface WireResponse {
  status: number;
  /** Header values by lower-cased name, repeats kept in order. */
  headers: Map<string, string[]>;
  body: Buffer;
  /** The server keeps the connection open for the next request. */
  keepAlive: boolean;
}

/** The bytes are not an HTTP/1.1 response (or exceed a limit): the connection is unusable. */
export class ProtocolError extends Error {
  readonly code = "EPROTO";
  override name = "ProtocolError";
}

const CRLF = Buffer.from("\r\n");
/** Status line and headers together; the API server's are a few hundred bytes. */
export const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4096;

type State =
  | { at: "head" }
  | { at: "fixed"; remaining: number }
  | { at: "chunk-size" }
  | { at: "chunk-data"; remaining: number }
  | { at: "chunk-end" }
  | { at: "trailers" }
  | { at: "until-close" }
  | { at: "done" };

export class ResponseParser {
  private state: State = { at: "head" };
  /** Bytes not yet consumed by a line-reading state (head, chunk size, trailers). */
  private pending: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private res: Omit<WireResponse, "body"> | undefined;
  private seen = false;

  /** Feed the next bytes; returns the response once it is complete. */
  push(chunk: Buffer): WireResponse | undefined {
    if (chunk.length) this.seen = true;
    let b = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    for (;;) {
      const s = this.state;
      switch (s.at) {
        case "head": {
          const end = b.indexOf("\r\n\r\n");
          if (end < 0) {
            if (b.length > MAX_HEAD)
              throw new ProtocolError(`response head over ${MAX_HEAD} bytes`);
            this.pending = b;
            return undefined;
          }
          if (end > MAX_HEAD) throw new ProtocolError(`response head over ${MAX_HEAD} bytes`);
          const head = parseHead(b.toString("latin1", 0, end));
          b = b.subarray(end + 4);
          if (head.status < 200) continue; // 1xx: an interim response, the real one follows
          this.res = head;
          this.state = framing(head);
          break;
        }
        case "fixed": {
          const take = Math.min(s.remaining, b.length);
          if (take) this.parts.push(b.subarray(0, take));
          b = b.subarray(take);
          this.state =
            s.remaining === take ? { at: "done" } : { at: "fixed", remaining: s.remaining - take };
          if (this.state.at === "fixed") return undefined;
          break;
        }
        case "chunk-size": {
          const line = this.line(b);
          if (line === undefined) return undefined;
          b = b.subarray(line.next);
          // Hex digits, then optional whitespace and extensions (ignored); nothing before them.
          const size = line.text.split(";", 1)[0]!.replace(/[ \t]+$/, "");
          if (!/^[0-9a-fA-F]{1,12}$/.test(size))
            throw new ProtocolError(`bad chunk size "${size.slice(0, 20)}"`);
          const n = parseInt(size, 16);
          this.state = n === 0 ? { at: "trailers" } : { at: "chunk-data", remaining: n };
          break;
        }
        case "chunk-data": {
          const take = Math.min(s.remaining, b.length);
          if (take) this.parts.push(b.subarray(0, take));
          b = b.subarray(take);
          if (s.remaining > take) {
            this.state = { at: "chunk-data", remaining: s.remaining - take };
            return undefined;
          }
          this.state = { at: "chunk-end" };
          break;
        }
        case "chunk-end": {
          if (b.length < 2) {
            this.pending = b;
            return undefined;
          }
          if (!b.subarray(0, 2).equals(CRLF)) throw new ProtocolError("chunk not followed by CRLF");
          b = b.subarray(2);
          this.state = { at: "chunk-size" };
          break;
        }
        case "trailers": {
          const line = this.line(b);
          if (line === undefined) return undefined;
          b = b.subarray(line.next);
          if (line.text === "") this.state = { at: "done" };
          break;
        }
        case "until-close":
          if (b.length) this.parts.push(b);
          return undefined;
        case "done": {
          // No pipelining: bytes after the response mean the framing was misread.
          if (b.length) throw new ProtocolError("bytes after the end of the response");
          const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
          return { ...this.res!, body };
        }
        default:
          return s satisfies never;
      }
    }
  }

  /** The connection ended: the response, if its framing allows ending here. */
  end(): WireResponse {
    if (this.state.at === "until-close") {
      this.state = { at: "done" };
      return this.push(Buffer.alloc(0))!;
    }
    throw new ProtocolError(
      !this.seen
        ? "connection closed before a response"
        : `connection closed inside the response (${this.state.at})`,
    );
  }

  /** Whether any byte of a response has arrived (a request on a dead socket sees none). */
  get started(): boolean {
    return this.seen;
  }

  private line(b: Buffer): { text: string; next: number } | undefined {
    const end = b.indexOf(CRLF);
    if (end < 0) {
      if (b.length > MAX_LINE) throw new ProtocolError(`line over ${MAX_LINE} bytes`);
      this.pending = b;
      return undefined;
    }
    if (end > MAX_LINE) throw new ProtocolError(`line over ${MAX_LINE} bytes`);
    return { text: b.toString("latin1", 0, end), next: end + 2 };
  }
}

const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n\0]*?)[ \t]*$/;

function parseHead(text: string): Omit<WireResponse, "body"> {
  const lines = text.split("\r\n");
  const m = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: [^\r\n]*)?$/.exec(lines[0]!);
  if (!m) throw new ProtocolError(`bad status line "${lines[0]!.slice(0, 40)}"`);
  const headers = new Map<string, string[]>();
  for (let i = 1; i < lines.length; i++) {
    // A token (RFC 9110), no whitespace before the colon (which has been used to smuggle),
    // and no lone CR, LF or NUL in the value (a line break to some readers, §5.5).
    const h = HEADER.exec(lines[i]!);
    if (!h) throw new ProtocolError(`bad header line "${lines[i]!.slice(0, 40)}"`);
    const name = h[1]!.toLowerCase();
    const all = headers.get(name);
    if (all) all.push(h[2]!);
    else headers.set(name, [h[2]!]);
  }
  const conn = headers.get("connection")?.join(",").toLowerCase();
  const keepAlive =
    m[1] === "1" ? !conn || !/\bclose\b/.test(conn) : !!conn && /\bkeep-alive\b/.test(conn);
  return { status: Number(m[2]), headers, keepAlive };
}

function framing(head: Omit<WireResponse, "body">): State {
  if (head.status === 204 || head.status === 304) return { at: "done" };
  const te = head.headers.get("transfer-encoding");
  if (te) {
    if (te.join(",").trim().toLowerCase() !== "chunked")
      throw new ProtocolError(`unsupported transfer-encoding "${te.join(",").slice(0, 40)}"`);
    // With both, chunked wins and the connection must not be reused (RFC 9112 §6.3).
    if (head.headers.has("content-length")) head.keepAlive = false;
    return { at: "chunk-size" };
  }
  const cl = head.headers.get("content-length");
  // The usual case, one plain number, without building the set below.
  if (cl?.length === 1 && /^\d{1,15}$/.test(cl[0]!)) {
    const n = Number(cl[0]);
    return n === 0 ? { at: "done" } : { at: "fixed", remaining: n };
  }
  if (cl) {
    const distinct = new Set(cl.flatMap((v) => v.split(",").map((x) => x.trim())));
    const [only] = distinct;
    if (distinct.size !== 1 || !/^\d{1,15}$/.test(only!))
      throw new ProtocolError(`bad content-length "${cl.join(",").slice(0, 40)}"`);
    const n = Number(only);
    return n === 0 ? { at: "done" } : { at: "fixed", remaining: n };
  }
  head.keepAlive = false;
  return { at: "until-close" };
}
