/**
 * zod schema → Kubernetes structural OpenAPI v3 (`JSONSchemaProps`).
 *
 * Contract: `toKubernetesSchema(schema, path)` walks the zod definition itself (not zod's JSON
 * Schema output) so that every construct is translated on purpose, and returns the schema
 * together with the issues that make parts of it impossible to express — never a schema with a
 * silent gap. What zod would do at parse time but the API server cannot (refinements,
 * transforms, coercion, `.catch()`) is an issue too: the API server is the validator that
 * counts, and a check only one side makes would let the two disagree.
 *
 * The input side of the schema is what is described (fields with defaults are optional),
 * because that is what clients send; the API server then fills in the defaults.
 */
import { z } from "zod";
import type { SchemaIssue } from "./errors.js";
import { extensionsOf } from "./k8s.js";
import { toRe2 } from "./regex.js";
import {
  checksOf,
  enumSchema,
  issue,
  numberSchema,
  pattern,
  stringChecks,
  unsupportedChecks,
  type Ctx,
  type Def,
} from "./scalars.js";
import type { JSONSchemaProps } from "./schema.js";
import { isKubernetesFormat, itemPath, joinPath } from "./schema.js";
import { mergeUnion } from "./unions.js";

export function toKubernetesSchema(
  schema: z.ZodType,
  path: string,
  opts: { validation?: "webhook" } = {},
): { schema: JSONSchemaProps; issues: SchemaIssue[] } {
  const ctx: Ctx = { issues: [], stack: [], refinementsInWebhook: opts.validation === "webhook" };
  return { schema: convert(schema, path, ctx), issues: ctx.issues };
}

/** True when an object may omit this field: zod accepts `undefined` for it. */
export function isOptional(schema: z.ZodType): boolean {
  const optin = (schema._zod as Def).optin;
  return optin === "optional" || optin === "defaulted" || schema.safeParse(undefined).success;
}

function convert(schema: z.ZodType, path: string, ctx: Ctx): JSONSchemaProps {
  if (ctx.stack.includes(schema)) {
    return issue(ctx, path, "recursive", "a recursive schema cannot be expressed without $ref");
  }
  ctx.stack.push(schema);
  try {
    return decorate(schema, convertDef(schema, path, ctx), path, ctx);
  } finally {
    ctx.stack.pop();
  }
}

/** Apply descriptions (zod's registry) and Kubernetes extensions (ours) to a converted node. */
function decorate(
  schema: z.ZodType,
  out: JSONSchemaProps,
  path: string,
  ctx: Ctx,
): JSONSchemaProps {
  const meta = z.globalRegistry.get(schema);
  if (typeof meta?.description === "string") out.description = meta.description;
  if (typeof meta?.title === "string") out.title = meta.title;
  const ext = extensionsOf(schema);
  if (!ext) return out;
  if (ext.intOrString) {
    const { description, title, default: dflt, nullable } = out;
    out = { description, title, default: dflt, nullable };
    for (const k of Object.keys(out) as (keyof JSONSchemaProps)[])
      if (out[k] === undefined) delete out[k];
    out.anyOf = [{ type: "integer" }, { type: "string" }];
    out["x-kubernetes-int-or-string"] = true;
  }
  if (ext.preserveUnknownFields) out["x-kubernetes-preserve-unknown-fields"] = true;
  if (ext.embeddedResource) out["x-kubernetes-embedded-resource"] = true;
  if (ext.listType) out["x-kubernetes-list-type"] = ext.listType;
  if (ext.listMapKeys) out["x-kubernetes-list-map-keys"] = [...ext.listMapKeys];
  if (ext.mapType) out["x-kubernetes-map-type"] = ext.mapType;
  if (ext.validations) out["x-kubernetes-validations"] = ext.validations.map((v) => ({ ...v }));
  if (ext.example !== undefined) out.example = ext.example;
  if (ext.format !== undefined) {
    if (!isKubernetesFormat(ext.format))
      issue(ctx, path, "format", `format "${ext.format}" is not one the API server validates`);
    out.format = ext.format;
  }
  return out;
}

function convertDef(schema: z.ZodType, path: string, ctx: Ctx): JSONSchemaProps {
  const def: Def = schema._zod.def;
  if (def.coerce)
    return issue(
      ctx,
      path,
      "coerce",
      "z.coerce converts values the API server would reject; use the plain type",
    );
  switch (def.type as string) {
    case "optional":
    case "nonoptional":
    case "readonly":
      return convert(def.innerType, path, ctx);
    case "default":
    case "prefault":
      return { ...convert(def.innerType, path, ctx), default: structuredClone(def.defaultValue) };
    case "nullable":
      return { ...convert(def.innerType, path, ctx), nullable: true };
    case "lazy":
      return convert(def.getter(), path, ctx);
    case "string":
      return { type: "string", ...stringChecks(schema, path, ctx) };
    case "template_literal":
      return { type: "string", ...pattern(def.pattern, undefined, path, ctx) };
    case "number":
      return numberSchema(schema, path, ctx);
    case "boolean":
      return { type: "boolean", ...unsupportedChecks(def, path, ctx) };
    case "literal":
      return enumSchema([...def.values], path, ctx);
    case "enum":
      return enumSchema([...(schema as z.ZodEnum).options], path, ctx);
    case "array":
      return arraySchema(def, path, ctx);
    case "object":
      return objectSchema(def, path, ctx);
    case "record":
      return recordSchema(def, path, ctx);
    case "union":
      return unionSchema(
        def.options,
        def.discriminator !== undefined ? "oneOf" : "anyOf",
        path,
        ctx,
      );
    case "intersection":
      return unionSchema([def.left, def.right], "allOf", path, ctx);
    case "unknown":
    case "any":
      return { "x-kubernetes-preserve-unknown-fields": true };
    case "pipe":
    case "transform":
      return issue(
        ctx,
        path,
        "transform",
        "transforms and pipes change values at parse time; the API server stores what it is sent",
      );
    case "catch":
      return issue(
        ctx,
        path,
        "catch",
        ".catch() replaces invalid values; the API server rejects them instead",
      );
    case "tuple":
      return issue(
        ctx,
        path,
        "tuple",
        "tuples cannot be expressed: Kubernetes lists have one item schema",
      );
    default:
      return issue(
        ctx,
        path,
        "unrepresentable",
        `zod type "${def.type}" has no Kubernetes schema equivalent`,
      );
  }
}

