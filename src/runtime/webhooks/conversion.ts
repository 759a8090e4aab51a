/**
 * The conversion webhook of custom resources defined with converters (`defineResource({
 * versions, convert })`): answers ConversionReviews (apiextensions.k8s.io/v1) by converting
 * each object through the hub, and keeps each CRD's conversion `clientConfig` and `caBundle`
 * pointing at this server.
 *
 * Guarantees: a review converts every object or none — the first failure answers
 * `result.status: Failure` with the converter's message (the object, both versions, the
 * function or field), which the API server returns to the client whose read or write needed
 * it; the operator logs it and goes on. A CRD is patched only when it is the one the
 * definition describes (same group, kind and versions) and only when its conversion differs
 * (converged means no write).
 * Caveats: the CRD keeps pointing here after the operator stops, on purpose: reads and writes
 * at another version than the stored one fail until it is back, rather than convert wrongly.
 */
import type { KubeClient } from "../../client/client.js";
import { NotFoundError } from "../../client/errors.js";
import { conversionPath } from "../../core/crd/manifest.js";
import type { Logger } from "../log.js";

/** What the webhook needs of a `defineResource` result with converters. */
export interface ConvertibleResource {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  /** The CRD's name. */
  readonly name: string;
  readonly versionNames: readonly string[];
  readonly conversion: "None" | "Webhook";
  /** Convert an object of any version to version `to` (`Resource.convert`). */
  convert(obj: never, to: never): unknown;
}

/**
 * The API server converts a whole page of a list in one review, so a review may be far larger
 * than an AdmissionReview: 64 MiB holds a page of 500 objects of 128 KiB. A larger review is
 * refused (413) rather than held in memory; list such objects in smaller pages.
 */
export const MAX_CONVERSION_BODY = 64 * 1024 * 1024;

/** True for a `defineResource` result that has converters. */
export function isConvertible(x: unknown): x is ConvertibleResource {
  const r = x as Partial<ConvertibleResource> | null;
  return typeof r === "object" && r?.conversion === "Webhook" && typeof r.convert === "function";
}

/** A ConversionReview (apiextensions.k8s.io/v1): the API server's request, our response. */
export interface ConversionReview {
  apiVersion: string;
  kind: "ConversionReview";
  request?: { uid: string; desiredAPIVersion: string; objects: unknown[] };
  response?: {
    uid: string;
    convertedObjects: unknown[];
    result: { status: "Success" | "Failure"; message?: string };
  };
}

/** Answer one review: every object converted to `desiredAPIVersion`, or a Failure. */
export function convertReview(body: ConversionReview, r: ConvertibleResource): ConversionReview {
  const req = body.request;
  if (!req) throw new Error("a ConversionReview without a request");
  const answer = (response: Omit<NonNullable<ConversionReview["response"]>, "uid">) => ({
    apiVersion: body.apiVersion,
    kind: "ConversionReview" as const,
    response: { uid: req.uid, ...response },
  });
  const [group, version = ""] = req.desiredAPIVersion.split("/");
  try {
    if (group !== r.group)
      throw new Error(`${req.desiredAPIVersion} is not a version of ${r.kind} (${r.group})`);
    const convert = r.convert as (obj: unknown, to: string) => unknown;
    const convertedObjects = (req.objects ?? []).map((o) => convert(o, version));
    return answer({ convertedObjects, result: { status: "Success" } });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return answer({ convertedObjects: [], result: { status: "Failure", message } });
  }
}

/** The resources served, by the path their reviews are posted to. */
export function conversionRoutes(
  resources: readonly ConvertibleResource[],
): Map<string, ConvertibleResource> {
  return new Map(resources.map((r) => [conversionPath(r.group, r.plural), r]));
}

const CRD = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" } as const;

interface ClusterCrd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string }[];
    conversion?: {
      strategy?: string;
      webhook?: { clientConfig?: { url?: string; caBundle?: string; service?: unknown } };
    };
  };
}

/**
 * Point each resource's CRD at this server: `url` is the server's base URL (the local loop);
 * without it, only the `caBundle` is set and the CRD's Service stays (in a cluster).
 */
export async function registerConversions(
  client: KubeClient,
  log: Logger,
  resources: readonly ConvertibleResource[],
  o: { url?: string; caBundle: string },
): Promise<void> {
  const caBundle = Buffer.from(o.caBundle).toString("base64");
  for (const r of resources) {
    let crd: ClusterCrd;
    try {
      crd = await client.get<typeof CRD & { name: string }, ClusterCrd>({ ...CRD, name: r.name });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      log.warn(
        { crd: r.name },
        "conversion webhook: the CRD is not installed; nothing to point here",
      );
      continue;
    }
    const mismatch = describes(crd, r);
    if (mismatch) {
      log.error(
        { crd: r.name },
        `conversion webhook: not patching CustomResourceDefinition ${r.name}: ${mismatch}`,
      );
      continue;
    }
    const path = conversionPath(r.group, r.plural);
    const current = crd.spec.conversion?.webhook?.clientConfig ?? {};
    const url = o.url ? `${o.url}${path}` : undefined;
    if (
      crd.spec.conversion?.strategy === "Webhook" &&
      current.caBundle === caBundle &&
      (!url || (current.url === url && !current.service))
    )
      continue;
    const clientConfig = url ? { url, caBundle, service: null } : { caBundle };
    await client.patch(
      { ...CRD, name: r.name },
      {
        spec: {
          conversion: {
            strategy: "Webhook",
            webhook: { conversionReviewVersions: ["v1"], clientConfig },
          },
        },
      },
    );
    log.info({ crd: r.name, url }, "conversion webhook registered on the CRD");
  }
}

/** Why the cluster's CRD is not the one the definition describes, or undefined when it is. */
function describes(crd: ClusterCrd, r: ConvertibleResource): string | undefined {
  if (crd.spec.group !== r.group || crd.spec.names.kind !== r.kind)
    return `it is ${crd.spec.names.kind} in ${crd.spec.group}, the definition ${r.kind} in ${r.group}`;
  const theirs = crd.spec.versions.map((v) => v.name).sort();
  const ours = [...r.versionNames].sort();
  if (theirs.join() !== ours.join())
    return `its versions are ${theirs.join(", ")}, the definition's ${ours.join(", ")} (install the CRD from this definition first)`;
  return undefined;
}
