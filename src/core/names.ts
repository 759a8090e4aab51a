/**
 * Kubernetes name rules (apimachinery's `validation` package), as pure checks that return
 * problems. Which rule applies depends on the kind: most objects use DNS-1123 subdomains,
 * Namespaces and Services DNS-1123 labels, and every name must be a safe URL path segment.
 */
import { problem, type Problem } from "./problem.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RFC1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export type NameRule = "dns1123-label" | "dns1123-subdomain" | "rfc1035-label" | "path-segment";

/** A DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters (most names). */
export const isDns1123Label = (s: string) => s.length <= 63 && DNS1123_LABEL.test(s);
/** A DNS-1123 subdomain: labels joined by '.', at most 253 characters. */
export const isDns1123Subdomain = (s: string) => s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
export const isRfc1035Label = (s: string) => s.length <= 63 && RFC1035_LABEL.test(s);
/** What every name must be, whatever its kind: usable as one segment of an API path. */
export const isPathSegmentName = (s: string) =>
  s !== "" && s !== "." && s !== ".." && !/[/%]/.test(s);

const RULES: Record<NameRule, { test: (s: string) => boolean; what: string }> = {
  "dns1123-label": {
    test: isDns1123Label,
    what: "a DNS-1123 label (at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit)",
  },
  "dns1123-subdomain": {
    test: isDns1123Subdomain,
    what: "a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)",
  },
  "rfc1035-label": {
    test: isRfc1035Label,
    what: "an RFC 1035 label (at most 63 lower-case letters, digits and '-', starting with a letter)",
  },
  "path-segment": {
    test: isPathSegmentName,
    what: "a non-empty name without '/' or '%' that is not '.' or '..'",
  },
};

export function checkNameAs(name: unknown, rule: NameRule, path = "metadata.name"): Problem[] {
  if (typeof name !== "string" || name === "") return [problem(path, "required", "is required")];
  const r = RULES[rule];
  return r.test(name) ? [] : [problem(path, "invalid-name", `"${name}" must be ${r.what}`)];
}

/** A label (or annotation) key: an optional DNS subdomain prefix and a name of ≤ 63 chars. */
export function checkLabelKey(key: string, path: string): Problem[] {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const problems: Problem[] = [];
  if (prefix !== undefined && !isDns1123Subdomain(prefix))
    problems.push(problem(path, "invalid-key", `prefix "${prefix}" must be a DNS-1123 subdomain`));
  if (name.length > 63 || !LABEL_NAME.test(name))
    problems.push(
      problem(
        path,
        "invalid-key",
        `"${name}" must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
      ),
    );
  return problems;
}

export function checkLabelValue(value: string, path: string): Problem[] {
  return value.length <= 63 && LABEL_VALUE.test(value)
    ? []
    : [
        problem(
          path,
          "invalid-value",
          `"${value}" must be empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
        ),
      ];
}

export function checkLabels(labels: Record<string, string>, path = "metadata.labels"): Problem[] {
  return Object.entries(labels).flatMap(([k, v]) => [
    ...checkLabelKey(k, `${path}.${k}`),
    ...(typeof v === "string"
      ? checkLabelValue(v, `${path}.${k}`)
      : [problem(`${path}.${k}`, "invalid-value", "label values must be strings")]),
  ]);
}

/** A name that must be a DNS-1123 subdomain (most kinds); the problem, if any. */
export function checkName(name: string, field = "metadata.name"): Problem | undefined {
  if (name.length === 0) return problem(field, "required", `${field} must not be empty`);
  if (name.length > 253)
    return problem(field, "too_long", `${field} must be at most 253 characters`);
  if (!DNS1123_SUBDOMAIN.test(name))
    return problem(
      field,
      "invalid",
      `${field} ${JSON.stringify(name)} must consist of lower-case letters, digits, '-' and '.', and start and end with a letter or digit`,
    );
  return undefined;
}

/** A namespace name (a DNS-1123 label); the problem, if any. */
export function checkNamespace(ns: string, field = "metadata.namespace"): Problem | undefined {
  if (ns.length > 63) return problem(field, "too_long", `${field} must be at most 63 characters`);
  if (!DNS1123_LABEL.test(ns))
    return problem(
      field,
      "invalid",
      `${field} ${JSON.stringify(ns)} must be a DNS-1123 label: lower-case letters, digits and '-'`,
    );
  return undefined;
}
