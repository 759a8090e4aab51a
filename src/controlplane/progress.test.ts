// Build progress on a terminal is one updating line; in a log (CI, a pipe, a file) it is a few
// plain lines with no control characters. Pure: a fake stream and a fake clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { progressOn, toProgress } from "./progress.js";

function stream(isTTY: boolean, columns = 80) {
  const out = { text: "", isTTY, columns, write: (s: string) => (out.text += s) };
  return out;
}

test("on a terminal, each status line replaces the last one in place", () => {
  const out = stream(true);
  const p = progressOn(out);
  p.status("… 10/900 packages compiled, 15s elapsed");
  p.status("… 80/900 packages compiled, 30s elapsed");
  assert.equal(
    out.text,
    "\r\x1b[2K… 10/900 packages compiled, 15s elapsed" +
      "\r\x1b[2K… 80/900 packages compiled, 30s elapsed",
  );
});

test("on a terminal, a step clears the status line and stays as a line of its own", () => {
  const out = stream(true);
  const p = progressOn(out);
  p.status("… 80/900 packages compiled");
  out.text = "";
  p.step("Built the local control plane in 212s.");
  assert.equal(out.text, "\r\x1b[2KBuilt the local control plane in 212s.\n");
});

test("on a terminal, a status line wider than the terminal is cut to fit, so it never wraps", () => {
  const out = stream(true, 20);
  progressOn(out).status("… 80/900 packages compiled, 30s elapsed");
  assert.equal(out.text, "\r\x1b[2K… 80/900 packages …");
});

test("off a terminal, steps and status are plain lines, a status at most once a minute", () => {
  const out = stream(false);
  let now = 0;
  const p = progressOn(out, { now: () => now });
  p.step("Building the local control plane.");
  for (now = 15_000; now <= 180_000; now += 15_000) p.status(`… ${now / 1000}s elapsed`);
  p.step("Built the local control plane in 180s.");
  assert.deepEqual(out.text.split("\n"), [
    "Building the local control plane.",
    "… 60s elapsed",
    "… 120s elapsed",
    "… 180s elapsed",
    "Built the local control plane in 180s.",
    "",
  ]);
  assert.ok(!out.text.includes("\r") && !out.text.includes("\x1b"), JSON.stringify(out.text));
});

test("a caller's own callback receives every step and status line, as lines", () => {
  const lines: string[] = [];
  const p = toProgress((l) => lines.push(l));
  p.step("a");
  p.status("b");
  assert.deepEqual(lines, ["a", "b"]);
});
