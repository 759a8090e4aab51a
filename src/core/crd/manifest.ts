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
import { CrdSchemaError, type SchemaIssue } from "./errors.js";
import { checkNames } from "./names.js";
import type { JSONSchemaProps } from "./schema.js";
import type { Scope } from "./types.js";
import { crdVersion, rootSchema, type CrdVersion, type VersionPlan } from "./crd-version.js";

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

// A version's manifest entry is part of the manifest's types; crd-version.ts builds it.
export type { CrdVersion, VersionPlan };

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
    return crdVersion(p, schema, issues);
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

/** CRDs as one multi-document YAML stream, ordered by CRD name. */
export function crdsToYaml(crds: readonly CustomResourceDefinition[]): string {
  return [...crds]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((c) => stringify(c, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join("---\n");
}
