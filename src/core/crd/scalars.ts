/**
 * Scalars for the zod → Kubernetes conversion: strings (lengths, patterns, formats), numbers
 * (integer, bounds), enums and literals, and the zod-only checks that make a schema
 * inexpressible. Shared helpers of `convert.ts` live here too.
 */
import type { z } from "zod";
import type { SchemaIssue } from "./errors.js";
import { re2Problem, toRe2 } from "./regex.js";
import type { JSONSchemaProps } from "./schema.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- zod's definitions are walked generically */
export type Def = any;

export interface Ctx {
  issues: SchemaIssue[];
  stack: z.ZodType[];
  /** Refinements are run by the operator's validating webhook: leave them out of the CRD. */
  refinementsInWebhook?: boolean;
}

/** zod string formats the API server validates under another name. */
const FORMATS: Record<string, string> = {
  email: "email",
  uuid: "uuid",
  guid: "uuid",
  url: "uri",
  datetime: "date-time",
  date: "date",
  ipv4: "ipv4",
  ipv6: "ipv6",
  cidrv4: "cidr",
  cidrv6: "cidr",
  base64: "byte",
  mac: "mac",
  hostname: "hostname",
};

export function issue(ctx: Ctx, path: string, rule: string, message: string): JSONSchemaProps {
  ctx.issues.push({ path, rule, message });
  return { "x-kubernetes-preserve-unknown-fields": true };
}

/** Refinements, overwrites and similar checks that only zod would run. */
export function unsupportedChecks(def: Def, path: string, ctx: Ctx): Record<string, never> {
  for (const c of def.checks ?? []) {
    const kind = c._zod.def.check;
    if (kind === "custom" && !ctx.refinementsInWebhook)
      issue(
        ctx,
        path,
        "refine",
        'refinements run only in zod; express the rule with k8s.cel() so the API server enforces it, or, in spec, give defineResource `validation: "webhook"` so the operator\'s validating webhook runs it',
      );
    else if (kind === "overwrite")
      issue(
        ctx,
        path,
        "overwrite",
        "trim/toLowerCase/… rewrite values in zod only; the API server stores them unchanged",
      );
  }
  return {};
}

export function checksOf(schema: z.ZodType): Def[] {
  const def: Def = schema._zod.def;
  const own = schema._zod.traits.has("$ZodCheck") ? [def] : [];
  return [...own, ...(def.checks ?? []).map((c: Def) => c._zod.def)];
}

export function pattern(
  re: RegExp,
  format: string | undefined,
  path: string,
  ctx: Ctx,
): JSONSchemaProps {
  const source = toRe2(re);
  const problem = re2Problem(source);
  if (!problem) return { pattern: source };
  // A format the API server knows already says what the regex says; keep the format alone.
  if (format) return {};
  return (issue(ctx, path, "pattern-re2", `pattern /${re.source}/ ${problem}`), {});
}

export function stringChecks(schema: z.ZodType, path: string, ctx: Ctx): JSONSchemaProps {
  const out: JSONSchemaProps = {};
  const patterns: string[] = [];
  unsupportedChecks(schema._zod.def, path, ctx);
  for (const c of checksOf(schema)) {
    if (c.check === "min_length") out.minLength = Math.max(out.minLength ?? 0, c.minimum);
    else if (c.check === "max_length")
      out.maxLength = Math.min(out.maxLength ?? Infinity, c.maximum);
    else if (c.check === "length_equals") out.minLength = out.maxLength = c.length;
    else if (c.check === "string_format") {
      const format = FORMATS[c.format as string];
      if (format) out.format = format;
      if (c.pattern) {
        const p = pattern(c.pattern, format, path, ctx).pattern;
        if (p && !patterns.includes(p)) patterns.push(p);
      } else if (!format) {
        issue(ctx, path, "format", `zod string format "${c.format}" has no Kubernetes equivalent`);
      }
    }
  }
  if (patterns[0] !== undefined) out.pattern = patterns[0];
  // One node holds one pattern; further ones are conjunctions, which allOf may carry.
  if (patterns.length > 1) out.allOf = patterns.slice(1).map((p) => ({ pattern: p }));
  return out;
}

const INT_RANGES: Record<string, [number, number] | undefined> = {
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  safeint: undefined,
};

export function numberSchema(schema: z.ZodType, path: string, ctx: Ctx): JSONSchemaProps {
  const out: JSONSchemaProps = { type: "number" };
  unsupportedChecks(schema._zod.def, path, ctx);
  const tighten = (key: "minimum" | "maximum", value: number, exclusive: boolean) => {
    const cur = out[key];
    const tighter = cur === undefined || (key === "minimum" ? value > cur : value < cur);
    if (tighter || (value === cur && exclusive)) {
      out[key] = value;
      if (exclusive) out[key === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] = true;
      else delete out[key === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"];
    }
  };
  for (const c of checksOf(schema)) {
    if (c.check === "greater_than") tighten("minimum", c.value, !c.inclusive);
    else if (c.check === "less_than") tighten("maximum", c.value, !c.inclusive);
    else if (c.check === "multiple_of") {
      if (out.multipleOf !== undefined)
        issue(ctx, path, "multiple-of", "only one multipleOf per field");
      out.multipleOf = c.value;
    } else if (c.check === "number_format") {
      if (String(c.format).includes("int")) out.type = "integer";
      const range = INT_RANGES[c.format as string];
      if (range) {
        tighten("minimum", range[0], false);
        tighten("maximum", range[1], false);
      }
    }
  }
  return out;
}

export function enumSchema(values: unknown[], path: string, ctx: Ctx): JSONSchemaProps {
  const nullable = values.includes(null);
  const rest = values.filter((v) => v !== null && v !== undefined);
  const types = new Set(
    rest.map((v) =>
      typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : typeof v,
    ),
  );
  if (types.has("integer") && types.has("number")) types.delete("integer");
  const [type] = types;
  if (
    types.size !== 1 ||
    !(type === "string" || type === "number" || type === "integer" || type === "boolean")
  ) {
    return issue(
      ctx,
      path,
      "enum-types",
      `enum values ${JSON.stringify(values)} must all be strings, all numbers or all booleans`,
    );
  }
  return { type, enum: rest, ...(nullable ? { nullable: true } : {}) };
}
