// Which failures mean "the API server cannot be reached right now" (wait and retry) and
// which no retry can fix (exit, naming the server). Pure: no cluster.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ClientError, apiError } from "../../client/errors.js";
import { seconds, unreachable } from "./startup.js";

const errno = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
const req = { verb: "get", object: "the version of API server https://h" };

test("a refused connection, as the transport reports it, is unreachable with its code", () => {
  const e = new ClientError("connect", "ECONNREFUSED talking to https://h", {
    cause: errno("ECONNREFUSED"),
  });
  assert.equal(unreachable(e), "ECONNREFUSED");
});

test("DNS failures and missing routes are unreachable", () => {
  for (const code of ["ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"])
    assert.equal(unreachable(errno(code)), code);
});

test("an attempt that timed out is unreachable", () => {
  assert.equal(unreachable(new ClientError("timeout", "no response within 10000 ms")), "timeout");
});

test("every address of a name refusing (happy eyeballs) is unreachable", () => {
  const e = new AggregateError([errno("ECONNREFUSED"), errno("ECONNREFUSED")], "connect");
  assert.equal(unreachable(e), "ECONNREFUSED");
});

test("an API server answering 503 or 429 while it starts is not serving yet", () => {
  assert.equal(unreachable(apiError(req, 503, { message: "starting" })), "HTTP 503");
  assert.equal(unreachable(apiError(req, 429, { reason: "TooManyRequests" })), "HTTP 429");
});

test("an answer such as 401 or 404 means the server is reachable", () => {
  assert.equal(unreachable(apiError(req, 401, { reason: "Unauthorized" })), undefined);
  assert.equal(unreachable(apiError(req, 404, { reason: "NotFound" })), undefined);
});

test("a TLS failure is not about reachability: retrying cannot fix the kubeconfig", () => {
  assert.equal(unreachable(errno("DEPTH_ZERO_SELF_SIGNED_CERT")), undefined);
  assert.equal(unreachable(errno("EPROTO")), undefined);
});

test("the waiting line gives the delay in seconds with one decimal", () => {
  assert.equal(seconds(3160), "3.2 s");
  assert.equal(seconds(800), "0.8 s");
});
