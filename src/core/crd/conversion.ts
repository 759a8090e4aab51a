/**
 * Conversion between the versions of one custom resource, hub and spoke: the storage version
 * is the hub, and each other version (a spoke) has a `toHub` and a `fromHub`. Any version
 * reaches any other through the hub, so n versions need 2(n-1) functions, not n².
 *
 * Contract of `convertObject`:
 * - An object already at the wanted version comes back unchanged (the same reference).
 * - A converter gets a copy and returns the object's content at its target version; Capstan
 *   sets `apiVersion` and `kind`, and keeps the input's metadata except the `labels` and
 *   `annotations` the returned `metadata` sets: the API server refuses a conversion that
 *   changes any other metadata field.
 * - The result is checked against the target version's schema, so a converter that forgets
 *   a required field fails here, naming the field, instead of storing a broken object.
 * - Every failure is a `ConversionError` naming the object (`Kind ns/name`), both versions,
 *   and the function or the field.
 */
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";
import { brand } from "../brand.js";
import { describe } from "../object.js";
import { formatProblems } from "../problem.js";
import { conversionPath, type CustomResourceDefinition } from "./manifest.js";
import type { SafeParseResult } from "./parse.js";

/** A conversion failed: names the object, the versions, and the converter or the field. */
export class ConversionError extends Error {
  override readonly name = "ConversionError";
  constructor(
    message: string,
    readonly from: string,
    readonly to: string,
    readonly field?: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts);
  }
}
brand({ ConversionError });

type Obj = { apiVersion?: string; kind?: string; metadata?: ObjectMeta } & Record<string, unknown>;
type AnyConverter = { toHub(o: unknown): unknown; fromHub(o: unknown): unknown };

/** What `convertObject` needs of a resource: its hub, converters and validation. */
export interface ConversionPlan {
  group: string;
  kind: string;
  hub: string;
  converters: Record<string, AnyConverter>;
  /** The target version's validation, for the result. */
  safeParse(version: string, obj: unknown): SafeParseResult<unknown>;
}

/** Convert `obj` (any version of the resource) to `version`, through the hub. */
export function convertObject(plan: ConversionPlan, obj: unknown, version: string): unknown {
  const o = obj as Obj;
  const from = versionOf(plan, o, version);
  if (from === version) return obj;
  const what = describe({ kind: plan.kind, metadata: o.metadata });
  const step = (input: Obj, to: string, fn: "toHub" | "fromHub", spoke: string): Obj => {
    const c = plan.converters[spoke];
    const fail = (message: string, field?: string, cause?: unknown) =>
      new ConversionError(
        `convert ${what} from ${input.apiVersion} to ${plan.group}/${to}: ${message}`,
        String(input.apiVersion),
        `${plan.group}/${to}`,
        field,
        { cause },
      );
    if (!c) throw fail(`no converter for version ${spoke}`);
    let out: Obj;
    try {
      out = (c[fn](structuredClone(input)) ?? {}) as Obj;
    } catch (e) {
      throw fail(
        `${spoke}.${fn} failed: ${e instanceof Error ? e.message : String(e)}`,
        undefined,
        e,
      );
    }
    const result: Obj = {
      ...out,
      apiVersion: `${plan.group}/${to}`,
      kind: plan.kind,
      metadata: merged(input.metadata, out.metadata),
    };
    const verdict = plan.safeParse(to, result);
    if (!verdict.success)
      throw fail(
        `${spoke}.${fn} returned an invalid object: ${formatProblems(verdict.problems)}`,
        verdict.problems[0]?.path,
      );
    return result;
  };
  const hub = from === plan.hub ? o : step(o, plan.hub, "toHub", from);
  return version === plan.hub ? hub : step(hub, version, "fromHub", version);
}

function versionOf(plan: ConversionPlan, o: Obj, wanted: string): string {
  const prefix = `${plan.group}/`;
  const known = [plan.hub, ...Object.keys(plan.converters)];
  const what = describe({ kind: plan.kind, metadata: o?.metadata });
  const av = typeof o?.apiVersion === "string" ? o.apiVersion : "";
  const v = av.startsWith(prefix) ? av.slice(prefix.length) : "";
  const bad = !known.includes(v) ? av || "(none)" : !known.includes(wanted) ? wanted : undefined;
  if (bad !== undefined)
    throw new ConversionError(
      `convert ${what} to ${prefix}${wanted}: ${bad} is not a version of ${plan.kind} (${known.join(", ")})`,
      av,
      `${prefix}${wanted}`,
      "apiVersion",
    );
  return v;
}

/**
 * The input's metadata, with the labels and annotations the converter returned where it
 * returned them (`annotations: {}` removes them all; leaving the key out keeps the input's).
 */
function merged(input: ObjectMeta | undefined, out: ObjectMeta | undefined): ObjectMeta {
  const result: ObjectMeta = { ...(input ?? {}) };
  for (const key of ["labels", "annotations"] as const) {
    const value = out && key in out ? out[key] : input?.[key];
    if (value && Object.keys(value).length) result[key] = value;
    else delete result[key];
  }
  return result;
}

/**
 * A CRD manifest whose conversion webhook is reached at `to`: a Service (in a cluster; the
 * path is set to the resource's) or a base URL, with the CA bundle (PEM) when given. A
 * manifest without a conversion webhook comes back unchanged.
 */
export function withConversionClient(
  crd: CustomResourceDefinition,
  to:
    | { service: { namespace: string; name: string; port?: number }; caBundle?: string }
    | { url: string; caBundle?: string },
): CustomResourceDefinition {
  const c = crd.spec.conversion;
  if (c?.strategy !== "Webhook") return crd;
  const path = conversionPath(crd.spec.group, crd.spec.names.plural);
  const caBundle = to.caBundle ? { caBundle: Buffer.from(to.caBundle).toString("base64") } : {};
  const clientConfig =
    "service" in to
      ? { service: { ...to.service, path }, ...caBundle }
      : { url: `${to.url}${path}`, ...caBundle };
  return {
    ...crd,
    spec: { ...crd.spec, conversion: { ...c, webhook: { ...c.webhook, clientConfig } } },
  };
}
