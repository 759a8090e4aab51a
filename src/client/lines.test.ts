// Text lines from byte streams (pure, no cluster): lines and multibyte characters cut
// anywhere by chunk boundaries come out whole.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LineSplitter, LineTail } from "./lines.js";

const text = "é first\n日本 second\n\nx😀y third\nunterminated 😀";
const bytes = Buffer.from(text);

function split(chunks: Buffer[]): string[] {
  const s = new LineSplitter();
  const lines = chunks.flatMap((c) => s.push(c));
  return [...lines, s.rest()];
}

test("lines whose characters are cut at every byte offset come out exactly", () => {
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(
      split([bytes.subarray(0, cut), bytes.subarray(cut)]),
      text.split("\n"),
      `cut at byte ${cut}`,
    );
  }
});

test("lines arriving one byte per chunk come out exactly", () => {
  const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  assert.deepEqual(split(chunks), text.split("\n"));
});

test("a tail keeps the last lines of two interleaved streams whole, the unterminated ones last", () => {
  const tail = new LineTail(3);
  const out = tail.sink();
  const err = tail.sink();
  const a = Buffer.from("o1\no2 😀\no3 é");
  const b = Buffer.from("e1 日\ne2");
  // Each stream is cut inside a character, and the other stream's bytes come in between.
  out(a.subarray(0, 7));
  err(b.subarray(0, 4));
  out(a.subarray(7));
  err(b.subarray(4));
  assert.deepEqual(tail.lines(), ["e1 日", "o3 é", "e2"]);
});
