import assert from "node:assert/strict";
import { test } from "node:test";
import { diff } from "./jsonpatch.js";

test("equal values need no patch", () => {
  assert.deepEqual(diff({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), []);
});

test("added, changed and removed fields become add, replace and remove at their paths", () => {
  assert.deepEqual(diff({ spec: { a: 1, b: 2 } }, { spec: { a: 3, c: 4 } }), [
    { op: "remove", path: "/spec/b" },
    { op: "replace", path: "/spec/a", value: 3 },
    { op: "add", path: "/spec/c", value: 4 },
  ]);
});

test("keys with a slash or a tilde are escaped as RFC 6901 says", () => {
  assert.deepEqual(diff({ metadata: {} }, { metadata: { "a/b~c": "x" } }), [
    { op: "add", path: "/metadata/a~1b~0c", value: "x" },
  ]);
});

test("an array of another length is replaced whole", () => {
  assert.deepEqual(diff({ l: [1] }, { l: [1, 2] }), [{ op: "replace", path: "/l", value: [1, 2] }]);
});

test("a field set to undefined is removed", () => {
  assert.deepEqual(diff({ a: 1 }, { a: undefined }), [{ op: "remove", path: "/a" }]);
});
