/**
 * Kubernetes-specific schema features, attached to zod schemas as metadata in a private
 * registry so the zod schema keeps its TypeScript type and its parsing behaviour.
 *
 * Each helper returns a copy of the schema it is given (zod's `clone`), so a schema reused in
 * two places is not changed behind the user's back; metadata survives later `.describe()`,
 * `.optional()` and check calls because zod records the parent of every clone.
 */
import { z } from "zod";
import type { ValidationRule } from "./schema.js";

export interface K8sExtensions {
  intOrString?: true;
  preserveUnknownFields?: true;
  embeddedResource?: true;
  listType?: "atomic" | "set" | "map";
  listMapKeys?: readonly string[];
  mapType?: "atomic" | "granular";
  validations?: readonly ValidationRule[];
  /** A Kubernetes format name, overriding what the zod string format maps to. */
  format?: string;
  example?: unknown;
}

const registry = z.registry<K8sExtensions>();

export function extensionsOf(schema: z.ZodType): K8sExtensions | undefined {
  return registry.get(schema);
}

function extend<S extends z.ZodType>(schema: S, ext: K8sExtensions): S {
  const prev = registry.get(schema) ?? {};
  const copy = schema.clone() as S;
  const validations = [...(prev.validations ?? []), ...(ext.validations ?? [])];
  registry.add(copy, { ...prev, ...ext, ...(validations.length ? { validations } : {}) });
  return copy;
}

const looseObject = () => z.looseObject({});

/** A field that holds an integer or a string (`x-kubernetes-int-or-string`), like a port. */
function intOrString() {
  return extend(z.union([z.int(), z.string()]), { intOrString: true });
}

/**
 * An object whose unknown fields the API server keeps (`x-kubernetes-preserve-unknown-fields`).
 * Without an argument: any object. With a `z.object`, its known fields are still validated.
 */
function preserveUnknown(): ReturnType<typeof looseObject>;
function preserveUnknown<S extends z.ZodRawShape>(
  schema: z.ZodObject<S>,
): z.ZodObject<S, z.core.$loose>;
function preserveUnknown(schema?: z.ZodObject): z.ZodType {
  return extend(schema ? schema.loose() : looseObject(), { preserveUnknownFields: true });
}

const embeddedBase = {
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({}).optional(),
};

/**
 * A complete Kubernetes object nested in this one (`x-kubernetes-embedded-resource`): the API
 * server requires `apiVersion` and `kind` and validates its `metadata`. Without an argument
 * any object is kept as it is; with a shape its fields are validated as well.
 */
function embedded(): z.ZodObject<typeof embeddedBase, z.core.$loose>;
function embedded<S extends z.ZodRawShape>(
  shape: S,
): z.ZodObject<typeof embeddedBase & S, z.core.$strip>;
function embedded(shape?: z.ZodRawShape): z.ZodType {
  if (!shape)
    return extend(z.looseObject(embeddedBase), {
      embeddedResource: true,
      preserveUnknownFields: true,
    });
  return extend(z.object({ ...embeddedBase, ...shape }), { embeddedResource: true });
}

/**
 * A list merged by key under server-side apply (`x-kubernetes-list-type: map`), like a Pod's
 * containers by `name`. The API server rejects two items with the same keys.
 */
function listMap<S extends z.ZodArray<z.ZodObject>>(
  schema: S,
  keys: readonly [
    keyof z.output<S["element"]> & string,
    ...(keyof z.output<S["element"]> & string)[],
  ],
): S {
  return extend(schema, { listType: "map", listMapKeys: keys });
}

/** A list of unique scalars merged as a set (`set`) or replaced whole (`atomic`). */
function listType<S extends z.ZodArray>(schema: S, type: "atomic" | "set"): S {
  return extend(schema, { listType: type });
}

/** How server-side apply merges an object or map: field by field (`granular`) or whole. */
function mapType<S extends z.ZodType>(schema: S, type: "atomic" | "granular"): S {
  return extend(schema, { mapType: type });
}

/**
 * A CEL validation rule (`x-kubernetes-validations`) checked by the API server on every write,
 * with `self` bound to this field's value (and `oldSelf` to the previous one on update).
 */
function cel<S extends z.ZodType>(
  schema: S,
  rule: string,
  message?: string | Omit<ValidationRule, "rule">,
): S {
  const extra = typeof message === "string" ? { message } : (message ?? {});
  return extend(schema, { validations: [{ rule, ...extra }] });
}

/** Set the Kubernetes `format` of a string, e.g. `k8s-short-name` (1.34+). */
function format<S extends z.ZodString>(schema: S, name: string): S {
  return extend(schema, { format: name });
}

/** An example value, shown by `kubectl explain` and API documentation. */
function example<S extends z.ZodType>(schema: S, value: z.input<S>): S {
  return extend(schema, { example: value });
}

/**
 * `status.conditions` as Kubernetes conventions define them (metav1.Condition), a list map
 * keyed by `type` — what the runtime's `Reconciled` condition and `setCondition` write.
 */
function conditions() {
  return listMap(
    z.array(
      z.object({
        type: z.string().min(1).max(316),
        status: z.enum(["True", "False", "Unknown"]),
        reason: z.string().min(1).max(1024),
        message: z.string().max(32768),
        lastTransitionTime: z.iso.datetime(),
        observedGeneration: z.number().int().min(0).optional(),
      }),
    ),
    ["type"],
  );
}

export const k8s = {
  /** `status.conditions` as metav1.Condition, a list map keyed by `type`. */
  conditions,
  /** An integer or a string (`x-kubernetes-int-or-string`). */
  intOrString,
  /** An object whose unknown fields are kept (`x-kubernetes-preserve-unknown-fields`). */
  preserveUnknown,
  /** A complete Kubernetes object nested in this one (`x-kubernetes-embedded-resource`). */
  embedded,
  /** A list merged by key under server-side apply (`x-kubernetes-list-type: map`). */
  listMap,
  /** A list merged as a set or replaced whole (`x-kubernetes-list-type`). */
  listType,
  /** An object merged field by field or whole (`x-kubernetes-map-type`). */
  mapType,
  /** A CEL validation rule checked by the API server (`x-kubernetes-validations`). */
  cel,
  /** The Kubernetes `format` of a string. */
  format,
  /** An example value, shown by `kubectl explain`. */
  example,
};
