/**
 * `crd`: custom resources defined once in TypeScript.
 *
 * ```ts
 * export const MongoUser = defineResource({
 *   group: "mkramb.com", kind: "MongoUser", version: "v1",
 *   spec: z.object({ username: z.string(), roles: z.array(z.string()).default([]) }),
 * });
 * type MongoUserObject = ObjectOf<typeof MongoUser>;
 * MongoUser.crd();            // the CustomResourceDefinition, checked against the structural rules
 * MongoUser.safeParse(obj);   // the API server's verdict, problems as data
 * ```
 *
 * A definition is a zod schema plus names; Kubernetes-only features come from `k8s.*`. See
 * docs/crd.md.
 */
export { z } from "zod";
export { defineResource, type Resource, type ResourceVersion } from "./resource.js";
export type { SafeParseResult } from "./parse.js";
export { k8s, type K8sExtensions } from "./k8s.js";
export {
  conversionPath,
  crdsToYaml,
  type ConversionClientConfig,
  type CrdConversion,
  type CustomResourceDefinition,
  type CrdVersion,
} from "./manifest.js";
export { ConversionError, withConversionClient } from "./conversion.js";
export { CrdSchemaError, type FieldProblem, type ProblemCode, type SchemaIssue } from "./errors.js";
export { pluralize } from "./names.js";
export { toKubernetesSchema } from "./convert.js";
export { zodProblems, type ZodValidated } from "./refinements.js";
export { checkStructural } from "./structural.js";
export type { JSONSchemaProps, ValidationRule } from "./schema.js";
export type { SkippedRule } from "./validate.js";
export type {
  AnyObjectOf,
  AnyResource,
  Converted,
  Converter,
  Converters,
  InputOf,
  ObjectOf,
  PrinterColumn,
  ScaleSubresource,
  Scope,
  SpokesOf,
  VersionDefinition,
} from "./types.js";

import type { CustomResourceDefinition } from "./manifest.js";
import type { AnyResource } from "./types.js";

/** True for a value `defineResource` returned (used to collect the resources a module exports). */
export function isResource(
  value: unknown,
): value is AnyResource & { crd(): CustomResourceDefinition } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { crd?: unknown }).crd === "function" &&
    typeof (value as { group?: unknown }).group === "string" &&
    Array.isArray((value as { versionNames?: unknown }).versionNames)
  );
}
