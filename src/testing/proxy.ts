/**
 * A loopback TCP proxy in front of the API server that a test controls: `cut()` drops every
 * connection (a network failure), `pause()` keeps connections open but stops forwarding (a
 * silently stalled stream), `resume()` forwards again. `kubeconfig` is a copy of the
 * original pointing at the proxy, so a client under test goes through it.
 *
 * A pause loses nothing: the proxy stops reading, so TCP holds the bytes back as a stalled
 * network would, and a resumed stream carries on intact (dropping them would corrupt the
 * TLS stream and hide what a resume is meant to show).
 *
 * For an API server that is not there yet: point a process at `unusedPort()` with
 * `kubeconfigWithServer`, then `startApiProxy(original, { port })` on that port later.
 */
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parse, stringify } from "yaml";
import { scratchDir } from "./scratch.js";

/** A proxy in front of the API server that a test controls. */
export interface ApiProxy {
  kubeconfig: string;
  port: number;
  /** Drop every connection, as a network failure would. */
  cut(): void;
  /** Stop forwarding while keeping connections open: a silently stalled stream. */
  pause(): void;
  /** Forward again; paused bytes carry on intact. */
  resume(): void;
  /** Bytes received and not yet forwarded (held back while paused). */
  readonly held: number;
  /** Open client connections right now. */
  readonly connections: number;
  /** Stop the proxy and close its connections. */
  close(): Promise<void>;
}

/** A copy of a kubeconfig whose (first) cluster's server is `server`, in a new temp dir. */
export function kubeconfigWithServer(kubeconfigPath: string, server: string): string {
  const kc = parse(readFileSync(kubeconfigPath, "utf8"));
  kc.clusters[0].cluster.server = server;
  const file = path.join(scratchDir("capstan-proxy-"), "kubeconfig");
  writeFileSync(file, stringify(kc), { mode: 0o600 });
  return file;
}

/**
 * A loopback port nothing listens on (connections are refused) until someone binds it.
 * Caveat: another process could take it in between; the kernel hands ports out at random,
 * so in practice it stays free for the few seconds a test needs.
 */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Start a loopback proxy in front of the kubeconfig's API server (on `port`, or a free one). */
export async function startApiProxy(
  kubeconfigPath: string,
  opts: { port?: number } = {},
): Promise<ApiProxy> {
  const kc = parse(readFileSync(kubeconfigPath, "utf8"));
  const target = new URL(kc.clusters[0].cluster.server);
  const pairs = new Set<{ a: net.Socket; b: net.Socket }>();
  let paused = false;
  const server = net.createServer((a) => {
    const b = net.connect(Number(target.port), target.hostname);
    const pair = { a, b };
    pairs.add(pair);
    // Forward with backpressure: read from one side only while the other keeps up and the
    // proxy is not paused.
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on("data", (chunk: Buffer) => {
        if (!to.write(chunk)) from.pause();
      });
      to.on("drain", () => {
        if (!paused) from.resume();
      });
    };
    forward(a, b);
    forward(b, a);
    if (paused) {
      a.pause();
      b.pause();
    }
    const close = () => {
      a.destroy();
      b.destroy();
      pairs.delete(pair);
    };
    a.on("error", close).on("close", close);
    b.on("error", close).on("close", close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject); // the port is taken
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  const file = kubeconfigWithServer(kubeconfigPath, `https://127.0.0.1:${port}`);
  const cut = () => {
    for (const p of [...pairs]) {
      p.a.destroy();
      p.b.destroy();
    }
    pairs.clear();
  };
  return {
    kubeconfig: file,
    port,
    cut,
    pause() {
      paused = true;
      for (const p of pairs) {
        p.a.pause();
        p.b.pause();
      }
    },
    resume() {
      paused = false;
      for (const p of pairs) {
        p.a.resume();
        p.b.resume();
      }
    },
    get held() {
      let n = 0;
      for (const p of pairs) n += p.a.readableLength + p.b.readableLength;
      return n;
    },
    get connections() {
      return pairs.size;
    },
    close() {
      cut();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
