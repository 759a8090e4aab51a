// The HTTP/1.1 response parser refuses what could be read two ways (pure, no network):
// every malformed or ambiguous status line, header, length or chunk is a ProtocolError
// (code EPROTO) that closes the connection, never a guess — and where a limit applies, it
// applies wherever the bytes are cut.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_HEAD, ProtocolError, ResponseParser } from "./response.js";

/** Feeding `bytes` (if any; then end() if asked) fails with a ProtocolError like `message`. */
function refuses(bytes: string, message: RegExp, end = false): void {
  const p = new ResponseParser();
  assert.throws(
    () => {
      if (bytes) p.push(Buffer.from(bytes, "latin1"));
      if (end) p.end();
    },
    (e) => e instanceof ProtocolError && e.code === "EPROTO" && message.test(e.message),
  );
}

const ok = "HTTP/1.1 200 OK\r\n";
const chunked = `${ok}Transfer-Encoding: chunked\r\n\r\n`;

test("a status line that is not HTTP/1.x and three digits is refused", () => {
  for (const line of ["HTTP/1.1 20 OK", "HTTP/2 200 OK", "HTTP/1.1 200OK", "http/1.1 200 OK"])
    refuses(`${line}\r\nContent-Length: 0\r\n\r\n`, /bad status line/);
});

test("a header line without a colon is refused", () => {
  refuses(`${ok}Content-Length 0\r\n\r\n`, /bad header line/);
});

test("whitespace between a header name and its colon is refused", () => {
  refuses(`${ok}Content-Length : 5\r\n\r\nhello`, /bad header line/);
});

test("a chunk size that is not hex is refused", () => {
  refuses(`${chunked}5g\r\nhello\r\n0\r\n\r\n`, /bad chunk size/);
});

test("a chunk size over 12 hex digits is refused", () => {
  refuses(`${chunked}1000000000000\r\n`, /bad chunk size/);
});

test("chunk data not followed by CRLF is refused", () => {
  refuses(`${chunked}5\r\nhelloXX\r\n0\r\n\r\n`, /chunk not followed by CRLF/);
});

test("two different Content-Length values are refused, in two headers or one list", () => {
  refuses(`${ok}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello`, /bad content-length/);
  refuses(`${ok}Content-Length: 5, 6\r\n\r\nhello`, /bad content-length/);
});

test("a Content-Length that is not a decimal number is refused", () => {
  for (const v of ["5a", "-5", "+5", "0x5", ""])
    refuses(`${ok}Content-Length: ${v}\r\n\r\nhello`, /bad content-length/);
});

test("a Transfer-Encoding other than chunked alone is refused", () => {
  for (const te of ["gzip", "gzip, chunked", "identity"])
    refuses(`${ok}Transfer-Encoding: ${te}\r\n\r\n`, /unsupported transfer-encoding/);
});

test("bytes after the end of the response are refused", () => {
  refuses(`${ok}Content-Length: 2\r\n\r\nokX`, /bytes after the end/);
});

test("a head over MAX_HEAD bytes with no blank line is refused", () => {
  refuses(`${ok}X-Big: ${"a".repeat(MAX_HEAD)}`, /head over/);
});

test("the connection ending inside a Content-Length body is refused", () => {
  refuses(`${ok}Content-Length: 10\r\n\r\nhello`, /closed inside the response/, true);
});

test("the connection ending before any byte is refused", () => {
  refuses("", /before a response/, true);
});

test("a lone LF inside a header value is refused, not read as a second header", () => {
  refuses(`${ok}X-A: a\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`, /bad header line/);
});

test("a NUL inside a header value is refused", () => {
  refuses(`${ok}X-A: a\0b\r\nContent-Length: 0\r\n\r\n`, /bad header line/);
});

test("a chunk size with whitespace before it is refused", () => {
  refuses(`${chunked} 5\r\nhello\r\n0\r\n\r\n`, /bad chunk size/);
});

test("a chunk-size line over the limit is refused in one push as when cut before its CRLF", () => {
  const line = `5;${"x".repeat(10_000)}`;
  refuses(`${chunked}${line}\r\nhello\r\n0\r\n\r\n`, /line over/);
  const p = new ResponseParser();
  p.push(Buffer.from(chunked));
  assert.throws(
    () => {
      p.push(Buffer.from(line));
      p.push(Buffer.from("\r\nhello\r\n0\r\n\r\n"));
    },
    (e) => e instanceof ProtocolError && /line over/.test(e.message),
  );
});
