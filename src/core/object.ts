/**
 * Kubernetes objects as plain JSON, and references to them.
 *
 * An object is anything with `apiVersion`, `kind` and `metadata`; the types from
 * kubernetes-types (where `apiVersion` and `kind` are optional) fit it as they are. A
 * reference names one object: `apiVersion` + `kind` + (`namespace`) + `name`. `describe()`
 * renders either the way every Capstan message names an object: `Kind namespace/name`.
 */
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";
import { checkApiVersion, checkKind } from "./gvk.js";

export { parseApiVersion } from "./gvk.js";
import { checkNameAs, type NameRule } from "./names.js";
import { problem, type Problem } from "./problem.js";

export type { ObjectMeta };

/** Any Kubernetes object; fields beyond the common ones are `unknown` until typed. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** A kind, by `apiVersion` and `kind`. */
export interface TypeRef<A extends string = string, K extends string = string> {
  apiVersion: A;
  kind: K;
}

/** An object or a collection: `name` is absent for a whole collection. */
export interface ObjectRef<A extends string = string, K extends string = string> extends TypeRef<
  A,
  K
> {
  namespace?: string;
  name?: string;
}

/** The reference of an object (its `apiVersion`, `kind`, `metadata.namespace/name`). */
export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion ?? "",
    kind: obj.kind ?? "",
    ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
    name: obj.metadata?.name ?? "",
  };
}

/** `Kind namespace/name`, `Kind name` when cluster-scoped, or `Kind` alone. */
export function describe(ref: {
  kind?: string;
  namespace?: string;
  name?: string;
  metadata?: { namespace?: string; name?: string; generateName?: string };
}): string {
  const kind = ref.kind || "object";
  const ns = ref.namespace ?? ref.metadata?.namespace;
  const name =
    ref.name ??
    ref.metadata?.name ??
    (ref.metadata?.generateName ? `${ref.metadata.generateName}*` : undefined);
  if (!name) return ns ? `${kind} in ${ns}` : kind;
  return ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Problems with a reference's shape (not whether the kind exists: that needs discovery). */
export function checkRef(ref: unknown): Problem[] {
  if (!isRecord(ref)) return [problem("", "invalid", "a reference must be an object")];
  return [
    ...checkApiVersion(ref.apiVersion),
    ...checkKind(ref.kind),
    ...checkNameAs(ref.name, "path-segment", "name"),
    ...(ref.namespace === undefined
      ? []
      : checkNameAs(ref.namespace, "dns1123-label", "namespace")),
  ];
}

/**
 * Problems with an object's shape. `name: "required"` demands `metadata.name`;
 * `"or-generate"` also accepts `metadata.generateName` (for create).
 */
export function checkObject(
  obj: unknown,
  opts: { name: "required" | "or-generate"; nameRule?: NameRule } = { name: "required" },
): Problem[] {
  if (!isRecord(obj)) return [problem("", "invalid", "an object must be a JSON object")];
  const problems = [...checkApiVersion(obj.apiVersion), ...checkKind(obj.kind)];
  const meta = obj.metadata;
  if (!isRecord(meta)) return [...problems, problem("metadata", "required", "is required")];
  const generated = opts.name === "or-generate" && meta.name === undefined;
  if (generated) {
    if (typeof meta.generateName !== "string" || meta.generateName === "")
      problems.push(
        problem("metadata.name", "required", "metadata.name or generateName is required"),
      );
  } else problems.push(...checkNameAs(meta.name, opts.nameRule ?? "path-segment"));
  if (meta.namespace !== undefined)
    problems.push(...checkNameAs(meta.namespace, "dns1123-label", "metadata.namespace"));
  for (const key of ["labels", "annotations"] as const)
    if (meta[key] !== undefined && !isRecord(meta[key]))
      problems.push(problem(`metadata.${key}`, "invalid", "must be a map of strings"));
  return problems;
}
