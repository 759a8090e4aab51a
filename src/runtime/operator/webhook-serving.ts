/**
 * The webhooks a run serves — admission handlers and conversions (webhooks/ has the server)
 * — in two steps around the start-up step: before it, say when nothing will serve them and
 * remove a registration left by an earlier version; after it, start the server.
 *
 * Every replica serves webhooks (the Service sends to all), so their client is not fenced
 * by leader election: any replica may rotate the certificates (the Secret's
 * resourceVersion keeps one writer per change).
 */
import { KubeClient } from "../../client/client.js";
import type { Logger } from "../log.js";
import type { Admission } from "../webhooks/admission.js";
import type { ConvertibleResource } from "../webhooks/conversion.js";
import type { WebhookServeOptions } from "../webhooks/options.js";
import { WebhookServer } from "../webhooks/server.js";

/** What a run serves as webhooks, how (`options`, absent: not served), and with which client. */
export interface WebhookPlan {
  admissions: Admission<unknown>[];
  conversions: ConvertibleResource[];
  options: WebhookServeOptions | undefined;
  /** The operator's connection, unfenced, writing as the operator. */
  client: KubeClient;
  log: Logger;
}

/** A plan on an unfenced client of `client`'s connection, with `name` as the field manager. */
export function planWebhooks(
  served: { admissions: Admission<unknown>[]; conversions: ConvertibleResource[] },
  options: WebhookServeOptions | undefined,
  client: KubeClient,
  name: string,
  log: Logger,
): WebhookPlan {
  const unfenced = new KubeClient(client.conn, { fieldManager: name });
  return { ...served, options, client: unfenced, log };
}

/** Whether there is anything to serve. */
function anyToServe(p: WebhookPlan): boolean {
  return p.admissions.length > 0 || p.conversions.length > 0;
}

/**
 * Before the start-up step: warn when there are webhooks but no options to serve them;
 * with `register` and no admission handler, remove the configuration an earlier version
 * of the operator registered.
 */
export async function prepareWebhooks(p: WebhookPlan): Promise<void> {
  if (anyToServe(p) && !p.options)
    p.log.warn(
      {
        kinds: p.admissions.map((a) => a.kind.kind),
        conversions: p.conversions.map((r) => r.name),
      },
      "admission handlers are not served: against a local cluster use `capstan run --local-webhooks` (capstan dev does); in a cluster see docs/webhooks.md",
    );
  const register = p.options?.register;
  if (!p.admissions.length && register) await WebhookServer.removeStale(p.client, p.log, register);
}

/**
 * After the start-up step (the handlers' kinds must be served, their CRDs installed or
 * waited for, to be located; a CRD just installed by `--install-crds` carries the
 * manifest's placeholder conversion address): start the server, once it listens with its
 * certificate (/readyz says so meanwhile). Undefined when there is nothing to serve, or no options to serve it with.
 */
export async function startWebhooks(
  p: WebhookPlan,
  waiting: (reason: string | undefined) => void,
): Promise<WebhookServer | undefined> {
  if (!anyToServe(p) || !p.options) return undefined;
  waiting("webhook server: loading certificates");
  const server = await WebhookServer.start(p.admissions, p.client, p.log, p.options, p.conversions);
  waiting(undefined);
  return server;
}
