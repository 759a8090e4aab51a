/**
 * `safeParse`/`parse` for one resource: the checks the API server makes on a create, in its
 * order — apiVersion and kind, metadata.name, pruning, defaulting, schema, scale subresource,
 * CEL — on a copy of the object. Returns the copy with defaults applied on success.
 */
import { describe } from "../object.js";
import { ValidationError } from "../problem.js";
import { applyDefaults, prune } from "./defaults.js";
import type { FieldProblem } from "./errors.js";
import type { JSONSchemaProps } from "./schema.js";
import type { ScaleSubresource } from "./types.js";
import { validateValue, type SkippedRule } from "./validate.js";

export type SafeParseResult<T> =
  | { success: true; data: T; problems: []; skipped: SkippedRule[] }
  | { success: false; data?: undefined; problems: FieldProblem[]; skipped: SkippedRule[] };

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function check(
  obj: unknown,
  kind: string,
  apiVersions: string[],
  versionOf: (apiVersion: string) => {
    schema: JSONSchemaProps;
    scale?: ScaleSubresource | undefined;
  },
): SafeParseResult<never> {
  const fail = (problems: FieldProblem[]) => ({ success: false as const, problems, skipped: [] });
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    return fail([{ path: "", code: "FieldValueTypeInvalid", message: "must be an object" }]);
  }
  const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const head: FieldProblem[] = [];
  if (typeof o.apiVersion !== "string" || !apiVersions.includes(o.apiVersion)) {
    head.push({
      path: "apiVersion",
      code: "FieldValueNotSupported",
      message: `must be one of ${apiVersions.join(", ")}`,
    });
  }
  if (o.kind !== kind)
    head.push({ path: "kind", code: "FieldValueInvalid", message: `must be ${kind}` });
  if (head.length) return fail(head);
  const name = o.metadata?.name;
  if (
    name !== undefined &&
    (typeof name !== "string" || name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
  ) {
    head.push({
      path: "metadata.name",
      code: "FieldValueInvalid",
      message: "must be a lower-case DNS subdomain (RFC 1123)",
    });
  }
  const { schema, scale } = versionOf(o.apiVersion as string);
  const data = structuredClone(obj);
  prune(schema, data);
  applyDefaults(schema, data);
  const verdict = validateValue(schema, data, true, scale ? scaleProblems(data, scale) : []);
  const problems = [...head, ...verdict.problems];
  if (problems.length) return { success: false, problems, skipped: verdict.skipped };
  return { success: true, data: data as never, problems: [], skipped: verdict.skipped };
}

/**
 * The scale subresource's own checks (customResourceValidator.ValidateScaleSpec/Status): the
 * replica counts must be integers in 0..MaxInt32 and the selector a string. The API server
 * reports them under the JSONPath itself (`.spec.replicas`).
 */
function scaleProblems(obj: unknown, scale: ScaleSubresource): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const at = (jsonPath: string): { found: boolean; value?: unknown; broken?: boolean } => {
    let cur: unknown = obj;
    for (const key of jsonPath.replace(/^\./, "").split(".")) {
      if (cur === undefined) return { found: false };
      if (typeof cur !== "object" || cur === null || Array.isArray(cur))
        return { found: true, broken: true };
      cur = (cur as Record<string, unknown>)[key];
    }
    return cur === undefined ? { found: false } : { found: true, value: cur };
  };
  for (const path of [scale.specReplicasPath, scale.statusReplicasPath]) {
    const r = at(path);
    if (!r.found) continue;
    if (r.broken || typeof r.value !== "number" || !Number.isInteger(r.value)) {
      problems.push({ path, code: "FieldValueInvalid", message: "must be an integer" });
    } else if (r.value < 0 || r.value > 2147483647) {
      problems.push({
        path,
        code: "FieldValueInvalid",
        message: "must be between 0 and 2147483647",
      });
    }
  }
  if (scale.labelSelectorPath) {
    const r = at(scale.labelSelectorPath);
    if (r.found && (r.broken || typeof r.value !== "string")) {
      problems.push({
        path: scale.labelSelectorPath,
        code: "FieldValueInvalid",
        message: "must be a string",
      });
    }
  }
  return problems;
}

export function unwrap<T>(obj: unknown, kind: string, r: SafeParseResult<T>): T {
  if (r.success) return r.data;
  const metadata = (obj as { metadata?: { name?: string; namespace?: string } } | null)?.metadata;
  throw new ValidationError(describe({ kind, ...(metadata ? { metadata } : {}) }), r.problems);
}
