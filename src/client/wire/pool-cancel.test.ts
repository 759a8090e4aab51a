// Cancelling a pooled request (a timeout or an abort): whenever it comes — before the request,
// while it waits for a connection, or while the server has not answered — the caller gets
// the cancel's error at once, and nothing the caller gave up on reaches the server after it.
import assert from "node:assert/strict";
import { once } from "node:events";
import { afterEach, before } from "node:test";
import { Cancel } from "../send.js";
import { cleanup, get, io, makeCerts, poolFor, serve, text, until } from "./pool.testkit.js";

before(makeCerts);
afterEach(cleanup);

io("a cancelled request rejects with the cancel's error and its connection closes", async () => {
  let received!: () => void;
  const request = new Promise<void>((r) => (received = r));
  const s = await serve(() => received()); // never answers
  const pool = poolFor(s.port);
  const cancel = new Cancel();
  const answered = get(pool, s.port, cancel);
  await request;
  const closed = once(s.sockets[0]!, "close");
  const reason = new Error("given up");
  cancel.fire(reason);
  await assert.rejects(answered, (e) => e === reason);
  await closed;
  await until(() => pool.size === 0, "pool forgetting the connection");
});

io("a request cancelled before it is sent never reaches the server", async () => {
  let requests = 0;
  const s = await serve((socket, _n, conn) => {
    requests++;
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nconn ${conn}`);
  });
  const pool = poolFor(s.port);
  assert.equal(await text(pool, s.port), "conn 1");
  const cancel = new Cancel();
  const reason = new Error("given up");
  cancel.fire(reason);
  await assert.rejects(get(pool, s.port, cancel), (e) => e === reason);
  // The next request on the same connection is the server's second: the cancelled one never came.
  assert.equal(await text(pool, s.port), "conn 1");
  assert.equal(requests, 2);
});

io(
  "a request cancelled while it waits for a connection rejects at once and is never sent",
  async () => {
    let requests = 0;
    let answerFirst!: () => void;
    const s = await serve((socket, _n, conn) => {
      requests++;
      const reply = () => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nconn ${conn}`);
      if (requests === 1) answerFirst = reply;
      else reply();
    });
    const pool = poolFor(s.port, { maxSockets: 1 });
    const first = get(pool, s.port);
    await until(() => requests === 1, "the first request at the server");
    const cancel = new Cancel();
    const queued = get(pool, s.port, cancel);
    const reason = new Error("timed out in the queue");
    cancel.fire(reason);
    await assert.rejects(queued, (e) => e === reason);
    answerFirst();
    assert.equal((await first).body.toString(), "conn 1");
    assert.equal(await text(pool, s.port), "conn 1");
    assert.equal(requests, 2);
  },
);
