/**
 * The CustomResourceDefinition manifest of a resource, and its YAML.
 *
 * Contract: `buildCrd` converts every version's schemas, checks names, versions, printer
 * columns, scale paths and the structural-schema rules, and either throws one `CrdSchemaError`
 * with every issue or returns a manifest whose key order is fixed (manifest fields in
 * kubectl's order; schema keywords and properties alphabetical, `required` in declaration
 * order) so that regenerated YAML diffs cleanly.
 */
import { stringify } from "yaml";
import { toKubernetesSchema } from "./convert.js";
import { CrdSchemaError, type SchemaIssue } from "./errors.js";
import { checkNames } from "./names.js";
import type { JSONSchemaProps } from "./schema.js";
import { checkStructural } from "./structural.js";
import type { PrinterColumn, Scope, VersionDefinition } from "./types.js";

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories?: string[];
    };
    scope: Scope;
    versions: CrdVersion[];
    conversion?: CrdConversion;
  };
}

/** Where the API server sends ConversionReviews: a URL (the local loop) or a Service. */
export type ConversionClientConfig = (
  { url: string } | { service: { namespace: string; name: string; path?: string; port?: number } }
) & { caBundle?: string };

/** A CRD's `spec.conversion`: `None`, or a webhook with its address and CA. */
export type CrdConversion =
  | { strategy: "None" }
  | {
      strategy: "Webhook";
      webhook: { conversionReviewVersions: ["v1"]; clientConfig: ConversionClientConfig };
    };

/** The path the API server posts a resource's ConversionReviews to. */
export function conversionPath(group: string, plural: string): string {
  return `/convert/${group}/${plural}`;
}

/**
 * Until an operator sets its own (on start, or `generate deploy` a Service), a webhook
 * conversion points where nothing trusted answers (no caBundle): reads and writes at a
 * non-storage version fail instead of converting wrongly.
 */
const UNSET_PORT = 9443;

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema: { openAPIV3Schema: JSONSchemaProps };
  subresources?: { status?: Record<string, never>; scale?: VersionDefinition["scale"] };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: { jsonPath: string }[];
}

export interface VersionPlan {
  name: string;
  definition: VersionDefinition;
  served: boolean;
  storage: boolean;
}

export interface ResourceNames {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  listKind: string;
  shortNames: readonly string[];
  categories: readonly string[];
  scope: Scope;
  name: string;
  /** `"webhook"`: refinements are left to the operator's validating webhook. */
  validation?: "webhook";
}

export function buildCrd(
  n: ResourceNames,
  plan: VersionPlan[],
  conversion?: { converters: string[] },
): { manifest: CustomResourceDefinition; schemas: Record<string, JSONSchemaProps> } {
  const issues: SchemaIssue[] = checkNames({ ...n, versions: plan.map((p) => p.name) });
  const storages = plan.filter((p) => p.storage).length;
  if (storages !== 1)
    issues.push({
      path: "versions",
      rule: "storage-version",
      message: `exactly one version must have storage: true (found ${storages})`,
    });
  if (conversion) issues.push(...converterIssues(plan, conversion.converters));
  if (n.scope !== "Namespaced" && n.scope !== "Cluster")
    issues.push({ path: "scope", rule: "scope", message: "must be Namespaced or Cluster" });
  const schemas: Record<string, JSONSchemaProps> = {};
  const versions = plan.map((p) => {
    const { schema, issues: own } = rootSchema(p, n.validation);
    issues.push(...own);
    schemas[p.name] = schema;
    return version(p, schema, issues);
  });
  if (issues.length) throw new CrdSchemaError(`${n.kind} (${n.name})`, issues);
  const names = {
    kind: n.kind,
    listKind: n.listKind,
    plural: n.plural,
    singular: n.singular,
    ...(n.shortNames.length ? { shortNames: [...n.shortNames] } : {}),
    ...(n.categories.length ? { categories: [...n.categories] } : {}),
  };
  const manifest: CustomResourceDefinition = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: n.name },
    spec: {
      group: n.group,
      names,
      scope: n.scope,
      versions,
      ...(conversion
        ? {
            conversion: {
              strategy: "Webhook" as const,
              webhook: {
                conversionReviewVersions: ["v1"] as ["v1"],
                clientConfig: {
                  url: `https://127.0.0.1:${UNSET_PORT}${conversionPath(n.group, n.plural)}`,
                },
              },
            },
          }
        : plan.length > 1
          ? { conversion: { strategy: "None" as const } }
          : {}),
    },
  };
  return { manifest, schemas };
}

/** One converter for each version but the storage version (the hub), and no other. */
function converterIssues(plan: VersionPlan[], converters: string[]): SchemaIssue[] {
  const spokes = plan.filter((p) => !p.storage).map((p) => p.name);
  const issue = (message: string) => ({ path: "convert", rule: "conversion", message });
  return [
    ...spokes.filter((s) => !converters.includes(s)).map((s) => issue(`${s} has no converter`)),
    ...converters
      .filter((c) => !spokes.includes(c))
      .map((c) =>
        issue(
          plan.some((p) => p.name === c)
            ? `${c} is the storage version (the hub): it needs no converter`
            : `${c} is not a version of this resource`,
        ),
      ),
  ];
}

