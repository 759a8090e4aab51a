/**
 * Label and field selectors, built from the shapes people already write.
 *
 * Label selectors accept a string (passed through), a map of equalities (`{ app: "web" }`)
 * or a Kubernetes `LabelSelector` (`matchLabels` + `matchExpressions`, as in a Deployment's
 * spec). Field selectors accept a string or a map of equalities; values are escaped the way
 * apimachinery's `fields.EscapeValue` does. Invalid input throws `ValidationError`.
 */
import type { LabelSelector, LabelSelectorRequirement } from "kubernetes-types/meta/v1.js";
import { checkLabelKey, checkLabelValue } from "./names.js";
import { problem, ValidationError, type Problem } from "./problem.js";

export type { LabelSelector };
export type LabelSelectorInput = string | Record<string, string> | LabelSelector;
export type FieldSelectorInput = string | Record<string, string>;

function isLabelSelector(sel: object): sel is LabelSelector {
  const s = sel as Record<string, unknown>;
  return (
    (typeof s.matchLabels === "object" && s.matchLabels !== null) ||
    Array.isArray(s.matchExpressions)
  );
}

function requirement(r: LabelSelectorRequirement, path: string, problems: Problem[]): string {
  problems.push(...checkLabelKey(r.key, `${path}.key`));
  const values = r.values ?? [];
  for (const [i, v] of values.entries())
    problems.push(...checkLabelValue(v, `${path}.values[${i}]`));
  switch (r.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0)
        problems.push(problem(`${path}.values`, "required", `${r.operator} needs values`));
      return `${r.key} ${r.operator.toLowerCase()} (${values.join(",")})`;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0)
        problems.push(problem(`${path}.values`, "forbidden", `${r.operator} takes no values`));
      return r.operator === "Exists" ? r.key : `!${r.key}`;
    default:
      problems.push(
        problem(
          `${path}.operator`,
          "invalid",
          `"${r.operator}" is not In, NotIn, Exists or DoesNotExist`,
        ),
      );
      return "";
  }
}

/** The query-string form of a label selector. */
export function labelSelector(sel: LabelSelectorInput): string {
  if (typeof sel === "string") return sel;
  const problems: Problem[] = [];
  const parts: string[] = [];
  const equalities = isLabelSelector(sel) ? (sel.matchLabels ?? {}) : sel;
  for (const [k, v] of Object.entries(equalities)) {
    const path = isLabelSelector(sel) ? `matchLabels.${k}` : k;
    problems.push(...checkLabelKey(k, path), ...checkLabelValue(v, path));
    parts.push(`${k}=${v}`);
  }
  if (isLabelSelector(sel))
    for (const [i, r] of (sel.matchExpressions ?? []).entries())
      parts.push(requirement(r, `matchExpressions[${i}]`, problems));
  if (problems.length > 0) throw new ValidationError("invalid label selector", problems);
  return parts.join(",");
}

/** Escape a field-selector value: `\`, `,` and `=` are special. */
export const escapeFieldValue = (v: string) => v.replace(/[\\,=]/g, (c) => `\\${c}`);

/** The query-string form of a field selector. */
export function fieldSelector(sel: FieldSelectorInput): string {
  if (typeof sel === "string") return sel;
  const problems: Problem[] = [];
  const parts = Object.entries(sel).map(([k, v]) => {
    if (!/^[A-Za-z0-9_.[\]-]+$/.test(k))
      problems.push(problem(k, "invalid-key", `"${k}" is not a field path like metadata.name`));
    if (typeof v !== "string") problems.push(problem(k, "invalid-value", "must be a string"));
    return `${k}=${escapeFieldValue(String(v))}`;
  });
  if (problems.length > 0) throw new ValidationError("invalid field selector", problems);
  return parts.join(",");
}

/** A selector given as a query string or a map of equalities. */
export type Selector = string | Record<string, string>;

/** The query-string form of a simple selector; `undefined` when it selects everything. */
export function selectorString(sel: Selector | undefined): string | undefined {
  if (sel === undefined) return undefined;
  if (typeof sel === "string") return sel || undefined;
  const parts = Object.entries(sel).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(",") : undefined;
}
