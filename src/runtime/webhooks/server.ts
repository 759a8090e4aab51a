/**
 * The admission webhook server: HTTPS with certificates from a CertSource (its own CA in
 * memory, a Secret shared by replicas, or files: cert-source.ts), one path
 * per kind and mode, and — for the local loop (`capstan dev`, `runOperator`) — the
 * Validating/MutatingWebhookConfigurations registered against the cluster with
 * `url: https://127.0.0.1:PORT/…` and the CA as `caBundle`: no tunnel, no cert-manager.
 *
 * Guarantees: a rotated serving certificate is used for new connections at once
 * (`setSecureContext`), and a new CA is in the registered `caBundle` before any certificate it
 * signs is served (rotation.ts). `close()` removes the configurations before the server stops,
 * so a stopped operator leaves nothing behind that could block writes; a configuration of the
 * same name that is not this operator's is never changed nor removed (registration.ts).
 */
import { X509Certificate } from "node:crypto";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { KubeClient } from "../../client/client.js";
import type { Logger } from "../log.js";
import type { Admission } from "./admission.js";
import type { CertSource, ServingCerts } from "./authority.js";
import { injectCaBundle } from "./ca-bundle.js";
import { certSource } from "./cert-source.js";
import { configurations, webhookPath, type Target } from "./configuration.js";
import { Registration } from "./registration.js";
import {
  conversionRoutes,
  convertReview,
  MAX_CONVERSION_BODY,
  registerConversions,
  type ConversionReview,
  type ConvertibleResource,
} from "./conversion.js";
import { review, type AdmissionReview } from "./review.js";
import type { WebhookServeOptions } from "./options.js";

const MAX_BODY = 8 * 1024 * 1024; // an object and its old version, each up to etcd's 1.5 MiB, as JSON

/** The HTTPS server of an operator's admission handlers, with certificates it rotates itself. */
export class WebhookServer {
  private timer?: NodeJS.Timeout;
  private readonly registration: Registration;
  /** The certificates last registered and served. */
  private published?: ServingCerts;

