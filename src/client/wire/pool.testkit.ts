// Shared by the pool's tests (not shipped: *.testkit.* is left out of the package): a local
// TLS server on 127.0.0.1 that speaks raw HTTP/1.1 bytes scripted by each test, its
// certificates, and pools that the cleanup closes. A protocol harness for the transport, not
// a fake Kubernetes API server.
import "reflect-metadata";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { webcrypto } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import tls from "node:tls";
import * as x509 from "@peculiar/x509";
import type { Cancel } from "../send.js";
import { Pool, type PoolOptions } from "./pool.js";
import { requestHead } from "./request.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** A self-signed CA, or a serving certificate for 127.0.0.1 signed by `ca`. */
async function issue(
  name: string,
  ca?: { cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair },
) {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign"])) as webcrypto.CryptoKeyPair;
  const valid = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3e6) };
  const cert = ca
    ? await x509.X509CertificateGenerator.create({
        ...valid,
        serialNumber: "02",
        subject: `CN=${name}`,
        issuer: ca.cert.subject,
        signingAlgorithm: ALG,
        publicKey: keys.publicKey,
        signingKey: ca.keys.privateKey,
        extensions: [
          new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }]),
        ],
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        ...valid,
        serialNumber: "01",
        name: `CN=${name}`,
        signingAlgorithm: ALG,
        keys,
        extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
      });
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = x509.PemConverter.encode(der, "PRIVATE KEY");
  return { cert, keys, pem: cert.toString("pem"), keyPem };
}

export const certs = { caPem: "", otherCaPem: "" };
let serving = { key: "", cert: "" };
/** Make the CAs and the serving certificate: call in the test file's `before`. */
export async function makeCerts(): Promise<void> {
  // Two CAs of different names: with one name, OpenSSL would try the other CA's key.
  const ca = await issue("pool test CA");
  const leaf = await issue("127.0.0.1", ca);
  certs.caPem = ca.pem;
  certs.otherCaPem = (await issue("another CA")).pem;
  serving = { key: leaf.keyPem, cert: leaf.pem };
}

const servers: tls.Server[] = [];
const serverSockets: tls.TLSSocket[] = [];
const pools: Pool[] = [];
export const children: ChildProcess[] = [];
/** Close every pool, child, socket and server a test started: call in `afterEach`. */
export async function cleanup(): Promise<void> {
  for (const p of pools.splice(0)) p.close();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill();
  for (const s of serverSockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
}

/** Called for each request head the server reads: `n` counts requests, `conn` connections. */
export type Handler = (socket: tls.TLSSocket, n: number, conn: number) => void;

export const answer = (body: string, headers = "") =>
  `HTTP/1.1 200 OK\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
/** The default: say which connection served the request. */
export const byConnection: Handler = (socket, _n, conn) => socket.write(answer(`conn ${conn}`));

export async function serve(handler: Handler = byConnection) {
  const s = { port: 0, accepted: 0, sockets: [] as tls.TLSSocket[] };
  let n = 0;
  const server = tls.createServer(serving, (socket) => {
    const conn = ++s.accepted;
    s.sockets.push(socket);
    serverSockets.push(socket);
    let pending = "";
    socket.on("data", (c: Buffer) => {
      pending += c.toString("latin1");
      for (let end; (end = pending.indexOf("\r\n\r\n")) >= 0;) {
        pending = pending.slice(end + 4); // GETs only: no body follows a head
        handler(socket, ++n, conn);
      }
    });
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  s.port = (server.address() as AddressInfo).port;
  return s;
}

const client = { rejectUnauthorized: true, maxSockets: 4 };
export function poolFor(port: number, o: Partial<PoolOptions> = {}): Pool {
  const secureContext = tls.createSecureContext({ ca: certs.caPem });
  const pool = new Pool({ host: "127.0.0.1", port, secureContext, ...client, ...o });
  pools.push(pool);
  return pool;
}

export const get = (pool: Pool, port: number, cancel?: Cancel) =>
  pool.request(requestHead("GET", "/", `127.0.0.1:${port}`, {}), undefined, cancel);
export const text = async (pool: Pool, port: number) => (await get(pool, port)).body.toString();

/** Wait for `cond` on the event loop's turns (I/O runs between them), failing after 5 s. */
export async function until(cond: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; !cond();) {
    if (Date.now() > deadline) assert.fail(`no ${what} within 5 s`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A test that fails in 20 s rather than hang the run when a close or answer never comes. */
export const io = (name: string, fn: () => Promise<void>) => test(name, { timeout: 20_000 }, fn);
