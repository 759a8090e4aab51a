/**
 * CEL validation rules (`x-kubernetes-validations`) evaluated at runtime, so that `safeParse`
 * reaches the API server's verdict without a round trip.
 *
 * Evaluation uses @marcbachmann/cel-js (standard CEL with macros, strings, durations,
 * timestamps) plus the Kubernetes list helpers registered below. Values are typed from the
 * schema as the API server types them: `integer` fields (and integral numbers in schemaless
 * places) become CEL ints, `number` fields doubles.
 *
 * Caveats, reported per rule as `skipped` instead of guessed:
 * - rules calling Kubernetes library functions not implemented here (`quantity()`, `url()`,
 *   `ip()`, `cidr()`, `format()`, …) or otherwise not accepted by cel-js;
 * - transition rules (`oldSelf`) when no previous object is given.
 * The API server's cost budget is not estimated.
 */
import { Environment } from "@marcbachmann/cel-js";
import type { JSONSchemaProps, ValidationRule } from "./schema.js";

type Compiled = ((ctx: Record<string, unknown>) => unknown) | { unsupported: string };

const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
const compare = (a: unknown, b: unknown) => ((a as number) < (b as number) ? -1 : a === b ? 0 : 1);
env
  .registerFunction({
    name: "isSorted",
    receiverType: "list",
    returnType: "bool",
    params: [],
    handler: (l: unknown[]) => l.every((x, i) => i === 0 || compare(l[i - 1], x) <= 0),
  })
  .registerFunction({
    name: "sum",
    receiverType: "list",
    returnType: "dyn",
    params: [],
    handler: (l: unknown[]) => l.reduce((a, b) => (a as number) + (b as number), 0n),
  })
  .registerFunction({
    name: "min",
    receiverType: "list",
    returnType: "dyn",
    params: [],
    handler: (l: unknown[]) => [...l].sort(compare)[0],
  })
  .registerFunction({
    name: "max",
    receiverType: "list",
    returnType: "dyn",
    params: [],
    handler: (l: unknown[]) => [...l].sort(compare).at(-1),
  })
  .registerFunction("charAt(string, int): string", (s: string, i: bigint) => s.charAt(Number(i)))
  .registerFunction("replace(string, string, string): string", (s: string, a: string, b: string) =>
    s.replaceAll(a, b),
  );

const cache = new Map<string, Compiled>();

/** Compile once; a rule cel-js cannot check is remembered as unsupported with the reason. */
function compile(expression: string): Compiled {
  let c = cache.get(expression);
  if (c) return c;
  try {
    const checked = env.check(expression);
    c = checked.valid
      ? (env.parse(expression) as unknown as Compiled)
      : { unsupported: firstLine(checked.error?.message) };
  } catch (e) {
    c = { unsupported: firstLine((e as Error).message) };
  }
  cache.set(expression, c);
  return c;
}

function firstLine(s: string | undefined): string {
  return (s ?? "cannot be compiled").split("\n")[0]!;
}

/** A syntax error in a rule, for the generation-time check. */
export function celSyntaxError(expression: string): string | undefined {
  try {
    env.parse(expression);
    return undefined;
  } catch (e) {
    return firstLine((e as Error).message);
  }
}

export type RuleOutcome =
  { kind: "ok" } | { kind: "failed"; message: string } | { kind: "skipped"; reason: string };

export function evaluateRule(
  rule: ValidationRule,
  self: unknown,
  schema: JSONSchemaProps,
  old?: { value: unknown },
): RuleOutcome {
  if (/\boldSelf\b/.test(rule.rule) && !old) {
    return { kind: "skipped", reason: "transition rule: needs the previous object" };
  }
  const fn = compile(rule.rule);
  if (typeof fn !== "function") return { kind: "skipped", reason: fn.unsupported };
  const ctx: Record<string, unknown> = { self: toCel(self, schema) };
  if (old) ctx.oldSelf = toCel(old.value, schema);
  let result: unknown;
  try {
    result = fn(ctx);
  } catch (e) {
    // The API server reports a rule that errors (e.g. `no such key`) as a failed validation.
    return { kind: "failed", message: firstLine((e as Error).message) };
  }
  if (result === true) return { kind: "ok" };
  return { kind: "failed", message: messageOf(rule, ctx) };
}

function messageOf(rule: ValidationRule, ctx: Record<string, unknown>): string {
  if (rule.messageExpression) {
    const fn = compile(rule.messageExpression);
    if (typeof fn === "function") {
      try {
        const m = fn(ctx);
        if (typeof m === "string" && m.trim() !== "") return m;
      } catch {
        // fall back to the static message, as the API server does
      }
    }
  }
  return rule.message ?? `failed rule: ${rule.rule.trim()}`;
}

/** JSON value → CEL value, typed by the schema. */
export function toCel(value: unknown, schema: JSONSchemaProps | undefined): unknown {
  if (typeof value === "number") {
    const double = schema?.type === "number";
    return !double && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items));
  if (value !== null && typeof value === "object") {
    const extra =
      typeof schema?.additionalProperties === "object" ? schema.additionalProperties : undefined;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, toCel(v, schema?.properties?.[k] ?? extra)]),
    );
  }
  return value;
}
