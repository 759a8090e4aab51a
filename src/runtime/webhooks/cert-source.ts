/**
 * Which certificates the webhook server serves (`webhooks: { certs }`):
 * - none given: a CA made in memory at each start (the local loop, authority.ts);
 * - `{ secret }`: a CA and serving certificate kept in a Secret shared by every replica and
 *   rotated by whichever replica finds it due first (secret-store.ts);
 * - `{ dir }`: tls.crt, tls.key and ca.crt from a directory that something else keeps
 *   current, such as cert-manager through a Secret volume (cert-files.ts).
 */
import type { KubeClient } from "../../client/client.js";
import type { Logger } from "../log.js";
import { CertAuthority, type CertSource } from "./authority.js";
import { FileCertSource } from "./cert-files.js";
import { SecretCertStore } from "./secret-store.js";
import type { WebhookServeOptions } from "./options.js";

export function certSource(o: WebhookServeOptions, client: KubeClient, log: Logger): CertSource {
  const host = o.host ?? "127.0.0.1";
  const names = {
    name: o.register?.name ?? o.inject?.name ?? "capstan",
    ips: [host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host],
    dns: ["localhost", ...(o.dns ?? [])],
    policy: o.policy,
    now: o.now,
  };
  const c = o.certs;
  if (!c) return new CertAuthority(names);
  if ("secret" in c)
    return new SecretCertStore({
      ...names,
      client,
      log,
      namespace: c.secret.namespace,
      secret: c.secret.name,
    });
  return new FileCertSource({ dir: c.dir, pollMs: c.pollMs, log, now: o.now });
}
