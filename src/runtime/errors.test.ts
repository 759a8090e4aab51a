// Error classes keep `instanceof` across two copies of Capstan in one process (`capstan run`
// compiled, loading an operator that imports the TypeScript sources; or two installed
// versions): a second copy is a second module instance, made here with a query string.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as client from "../client/errors.js";
import * as runtime from "./errors.js";

const copy = async <T>(rel: string): Promise<T> =>
  (await import(`${new URL(rel, import.meta.url).href}?copy=2`)) as T;

test("a PermanentError or TemporaryError from another copy is recognised, and only as itself", async () => {
  const other = await copy<typeof runtime>("./errors.js");
  assert.notEqual(other.PermanentError, runtime.PermanentError, "really a second copy");
  const permanent = new other.PermanentError("no");
  assert.ok(permanent instanceof runtime.PermanentError);
  assert.ok(!(permanent instanceof runtime.TemporaryError));
  assert.ok(permanent instanceof Error);
  const timeout = new other.HandlerTimeoutError("slow", { delay: 5 });
  assert.ok(timeout instanceof runtime.TemporaryError, "a subclass still matches its parent");
  assert.ok(timeout instanceof runtime.HandlerTimeoutError);
  assert.ok(!(new other.TemporaryError("t") instanceof runtime.HandlerTimeoutError));
  assert.ok(!(new Error("plain") instanceof runtime.TemporaryError));
  assert.ok(!((null as unknown as object) instanceof runtime.TemporaryError));
});

test("API errors from another copy match their own class and ApiError, not their siblings", async () => {
  const other = await copy<typeof client>("../client/errors.js");
  const e = new other.NotFoundError({ verb: "get", object: "Pod a/b" }, 404, {
    reason: "NotFound",
  });
  assert.ok(e instanceof client.NotFoundError);
  assert.ok(e instanceof client.ApiError);
  assert.ok(!(e instanceof client.ConflictError));
  assert.ok(!(e instanceof client.ClientError));
  assert.equal(e.message, "get Pod a/b: NotFound: no message");
});
