// Request heads (pure, no network): the exact bytes of a request line and its headers, and
// every part that could split the head — a space, CR or LF in the target, CR, LF or NUL in a
// header value, a header name that is not a token — refused before anything is sent, without
// the refused value (possibly a credential) in the error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HeadError, authorityOf, requestHead } from "./request.js";

test("a GET's head is its request line, Host and a blank line", () => {
  assert.equal(
    requestHead("GET", "/api/v1/namespaces/default/pods?limit=5", "10.0.0.1:6443", {}),
    "GET /api/v1/namespaces/default/pods?limit=5 HTTP/1.1\r\nHost: 10.0.0.1:6443\r\n\r\n",
  );
});

test("a PATCH's head carries its headers after Host, in order, as given", () => {
  const head = requestHead("PATCH", "/apis/x.io/v1/widgets/w", "api.example:443", {
    Accept: "application/json",
    "Content-Type": "application/merge-patch+json",
    "Content-Length": "17",
    Authorization: "Bearer abc.def",
  });
  assert.equal(
    head,
    "PATCH /apis/x.io/v1/widgets/w HTTP/1.1\r\n" +
      "Host: api.example:443\r\n" +
      "Accept: application/json\r\n" +
      "Content-Type: application/merge-patch+json\r\n" +
      "Content-Length: 17\r\n" +
      "Authorization: Bearer abc.def\r\n" +
      "\r\n",
  );
});

test("an IPv6 literal's authority is bracketed", () => {
  assert.equal(authorityOf("::1", "6443"), "[::1]:6443");
});

test("a host name's and an IPv4 address's authority are not bracketed", () => {
  assert.deepEqual(
    [authorityOf("api.example", "443"), authorityOf("127.0.0.1", "6443")],
    ["api.example:443", "127.0.0.1:6443"],
  );
});

test("the Host header of a request to an IPv6 literal carries it bracketed", () => {
  const head = requestHead("GET", "/version", authorityOf("fd00::1", "443"), {});
  assert.equal(head.split("\r\n")[1], "Host: [fd00::1]:443");
});

const targets: [string, string][] = [
  ["a space", "/api/v1/pods HTTP/1.1\r\nX: y"],
  ["a CR", "/api/v1/pods\rX"],
  ["an LF", "/api/v1/pods\nX"],
  ["a non-ASCII character", "/api/v1/namespaces/é/pods"],
];
for (const [what, target] of targets)
  test(`a target with ${what} is refused`, () => {
    assert.throws(() => requestHead("GET", target, "h:443", {}), HeadError);
  });

test("an empty target is refused", () => {
  assert.throws(() => requestHead("GET", "", "h:443", {}), HeadError);
});

const values: [string, string][] = [
  ["a CR", "a\rb"],
  ["an LF", "a\nb"],
  ["a NUL", "a\0b"],
  ["a DEL", "a\x7fb"],
];
for (const [what, value] of values)
  test(`a header value with ${what} is refused`, () => {
    assert.throws(() => requestHead("GET", "/", "h:443", { "X-Note": value }), HeadError);
  });

const names = ["X Note", "X-Note:", "X\r\nNote", "", "Nöte"];
for (const name of names)
  test(`a header name ${JSON.stringify(name)} that is not a token is refused`, () => {
    assert.throws(() => requestHead("GET", "/", "h:443", { [name]: "v" }), HeadError);
  });

test("a refused header's error names the header but not its value", () => {
  let message = "";
  try {
    requestHead("GET", "/", "h:443", { Authorization: "Bearer s3cret\r\nX: y" });
  } catch (e) {
    assert.ok(e instanceof HeadError);
    message = e.message;
  }
  assert.match(message, /Authorization/);
  assert.ok(!message.includes("s3cret"), message);
});

test("a header value with tabs and spaces inside is sent as given", () => {
  const head = requestHead("GET", "/", "h:443", { "X-Note": "a\tb c" });
  assert.equal(head.split("\r\n")[2], "X-Note: a\tb c");
});
