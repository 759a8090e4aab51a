/**
 * One version of a CustomResourceDefinition: its root schema (spec and status converted from
 * zod, keys sorted, the structural rules checked) and its entry in the manifest (served,
 * storage, deprecation, subresources, printer columns and selectable fields), with the paths
 * that columns, scale and selectable fields name checked against that schema.
 *
 * Separate from manifest.ts, which checks what spans versions (names, the one storage
 * version, converters) and assembles the manifest; each version is built here on its own.
 * Problems are pushed onto the caller's list, so `buildCrd` throws them all at once.
 */
import { toKubernetesSchema } from "./convert.js";
import type { SchemaIssue } from "./errors.js";
import type { JSONSchemaProps } from "./schema.js";
import { checkStructural } from "./structural.js";
import type { PrinterColumn, VersionDefinition } from "./types.js";

/** One entry of a CRD's `spec.versions`. */
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

/** A version to build: its definition, and whether it is served and stored. */
export interface VersionPlan {
  name: string;
  definition: VersionDefinition;
  served: boolean;
  storage: boolean;
}

/** A version's root schema, and the problems converting it or its structural rules. */
export function rootSchema(
  p: VersionPlan,
  validation: "webhook" | undefined,
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

/** A version's entry in the manifest; the paths it names that the schema lacks go to `issues`. */
export function crdVersion(
  p: VersionPlan,
  schema: JSONSchemaProps,
  issues: SchemaIssue[],
): CrdVersion {
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
