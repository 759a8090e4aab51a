// The keep-alive TLS connection pool against a local TLS server that speaks raw HTTP/1.1
// bytes scripted by each test. This is a protocol test of the transport (reuse, limits,
// closes, resets, cancellation, unref, TLS failure), not a fake Kubernetes API server: the
// client's behaviour against the real API server is tested on the test run's control plane.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, before } from "node:test";
import tls from "node:tls";
import {
  answer,
  certs,
  children,
  cleanup,
  get,
  io,
  makeCerts,
  poolFor,
  serve,
  text,
  until,
} from "./pool.testkit.js";

before(makeCerts);
afterEach(cleanup);

io("sequential requests reuse one connection", async () => {
  const s = await serve();
  const pool = poolFor(s.port);
  const bodies = [await text(pool, s.port), await text(pool, s.port), await text(pool, s.port)];
  assert.deepEqual([bodies, s.accepted, pool.size], [["conn 1", "conn 1", "conn 1"], 1, 1]);
});

io("concurrent requests with maxSockets 2 open two connections and all complete", async () => {
  const s = await serve();
  const pool = poolFor(s.port, { maxSockets: 2 });
  const bodies = await Promise.all(Array.from({ length: 7 }, () => text(pool, s.port)));
  assert.deepEqual(new Set(bodies), new Set(["conn 1", "conn 2"]));
  assert.deepEqual([bodies.length, s.accepted, pool.size], [7, 2, 2]);
});

io("a connection whose response said Connection: close is not reused", async () => {
  const s = await serve((socket, n, conn) =>
    socket.write(answer(`conn ${conn}`, n === 1 ? "Connection: close\r\n" : "")),
  );
  const pool = poolFor(s.port);
  const bodies = [await text(pool, s.port), await text(pool, s.port)];
  assert.deepEqual([bodies, s.accepted], [["conn 1", "conn 2"], 2]);
});

io("after the server closes an idle connection the next request opens a new one", async () => {
  const s = await serve();
  const pool = poolFor(s.port);
  assert.equal(await text(pool, s.port), "conn 1");
  const first = s.sockets[0]!;
  first.end();
  await once(first, "close");
  await until(() => pool.size === 0, "pool noticing the close");
  assert.equal(await text(pool, s.port), "conn 2");
});

io(
  "a reused connection the server destroys on receiving the request rejects with ECONNRESET",
  async () => {
    const s = await serve((socket, n, conn) => {
      if (n === 1) socket.write(answer(`conn ${conn}`));
      else socket.destroy();
    });
    const pool = poolFor(s.port);
    assert.equal(await text(pool, s.port), "conn 1");
    await assert.rejects(get(pool, s.port), { code: "ECONNRESET" });
    assert.equal(s.accepted, 1);
  },
);

io("a server that sends half a Content-Length body then closes is a ProtocolError", async () => {
  // On a reused connection: a started response is never mistaken for a retryable reset.
  const s = await serve((socket, n, conn) => {
    if (n === 1) return void socket.write(answer(`conn ${conn}`));
    socket.end("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
  });
  const pool = poolFor(s.port);
  assert.equal(await text(pool, s.port), "conn 1");
  await assert.rejects(get(pool, s.port), { name: "ProtocolError", code: "EPROTO" });
});

io("an idle pooled connection does not keep the process alive", async () => {
  const s = await serve();
  // A child process does one request and neither closes the pool nor exits: the idle
  // connection (still open, pool.size 1) must not keep it running.
  const script = `
    import tls from "node:tls";
    const { Pool } = await import(process.env.POOL);
    const { requestHead } = await import(process.env.REQUEST);
    const port = Number(process.env.PORT);
    const secureContext = tls.createSecureContext({ ca: process.env.CA });
    const pool = new Pool({ host: "127.0.0.1", port, secureContext, rejectUnauthorized: true, maxSockets: 1 });
    const r = await pool.request(requestHead("GET", "/", "127.0.0.1:" + port, {}), undefined);
    console.log(r.status, pool.size);`;
  const env = {
    ...process.env,
    POOL: new URL("./pool.js", import.meta.url).href,
    REQUEST: new URL("./request.js", import.meta.url).href,
    PORT: String(s.port),
    CA: certs.caPem,
  };
  const args = ["--input-type=module", "-e", script];
  const child = spawn(process.execPath, args, { env, timeout: 10_000 });
  children.push(child);
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  assert.deepEqual({ code, signal, out }, { code: 0, signal: null, out: "200 1\n" });
});

io("a server certificate the pool's CA did not sign rejects with the TLS error", async () => {
  const s = await serve();
  const pool = poolFor(s.port, {
    secureContext: tls.createSecureContext({ ca: certs.otherCaPem }),
  });
  await assert.rejects(get(pool, s.port), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  assert.equal(s.accepted, 0);
});