  private constructor(
    private readonly server: https.Server,
    private readonly authority: CertSource,
    private readonly targets: Target[],
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly opts: WebhookServeOptions,
    private readonly conversions: readonly ConvertibleResource[],
  ) {
    const r = opts.register;
    this.registration = new Registration(client, log, r?.owner ?? r?.name ?? "");
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * Serve `admissions` and, when asked, register their configurations with the cluster;
   * serve the `conversions` and point their CRDs here (conversion.ts).
   */
  static async start(
    admissions: Admission<unknown>[],
    client: KubeClient,
    log: Logger,
    opts: WebhookServeOptions,
    conversions: readonly ConvertibleResource[] = [],
  ): Promise<WebhookServer> {
    const host = opts.host ?? "127.0.0.1";
    const authority = certSource(opts, client, log);
    try {
      await authority.reconcile();
    } catch (e) {
      authority.close?.();
      throw e;
    }
    const targets: Target[] = await Promise.all(
      admissions.map(async (a) => ({
        admission: a,
        resource: (await client.locate({ apiVersion: a.kind.apiVersion, kind: a.kind.kind })).info
          .resource,
      })),
    );
    const routes = new Map<
      string,
      { admission: Admission<unknown>; mode: "validate" | "mutate" }
    >();
    for (const t of targets)
      for (const mode of ["validate", "mutate"] as const)
        routes.set(webhookPath(mode, t.admission.kind.apiVersion, t.resource), {
          admission: t.admission,
          mode,
        });
    const server = https.createServer(
      { cert: authority.current.cert, key: authority.current.key },
      (req, res) => void handle(req, res, routes, conversionRoutes(conversions), log),
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    const ws = new WebhookServer(server, authority, targets, client, log, opts, conversions);
    try {
      await ws.rotate(); // publishes the certificates and schedules the next look
      authority.watch?.(() =>
        ws
          .rotate()
          .catch((e: unknown) =>
            log.error({ err: e }, "webhook certificates changed but could not be taken up"),
          ),
      );
    } catch (e) {
      await ws.close();
      throw e;
    }
    log.info(
      { port: ws.port, kinds: targets.map((t) => t.resource) },
      "serving admission webhooks",
    );
    return ws;
  }

  /**
   * For an operator that has no admission handlers (any more): delete the configurations an
   * earlier, killed run of it registered under `register.name`, so they block nothing.
   */
  static async removeStale(
    client: KubeClient,
    log: Logger,
    register: NonNullable<WebhookServeOptions["register"]>,
  ): Promise<void> {
    await new Registration(client, log, register.owner ?? register.name).write(register.name, []);
  }

  /** Why /readyz should fail: the served certificate is expired (files not renewed). */
  certificateProblem(now = Date.now()): string | undefined {
    const { validTo } = new X509Certificate(this.authority.current.cert);
    return Date.parse(validTo) <= now
      ? `webhook server: its serving certificate expired at ${validTo}`
      : undefined;
  }

  /** Re-check the certificates now (the timer does it when something is due). */
  async rotate(): Promise<void> {
    clearTimeout(this.timer);
    const now = (this.opts.now ?? Date.now)();
    let next = now + 10_000; // after a failure: try again soon
    try {
      ({ next } = await this.authority.reconcile());
      const c = this.authority.current;
      const p = this.published;
      // Compared with what was served, not `changed`: a source that moved on while
      // publishing failed must still be published on the next try.
      if (!p || p.cert !== c.cert || p.key !== c.key || p.caBundle !== c.caBundle) {
        // Bundle first: a new CA must be trusted before a certificate it signs is served.
        await this.register();
        await this.registerConversions();
        if (this.opts.inject) await injectCaBundle(this.client, this.opts.inject.name, c.caBundle);
        this.server.setSecureContext({ cert: c.cert, key: c.key });
        this.published = c;
        if (p) this.log.info("webhook certificates rotated");
      }
    } finally {
      // setTimeout holds at most ~24.8 days; waking early only re-decides.
      const delay = Math.min(Math.max(next - now, 1000), 2 ** 31 - 1);
      this.timer = setTimeout(() => {
        this.rotate().catch((e: unknown) =>
          this.log.error({ err: e }, "webhook certificate rotation failed; retrying"),
        );
      }, delay);
      this.timer.unref();
    }
  }

  private async register(): Promise<void> {
    const r = this.opts.register;
    if (!r) return;
    const objs = configurations(this.targets, {
      name: r.name,
      client: { url: `https://127.0.0.1:${this.port}` },
      caBundle: this.authority.current.caBundle,
      exclude: r.exclude,
      only: r.only,
      owner: r.owner ?? r.name,
    });
    await this.registration.write(r.name, objs);
  }

  /**
   * Point the CRDs of the served conversions here (also done on start and rotation); the
   * operator calls it again once its start-up step has installed or found the CRDs.
   */
  async registerConversions(): Promise<void> {
    if (!this.conversions.length) return;
    await registerConversions(this.client, this.log, this.conversions, {
      url: this.opts.register ? `https://127.0.0.1:${this.port}` : undefined,
      caBundle: this.authority.current.caBundle,
    });
  }

  /** Remove the registered configurations, then stop serving. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.authority.close?.();
    await this.registration.remove();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Map<string, { admission: Admission<unknown>; mode: "validate" | "mutate" }>,
  conversions: Map<string, ConvertibleResource>,
  log: Logger,
): Promise<void> {
  const reply = (code: number, body: unknown) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const route = routes.get((req.url ?? "").split("?")[0]!);
  const convertible = conversions.get((req.url ?? "").split("?")[0]!);
  if (!route && !convertible) return reply(404, { message: `no webhook at ${req.url}` });
  if (req.method !== "POST") return reply(405, { message: "POST an AdmissionReview" });
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > (convertible ? MAX_CONVERSION_BODY : MAX_BODY))
        return reply(413, { message: "review too large" });
      chunks.push(c);
    }
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (convertible) {
      const answer = convertReview(body as ConversionReview, convertible);
      if (answer.response?.result.status === "Failure")
        log.warn({ path: req.url, reason: answer.response.result.message }, "conversion failed");
      return reply(200, answer);
    }
    reply(200, await review(body as AdmissionReview, route!.admission, route!.mode));
  } catch (e) {
    log.error({ err: e, path: req.url }, "admission webhook: bad request");
    reply(400, { message: e instanceof Error ? e.message : String(e) });
  }
}
