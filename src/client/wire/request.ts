/**
 * The head of an HTTP/1.1 request, refused rather than sent when a part could split it: a
 * CR, LF or space in the target ends the request line early, one in a header value starts a
 * header of the attacker's choosing (request smuggling). Node's http checks the same things.
 * Pure.
 */
import type { Method } from "../intercept.js";

export class HeadError extends Error {
  override name = "HeadError";
}

/** Printable ASCII except space: what a request target may carry (percent-encode the rest). */
const TARGET = /^[\x21-\x7e]+$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible characters, space and tab (RFC 9110 field-value); no CR, LF or NUL. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function requestHead(
  method: Method,
  target: string,
  authority: string,
  headers: Record<string, string>,
): string {
  if (!TARGET.test(target))
    throw new HeadError(
      `the request path has a character that must be percent-encoded: ${JSON.stringify(target.slice(0, 200))}`,
    );
  let head = `${method} ${target} HTTP/1.1\r\nHost: ${authority}\r\n`;
  for (const name in headers) {
    const value = headers[name]!;
    if (!TOKEN.test(name))
      throw new HeadError(`header name ${JSON.stringify(name.slice(0, 60))} is not a token`);
    // The value may be a credential: name the header, never show the value.
    if (!VALUE.test(value))
      throw new HeadError(`header ${name} has a control character in its value`);
    head += `${name}: ${value}\r\n`;
  }
  return head + "\r\n";
}

/** `host:port` for the Host header, an IPv6 literal in brackets. */
export function authorityOf(hostname: string, port: string): string {
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}
