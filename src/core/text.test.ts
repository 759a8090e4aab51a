import assert from "node:assert/strict";
import { test } from "node:test";
import { truncateUtf8, utf8Length } from "./text.js";

test("truncateUtf8 keeps text that fits unchanged", () => {
  assert.equal(truncateUtf8("日本語", 9), "日本語");
});

test("truncateUtf8 never exceeds the byte limit, whatever the mix of 1- to 4-byte characters", () => {
  const text = "aé日😀".repeat(300);
  for (let max = 4; max < 60; max++) {
    assert.ok(utf8Length(truncateUtf8(text, max)) <= max, `max ${max}`);
  }
});

test("truncateUtf8 never splits a surrogate pair or a multibyte character", () => {
  const text = "😀".repeat(100);
  for (let max = 4; max < 40; max++) {
    const out = truncateUtf8(text, max, "");
    assert.equal(Buffer.from(out, "utf8").toString("utf8"), out);
    assert.ok(!/[\uD800-\uDFFF]/u.test(out), `lone surrogate at max ${max}`);
  }
});

test("truncateUtf8 appends the ellipsis only when it cuts", () => {
  assert.equal(truncateUtf8("日日日", 7), "日…");
});
