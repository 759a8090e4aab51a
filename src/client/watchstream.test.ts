// One watch stream decodes its events exactly however the network splits the bytes
// (pure, no cluster): a multibyte character cut between two chunks stays one character.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { watchStream, type WatchEvent, type WatchState } from "./watch.js";

type CM = { metadata: { name: string; resourceVersion: string }; data: Record<string, string> };

const events: WatchEvent<CM>[] = [
  { type: "ADDED", object: { metadata: { name: "a", resourceVersion: "1" }, data: { t: "é" } } },
  {
    type: "MODIFIED",
    object: { metadata: { name: "a", resourceVersion: "2" }, data: { t: "日本" } },
  },
  { type: "ADDED", object: { metadata: { name: "b", resourceVersion: "3" }, data: { t: "x😀y" } } },
];
const bytes = Buffer.from(events.map((e) => JSON.stringify(e) + "\n").join(""));

async function decode(chunks: Buffer[]): Promise<WatchEvent<CM>[]> {
  const state: WatchState = { resourceVersion: undefined, initialEventsEnded: false };
  const out: WatchEvent<CM>[] = [];
  const stream = watchStream<CM>(
    Readable.from(chunks),
    { verb: "watch", object: "x" },
    state,
    5000,
  );
  for await (const ev of stream) out.push(ev);
  return out;
}

test("events whose 2-, 3- and 4-byte characters are cut at every byte offset decode exactly", async () => {
  for (let cut = 1; cut < bytes.length; cut++) {
    const got = await decode([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(got, events, `cut at byte ${cut}`);
  }
});

test("events arriving one byte per chunk decode exactly", async () => {
  const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  assert.deepEqual(await decode(chunks), events);
});
