/**
 * A loopback TCP proxy in front of the API server that a test controls: `cut()` drops every
 * connection (a network failure), `pause()` keeps connections open but stops forwarding (a
 * silently stalled stream), `resume()` forwards again. `kubeconfig` is a copy of the
 * original pointing at the proxy, so a client under test goes through it.
 */
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";

export interface ApiProxy {
  kubeconfig: string;
  port: number;
  cut(): void;
  pause(): void;
  resume(): void;
  /** Open client connections right now. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startApiProxy(kubeconfigPath: string): Promise<ApiProxy> {
  const kc = parse(readFileSync(kubeconfigPath, "utf8"));
  const target = new URL(kc.clusters[0].cluster.server);
  const pairs = new Set<{ a: net.Socket; b: net.Socket }>();
  let paused = false;
  const server = net.createServer((a) => {
    const b = net.connect(Number(target.port), target.hostname);
    const pair = { a, b };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on("data", (chunk: Buffer) => {
        if (!paused) to.write(chunk);
      });
    forward(a, b);
    forward(b, a);
    const close = () => {
      a.destroy();
      b.destroy();
      pairs.delete(pair);
    };
    a.on("error", close).on("close", close);
    b.on("error", close).on("close", close);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  kc.clusters[0].cluster.server = `https://127.0.0.1:${port}`;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "capstan-proxy-")), "kubeconfig");
  writeFileSync(file, stringify(kc), { mode: 0o600 });
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
    },
    resume() {
      paused = false;
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
