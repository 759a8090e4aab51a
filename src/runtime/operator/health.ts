/**
 * The operator's HTTP endpoint for kubelet probes and Prometheus:
 *
 * - `/healthz` (liveness): 200 unless a watch has stalled (synced, then no list, event or
 *   bookmark for `stallAfterMs` — the API server sends a bookmark about every minute, so a
 *   live watch is never silent that long) or a reconcile has run longer than `stuckAfterMs`.
 *   A failing check names the informer or the object, so `kubectl describe pod` says why.
 * - `/readyz` (readiness): 200 once every controller's caches have synced — standbys of a
 *   leader election too, since their caches are warm and they can take over at once. Until
 *   then 503 with the reason (`waiting for the API server …`, `waiting for CRD …`,
 *   `caches not synced yet: controller c: waiting for the cache of Widget (<last list error>)
 *   to sync`).
 *   The operator's probes (`op.probe`, activities.ts) run on each request: their values are
 *   listed as `[+] probe <id>: <value>` lines, and one that fails fails the check, named.
 * - `/metrics`: the operator's registry in Prometheus text format.
 *
 * The operator serves these from its first second, before it waits for the API server or
 * its CRDs: a process that is waiting is alive, just not ready.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ProbeResult } from "./activities.js";
import type { OperatorMetrics } from "./metrics.js";

/** What the health endpoint asks: problems (for /healthz) and why not ready (for /readyz). */
export interface HealthSource {
  /** Problems that make the process unhealthy (empty: healthy). */
  problems(now: number): string[];
  /** Undefined once ready (every cache synced); otherwise why not, for /readyz. */
  notReady(): string | undefined;
  /** The operator's probes (`op.probe`), run on each GET /healthz. */
  probes?(): Promise<ProbeResult[]>;
}

/** A running health endpoint: its port, and `close()`. */
export interface HealthServer {
  port: number;
  /** Stop serving. */
  close(): Promise<void>;
}

/** /healthz: the runtime's problems and failing probes as `[-]` lines, passing probes as `[+]`. */
async function liveness(source: HealthSource): Promise<[number, string]> {
  const failed = source.problems(Date.now()).map((p) => `[-] ${p}\n`);
  const passed: string[] = [];
  for (const p of (await source.probes?.()) ?? [])
    (p.ok ? passed : failed).push(`[${p.ok ? "+" : "-"}] probe ${p.id}: ${p.detail}\n`);
  return failed.length
    ? [503, [...failed, ...passed].join("") + "healthz check failed\n"]
    : [200, passed.join("") + "ok\n"];
}

/** Serve /healthz, /readyz and /metrics on `port` (0: a free one). */
export async function serveHealth(opts: {
  port: number;
  host?: string;
  source: HealthSource;
  metrics?: OperatorMetrics;
}): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const send = (code: number, body: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
    switch (url.pathname) {
      case "/healthz":
      case "/livez":
        liveness(opts.source).then(
          ([code, body]) => send(code, body),
          (e: unknown) => send(500, `${e instanceof Error ? e.message : String(e)}\n`),
        );
        return;
      case "/readyz": {
        const why = opts.source.notReady();
        return why === undefined ? send(200, "ok\n") : send(503, `${why}\n`);
      }
      case "/metrics":
        if (!opts.metrics) return send(404, "metrics are off\n");
        opts.metrics.text().then(
          (text) => send(200, text, opts.metrics!.registry.contentType),
          (e: unknown) => send(500, `${e instanceof Error ? e.message : String(e)}\n`),
        );
        return;
      default:
        return send(404, "not found: try /healthz, /readyz or /metrics\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
