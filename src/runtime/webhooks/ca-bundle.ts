/**
 * Keeps `caBundle` current in webhook configurations made by someone else (the manifests of
 * `capstan generate deploy`, applied by kubectl or `capstan deploy`): each replica, when its
 * certificates change, reads the configurations it was named and writes the bundle into
 * every webhook that lacks it. The generated manifests leave `caBundle` out, so applying
 * them again never takes the bundle away.
 *
 * Needs only get and update on those configurations by name (generate deploy's RBAC).
 * A configuration that does not exist is skipped (an operator with validate handlers only
 * has no MutatingWebhookConfiguration); an update conflict (another replica) is retried.
 */
import type { KubeClient } from "../../client/client.js";
import { ApiError } from "../../client/errors.js";

const KINDS = ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"] as const;

interface Configuration {
  metadata: { name: string; resourceVersion?: string };
  webhooks?: { clientConfig: { caBundle?: string } }[];
}

/** `c` with `caBundle` (base64) in every webhook, or undefined when it already has it. */
export function withBundle<C extends Configuration>(c: C, caBundle: string): C | undefined {
  const webhooks = c.webhooks ?? [];
  if (webhooks.every((w) => w.clientConfig.caBundle === caBundle)) return undefined;
  return {
    ...c,
    webhooks: webhooks.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle } })),
  };
}

/** Write `pem` (every trusted CA) as the `caBundle` of the configurations named `name`. */
export async function injectCaBundle(client: KubeClient, name: string, pem: string): Promise<void> {
  if (!pem) return; // certificate files without ca.crt: something else sets it
  const caBundle = Buffer.from(pem).toString("base64");
  for (const kind of KINDS) {
    const ref = { apiVersion: "admissionregistration.k8s.io/v1", kind, name } as const;
    for (let attempt = 1; ; attempt++) {
      let found: Configuration;
      try {
        found = await client.get<typeof ref, Configuration>(ref);
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) break;
        throw e;
      }
      const updated = withBundle(found, caBundle);
      if (!updated) break;
      try {
        await client.replace({ ...ref, ...updated });
        break;
      } catch (e) {
        if (attempt < 5 && e instanceof ApiError && e.code === 409) continue;
        throw e;
      }
    }
  }
}
