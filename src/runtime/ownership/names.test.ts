// childName / ownerLabelValue as pure logic: unique per owner, always valid, never a bare cut.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkNameAs } from "../../core/names.js";
import { PermanentError } from "../errors.js";
import { childName, ownerLabelValue } from "./names.js";

test("a name that fits stays readable: owner name, dash, suffix", () => {
  assert.equal(childName("app", "mysql"), "app-mysql");
});

test("two owner names that share their first 60 characters get different children", () => {
  const stem = "a".repeat(60);
  const a = childName(`${stem}-one`, "mysql");
  const b = childName(`${stem}-two`, "mysql");
  assert.notEqual(a, b);
  assert.ok(a.length <= 63 && b.length <= 63);
});

test("a cut that would end in '.' or '-' is still a valid DNS label", () => {
  const owner = `${"b".repeat(44)}.${"c".repeat(30)}`;
  const name = childName(owner, "pod");
  assert.deepEqual(checkNameAs(name, "dns1123-label"), []);
});

test("every owner name up to 253 characters gives a valid label child", () => {
  for (const len of [1, 62, 63, 64, 100, 253]) {
    const owner = "x".repeat(len - 1) + "9";
    assert.deepEqual(checkNameAs(childName(owner, "secret"), "dns1123-label"), [], `len ${len}`);
  }
});

test("a suffix that can never be valid is a PermanentError naming the field", () => {
  assert.throws(
    () => childName("app", "Bad_Suffix", { field: "spec.name" }),
    (e: unknown) =>
      e instanceof PermanentError &&
      e.reason === "InvalidName" &&
      /spec\.name "app"/.test(e.message) &&
      /DNS-1123 label/.test(e.message),
  );
});

test("an owner label value is the name when valid, a hash when over 63 characters", () => {
  assert.equal(ownerLabelValue("short"), "short");
  const long = "l".repeat(64);
  const v = ownerLabelValue(long);
  assert.ok(v.length <= 63 && v !== long.slice(0, 63));
  assert.notEqual(v, ownerLabelValue("l".repeat(65)));
});
