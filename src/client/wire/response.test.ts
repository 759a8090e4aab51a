// The HTTP/1.1 response parser (pure, no network): every framing — Content-Length, chunked,
// until close, none — gives the same response whatever the chunk boundaries, down to one
// byte at a time and cuts inside multibyte characters; keep-alive is decided as RFC 9112
// says; and every ambiguous or malformed response is a ProtocolError, never a guess.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ResponseParser, type WireResponse } from "./response.js";

const text = "é日本😀";
const body = Buffer.from(text); // 12 bytes: cuts land inside every character
const warnings = 'Warning: 299 - "first"\r\nWarning: 299 - "second"\r\n';

interface Case {
  name: string;
  bytes: Buffer;
  /** The body is framed by the connection's end: end() completes it. */
  untilClose?: boolean;
  expected: WireResponse;
}

const cat = (...parts: (string | Buffer)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));
const warningsOnly = () => new Map([["warning", ['299 - "first"', '299 - "second"']]]);

const cases: Case[] = [
  {
    name: "a Content-Length body",
    bytes: cat(`HTTP/1.1 200 OK\r\n${warnings}Content-Length: 12\r\n\r\n`, body),
    expected: {
      status: 200,
      headers: new Map([...warningsOnly(), ["content-length", ["12"]]]),
      body,
      keepAlive: true,
    },
  },
  {
    name: "a chunked body with chunk extensions and trailers",
    // 24 bytes in chunks of 1, 0xA and 0xd: sizes in both cases, extensions with and without
    // values, and a trailer that must not become a header.
    bytes: cat(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n${warnings}\r\n`,
      "1;ext\r\n",
      body.subarray(0, 1),
      '\r\nA;a=1;b="q"\r\n',
      body.subarray(1, 11),
      "\r\nd\r\n",
      body.subarray(11),
      body,
      "\r\n0;last\r\nX-Trailer: t\r\nWarning: trailer\r\n\r\n",
    ),
    expected: {
      status: 200,
      headers: new Map([["transfer-encoding", ["chunked"]], ...warningsOnly()]),
      body: Buffer.concat([body, body]),
      keepAlive: true,
    },
  },
  {
    name: "a body until the connection closes",
    bytes: cat(`HTTP/1.1 200 OK\r\n${warnings}\r\n`, body),
    untilClose: true,
    expected: { status: 200, headers: warningsOnly(), body, keepAlive: false },
  },
  {
    name: "a 204 with no body",
    bytes: cat(`HTTP/1.1 204 No Content\r\n${warnings}\r\n`),
    expected: { status: 204, headers: warningsOnly(), body: Buffer.alloc(0), keepAlive: true },
  },
  {
    name: "a 304 whose Content-Length describes a body it does not carry",
    bytes: cat(`HTTP/1.1 304 Not Modified\r\n${warnings}Content-Length: 12\r\n\r\n`),
    expected: {
      status: 304,
      headers: new Map([...warningsOnly(), ["content-length", ["12"]]]),
      body: Buffer.alloc(0),
      keepAlive: true,
    },
  },
  {
    name: "a Content-Length: 0 body",
    bytes: cat(`HTTP/1.1 200 OK\r\n${warnings}Content-Length: 0\r\n\r\n`),
    expected: {
      status: 200,
      headers: new Map([...warningsOnly(), ["content-length", ["0"]]]),
      body: Buffer.alloc(0),
      keepAlive: true,
    },
  },
  {
    name: "interim 100 and 103 responses before the real one",
    bytes: cat(
      "HTTP/1.1 100 Continue\r\n\r\n",
      "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\nWarning: interim\r\n\r\n",
      `HTTP/1.1 201 Created\r\n${warnings}Content-Length: 12\r\n\r\n`,
      body,
    ),
    expected: {
      status: 201,
      headers: new Map([...warningsOnly(), ["content-length", ["12"]]]),
      body,
      keepAlive: true,
    },
  },
];

/** Push the pieces; the response must come with the last byte (or end()), not before. */
function parse(pieces: Buffer[], untilClose = false): WireResponse {
  const p = new ResponseParser();
  let parsed: WireResponse | undefined;
  pieces.forEach((piece, i) => {
    const res = p.push(piece);
    if (untilClose || i < pieces.length - 1) assert.equal(res, undefined, `early at piece ${i}`);
    else parsed = res;
  });
  if (untilClose) parsed = p.end();
  assert.ok(parsed, "no response after the last byte");
  return parsed;
}

/** Plain data, the body copied: a Buffer view and a copy with the same bytes compare equal. */
const plain = (r: WireResponse) => ({ ...r, body: Buffer.from(r.body) });

for (const c of cases) {
  test(`${c.name}: cut at every byte offset into two pushes, the same response`, () => {
    for (let cut = 0; cut <= c.bytes.length; cut++) {
      const pieces = [c.bytes.subarray(0, cut), c.bytes.subarray(cut)].filter((b) => b.length);
      assert.deepEqual(plain(parse(pieces, c.untilClose)), plain(c.expected), `cut at ${cut}`);
    }
  });

  test(`${c.name}: one byte per push, the same response`, () => {
    const pieces = Array.from({ length: c.bytes.length }, (_, i) => c.bytes.subarray(i, i + 1));
    assert.deepEqual(plain(parse(pieces, c.untilClose)), plain(c.expected));
  });
}

test("the multibyte body decodes to its text", () => {
  assert.equal(parse([cases[0]!.bytes]).body.toString("utf8"), text);
});

const keepAliveOf = (head: string, untilClose = false) =>
  parse([Buffer.from(head)], untilClose).keepAlive;

test("keepAlive: an HTTP/1.1 response keeps the connection by default", () => {
  assert.equal(keepAliveOf("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), true);
});

test("keepAlive: Connection: close ends it", () => {
  const head = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
  assert.equal(keepAliveOf(head), false);
});

test("keepAlive: an HTTP/1.0 response ends it by default", () => {
  assert.equal(keepAliveOf("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), false);
});

test("keepAlive: an HTTP/1.0 response with Connection: keep-alive keeps it", () => {
  const head = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n";
  assert.equal(keepAliveOf(head), true);
});

test("keepAlive: a body framed by the connection's end ends it", () => {
  assert.equal(keepAliveOf("HTTP/1.1 200 OK\r\n\r\nrest", true), false);
});

test("with both Transfer-Encoding: chunked and Content-Length, chunked frames the body and the connection ends", () => {
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
  const res = parse([Buffer.from(`${head}5\r\nhello\r\n0\r\n\r\n`)]);
  assert.deepEqual([res.body.toString(), res.keepAlive], ["hello", false]);
});

test("started is false before any byte", () => {
  assert.equal(new ResponseParser().started, false);
});

test("started is true after one byte", () => {
  const p = new ResponseParser();
  p.push(Buffer.from("H"));
  assert.equal(p.started, true);
});

test("started stays true after an interim response", () => {
  const p = new ResponseParser();
  p.push(Buffer.from("HTTP/1.1 100 Continue\r\n\r\n"));
  assert.equal(p.started, true);
});
