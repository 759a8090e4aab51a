/**
 * `capstan run`'s flags for serving admission webhooks in a cluster (what the Deployment of
 * `generate deploy` passes): every replica listens on `--webhook-port` on all interfaces,
 * behind the Service `--webhook-service`, with certificates from the Secret
 * `--webhook-secret` (shared by replicas, rotated by them) or from the files in
 * `--webhook-cert-dir` (cert-manager), and keeps `caBundle` current in the configurations
 * named `--webhook-configuration`.
 */
import type { Command } from "commander";
import { withConversionClient, type CustomResourceDefinition } from "../core/crd/index.js";
import type { WebhookServeOptions } from "../runtime/webhooks/options.js";

export interface ClusterWebhookFlags {
  webhookPort?: number;
  webhookService?: string;
  webhookSecret?: string;
  webhookCertDir?: string;
  webhookConfiguration?: string;
}

/** The webhook server's options from the flags, or undefined when no port is given. */
export function clusterWebhooks(
  o: ClusterWebhookFlags,
  namespace: string,
): WebhookServeOptions | undefined {
  if (o.webhookPort === undefined) return undefined;
  if (!o.webhookCertDir && !o.webhookSecret)
    throw new Error("--webhook-port needs --webhook-secret <name> or --webhook-cert-dir <dir>");
  if (o.webhookCertDir && o.webhookSecret)
    throw new Error("--webhook-secret and --webhook-cert-dir: choose one");
  const svc = o.webhookService;
  return {
    host: "0.0.0.0",
    port: o.webhookPort,
    // What the API server asks for when it calls the Service.
    dns: svc ? [`${svc}.${namespace}.svc`, `${svc}.${namespace}.svc.cluster.local`] : [],
    certs: o.webhookCertDir
      ? { dir: o.webhookCertDir }
      : { secret: { namespace, name: o.webhookSecret! } },
    inject: o.webhookConfiguration ? { name: o.webhookConfiguration } : undefined,
  };
}

/**
 * The CRD manifest `--install-crds` applies: with `--webhook-service`, a conversion webhook
 * goes to that Service (as `generate deploy` writes it), so installing never puts back the
 * definition's placeholder address; the operator then keeps only its `caBundle` current.
 */
export function crdToInstall(
  crd: CustomResourceDefinition,
  o: ClusterWebhookFlags,
  namespace: string,
): CustomResourceDefinition {
  if (o.webhookPort === undefined || !o.webhookService) return crd;
  return withConversionClient(crd, { service: { namespace, name: o.webhookService, port: 443 } });
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`--webhook-port: not a port: ${JSON.stringify(v)}`);
  return n;
}

export function registerClusterWebhookFlags(cmd: Command): Command {
  return cmd
    .option("--webhook-port <port>", "serve admission webhooks on this port, all interfaces", port)
    .option("--webhook-service <name>", "the Service in front of them (the certificate's names)")
    .option(
      "--webhook-secret <name>",
      "keep the webhook CA and certificate in this Secret of $POD_NAMESPACE, shared by replicas",
    )
    .option(
      "--webhook-cert-dir <dir>",
      "serve tls.crt/tls.key (and ca.crt) from this directory instead, reloaded on change",
    )
    .option(
      "--webhook-configuration <name>",
      "keep caBundle current in the webhook configurations of this name",
    );
}