function unionSchema(
  options: z.ZodType[],
  combinator: "anyOf" | "oneOf" | "allOf",
  path: string,
  ctx: Ctx,
): JSONSchemaProps {
  // `T | null` is a nullable T, and `T | undefined` an optional one (see isOptional).
  const isNull = (o: z.ZodType) => {
    const d: Def = o._zod.def;
    return (
      d.type === "null" || (d.type === "literal" && d.values.every((v: unknown) => v === null))
    );
  };
  const nullable = options.some(isNull);
  const rest = options.filter(
    (o) => !isNull(o) && !["undefined", "void"].includes(o._zod.def.type),
  );
  if (rest.length === 0)
    return issue(ctx, path, "unrepresentable", "a field that is only null cannot be expressed");
  const out = mergeUnion(
    rest.map((o) => convert(o, path, ctx)),
    combinator,
    path,
    ctx.issues,
  );
  return nullable ? { ...out, nullable: true } : out;
}

function arraySchema(def: Def, path: string, ctx: Ctx): JSONSchemaProps {
  const out: JSONSchemaProps = { type: "array", items: convert(def.element, itemPath(path), ctx) };
  unsupportedChecks(def, path, ctx);
  for (const c of (def.checks ?? []).map((x: Def) => x._zod.def)) {
    if (c.check === "min_length") out.minItems = c.minimum;
    else if (c.check === "max_length") out.maxItems = c.maximum;
    else if (c.check === "length_equals") out.minItems = out.maxItems = c.length;
  }
  return out;
}

function objectSchema(def: Def, path: string, ctx: Ctx): JSONSchemaProps {
  const out: JSONSchemaProps = { type: "object" };
  unsupportedChecks(def, path, ctx);
  const shape = def.shape as Record<string, z.ZodType>;
  const properties: Record<string, JSONSchemaProps> = {};
  const required: string[] = [];
  for (const [key, value] of Object.entries(shape)) {
    properties[key] = convert(value, joinPath(path, key), ctx);
    if (!isOptional(value)) required.push(key);
  }
  if (Object.keys(properties).length) out.properties = properties;
  if (required.length) out.required = required;
  const catchall = def.catchall?._zod.def.type as string | undefined;
  if (catchall === "unknown" || catchall === "any")
    out["x-kubernetes-preserve-unknown-fields"] = true;
  else if (catchall && catchall !== "never")
    issue(
      ctx,
      path,
      "catchall",
      "an object with both known fields and a typed catchall cannot be expressed",
    );
  return out;
}

function recordSchema(def: Def, path: string, ctx: Ctx): JSONSchemaProps {
  const keyDef: Def = def.keyType._zod.def;
  const valuePath = itemPath(path);
  if (keyDef.type === "enum" || keyDef.type === "literal") {
    // zod requires every key of an enum-keyed record: that is an object with fixed fields.
    const keys: string[] = keyDef.type === "enum" ? [...def.keyType.options] : [...keyDef.values];
    const properties = Object.fromEntries(
      keys.map((k) => [k, convert(def.valueType, joinPath(path, k), ctx)]),
    );
    const optional = isOptional(def.valueType) || (def.mode ?? "") === "loose";
    return { type: "object", properties, ...(optional ? {} : { required: keys.map(String) }) };
  }
  if (keyDef.type !== "string") return issue(ctx, path, "record-keys", "map keys must be strings");
  const out: JSONSchemaProps = {
    type: "object",
    additionalProperties: convert(def.valueType, valuePath, ctx),
  };
  // The schema cannot constrain map keys; a CEL rule can, and the API server runs it.
  const rules: string[] = [];
  for (const c of checksOf(def.keyType)) {
    if (c.check === "min_length") rules.push(`size(k) >= ${c.minimum}`);
    else if (c.check === "max_length") rules.push(`size(k) <= ${c.maximum}`);
    else if (c.check === "string_format" && c.pattern)
      rules.push(`k.matches(${JSON.stringify(toRe2(c.pattern))})`);
  }
  if (rules.length) {
    out["x-kubernetes-validations"] = [
      { rule: `self.all(k, ${rules.join(" && ")})`, message: "map keys are invalid" },
    ];
  }
  return out;
}
