// Moving an operator from the local loop into the cluster, on the same cluster. `capstan dev`
// and `--local-webhooks` point a converted CRD at https://127.0.0.1:<port>; the generated
// base points it at the operator's Service. Applied over the first, the base adds `service`
// beside the `url` another field manager owns, and the API server refuses the two together
// ("exactly one of url or service is required"). `deploy --local` therefore swaps a loopback
// URL for the base's Service before it applies, in one JSON patch guarded by a `test` of the
// URL it read. Any other address (not loopback: someone else's) is left as it is.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { KubeClient } from "../client/client.js";

const CRD = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" } as const;
const CLIENT_CONFIG = "/spec/conversion/webhook/clientConfig";

interface ClientConfig {
  url?: string;
  service?: Record<string, unknown>;
}
interface CrdLike {
  kind?: string;
  metadata?: { name?: string };
  spec?: { conversion?: { webhook?: { clientConfig?: ClientConfig } } };
}

/** A URL only the local loop writes: https to a loopback address. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === "https:" && ["127.0.0.1", "localhost", "[::1]"].includes(hostname);
  } catch {
    return false;
  }
}

/** The CRDs in a generated base's `crds.yaml` whose conversions go to a Service. */
export function serviceConvertedCrds(crdsYaml: string): CrdLike[] {
  return parseAllDocuments(readFileSync(crdsYaml, "utf8"))
    .map((d) => d.toJS() as CrdLike | null)
    .filter(
      (o): o is CrdLike =>
        o?.kind === "CustomResourceDefinition" &&
        !!o.metadata?.name &&
        !!o.spec?.conversion?.webhook?.clientConfig?.service,
    );
}

/**
 * For each CRD of the base that sends conversions to a Service, replace a loopback `url` in
 * the cluster's copy with that Service. Returns the names of the CRDs it changed.
 */
export async function replaceLoopbackConversionUrls(
  client: KubeClient,
  crds: CrdLike[],
): Promise<string[]> {
  const changed: string[] = [];
  for (const crd of crds) {
    const name = crd.metadata!.name!;
    const live = (await client.get({ ...CRD, name }).catch((e: unknown) => {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    })) as CrdLike | undefined;
    const url = live?.spec?.conversion?.webhook?.clientConfig?.url;
    if (!url || !isLoopbackUrl(url)) continue;
    await client.patch(
      { ...CRD, name },
      [
        { op: "test", path: `${CLIENT_CONFIG}/url`, value: url },
        { op: "remove", path: `${CLIENT_CONFIG}/url` },
        {
          op: "add",
          path: `${CLIENT_CONFIG}/service`,
          value: crd.spec!.conversion!.webhook!.clientConfig!.service,
        },
      ],
      { type: "json" },
    );
    changed.push(name);
  }
  return changed;
}