function rootSchema(
  p: VersionPlan,
  validation: ResourceNames["validation"],
): { schema: JSONSchemaProps; issues: SchemaIssue[] } {
  const spec = toKubernetesSchema(p.definition.spec, `${p.name}.spec`, { validation });
  const status = p.definition.status
    ? // The webhook sees no status writes (the status subresource): status refinements stay refused.
      toKubernetesSchema(p.definition.status, `${p.name}.status`)
    : undefined;
  const properties: Record<string, JSONSchemaProps> = { spec: spec.schema };
  if (status) properties.status = status.schema;
  // A spec the type says is always there is required, so the type does not lie about objects.
  const specRequired = !p.definition.spec.safeParse(undefined).success;
  const schema = sortSchema({
    type: "object",
    properties,
    ...(specRequired ? { required: ["spec"] } : {}),
  });
  const issues = [...spec.issues, ...(status?.issues ?? [])];
  // Structural rules are checked only on a complete conversion, so each problem is reported once.
  if (!issues.length)
    issues.push(...checkStructural(schema, p.name, { statusSubresource: !!status }));
  return { schema, issues };
}

function version(p: VersionPlan, schema: JSONSchemaProps, issues: SchemaIssue[]): CrdVersion {
  const d = p.definition;
  const columns = (d.printerColumns ?? []).map((c, i) => {
    checkPath(schema, c.jsonPath, `${p.name}.printerColumns[${i}]`, "printer-column", issues);
    return {
      name: c.name,
      type: c.type,
      jsonPath: c.jsonPath,
      ...(c.description ? { description: c.description } : {}),
      ...(c.format ? { format: c.format } : {}),
      ...(c.priority !== undefined ? { priority: c.priority } : {}),
    };
  });
  if (d.scale) {
    checkPath(
      schema,
      d.scale.specReplicasPath,
      `${p.name}.scale.specReplicasPath`,
      "scale",
      issues,
      ".spec.",
    );
    checkPath(
      schema,
      d.scale.statusReplicasPath,
      `${p.name}.scale.statusReplicasPath`,
      "scale",
      issues,
      ".status.",
    );
  }
  for (const [i, f] of (d.selectableFields ?? []).entries())
    checkPath(schema, f, `${p.name}.selectableFields[${i}]`, "selectable-field", issues);
  if (d.deprecationWarning !== undefined && !d.deprecated)
    issues.push({
      path: `${p.name}.deprecationWarning`,
      rule: "deprecation",
      message: "a deprecation warning needs deprecated: true",
    });
  const subresources = {
    ...(d.status ? { status: {} } : {}),
    ...(d.scale
      ? {
          scale: {
            specReplicasPath: d.scale.specReplicasPath,
            statusReplicasPath: d.scale.statusReplicasPath,
            ...(d.scale.labelSelectorPath ? { labelSelectorPath: d.scale.labelSelectorPath } : {}),
          },
        }
      : {}),
  };
  return {
    name: p.name,
    served: p.served,
    storage: p.storage,
    ...(d.deprecated ? { deprecated: true } : {}),
    ...(d.deprecationWarning ? { deprecationWarning: d.deprecationWarning } : {}),
    schema: { openAPIV3Schema: schema },
    ...(Object.keys(subresources).length ? { subresources } : {}),
    ...(columns.length ? { additionalPrinterColumns: columns } : {}),
    ...(d.selectableFields?.length
      ? { selectableFields: d.selectableFields.map((jsonPath) => ({ jsonPath })) }
      : {}),
  };
}

/** Check a simple `.a.b.c` path against the schema; complex JSONPath is left to the API server. */
function checkPath(
  schema: JSONSchemaProps,
  jsonPath: string,
  at: string,
  rule: string,
  issues: SchemaIssue[],
  under?: string,
): void {
  if (under && !jsonPath.startsWith(under))
    issues.push({ path: at, rule, message: `${jsonPath} must be under ${under.slice(0, -1)}` });
  if (!/^(\.[A-Za-z0-9_-]+)+$/.test(jsonPath) || jsonPath.startsWith(".metadata.")) return;
  let s: JSONSchemaProps | undefined = schema;
  for (const key of jsonPath.slice(1).split(".")) {
    if (s?.["x-kubernetes-preserve-unknown-fields"] && !s.properties?.[key]) return;
    s =
      s?.properties?.[key] ??
      (typeof s?.additionalProperties === "object" ? s.additionalProperties : undefined);
    if (!s)
      return void issues.push({
        path: at,
        rule,
        message: `${jsonPath} is not a field of the schema`,
      });
  }
}

/** Keywords and properties in alphabetical order, recursively; `required` keeps its order. */
export function sortSchema(s: JSONSchemaProps): JSONSchemaProps {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(s).sort()) {
    const v = (s as Record<string, unknown>)[key];
    if (key === "properties")
      out[key] = Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, sortSchema((v as Record<string, JSONSchemaProps>)[k]!)]),
      );
    else if (
      key === "items" ||
      key === "not" ||
      (key === "additionalProperties" && typeof v === "object")
    )
      out[key] = sortSchema(v as JSONSchemaProps);
    else if (key === "allOf" || key === "anyOf" || key === "oneOf")
      out[key] = (v as JSONSchemaProps[]).map(sortSchema);
    else out[key] = v;
  }
  return out as JSONSchemaProps;
}

/** CRDs as one multi-document YAML stream, ordered by CRD name. */
export function crdsToYaml(crds: readonly CustomResourceDefinition[]): string {
  return [...crds]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((c) => stringify(c, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join("---\n");
}
