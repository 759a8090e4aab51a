/**
 * The `KindResolver` that generated RBAC uses: a kind's API group, plural, scope and status
 * subresource, from the module's own `defineResource` exports first and Capstan's table of
 * built-in kinds (core/builtin-resources.ts) second — never from a cluster, so generating
 * manifests works offline and gives the same output everywhere.
 *
 * A kind in neither is an error that names it and where it was used, and tells the user how
 * to make it known: guessing a plural would write a rule that silently grants nothing.
 */
import { builtinResource } from "../core/builtin-resources.js";
import { parseApiVersion } from "../core/gvk.js";
import type { KindRef } from "../runtime/kind.js";
import type { KindResolver, ResolvedKind } from "./rbac.js";

/** The parts of a `defineResource` result RBAC needs. */
export interface CustomKind {
  group: string;
  kind: string;
  plural: string;
  scope: "Namespaced" | "Cluster";
  crd(): { spec: { versions: readonly { subresources?: { status?: unknown } }[] } };
}

export class UnknownKindError extends Error {
  override readonly name = "UnknownKindError";
  constructor(
    readonly kind: KindRef,
    readonly usedBy: string,
  ) {
    super(
      `Kind ${kind.kind} (${kind.apiVersion}), used by ${usedBy}, is unknown: it is neither a ` +
        `custom resource the module exports nor a built-in kind Capstan knows. Export its ` +
        `defineResource(...) definition from the operator module (for another operator's ` +
        `CRD, define it there too) so its plural and scope are known without a cluster.`,
    );
  }
}

export function kindResolver(custom: readonly CustomKind[]): KindResolver {
  const byGroupKind = new Map<string, ResolvedKind>();
  for (const r of custom)
    byGroupKind.set(`${r.group}/${r.kind}`, {
      group: r.group,
      plural: r.plural,
      namespaced: r.scope === "Namespaced",
      status: r.crd().spec.versions.some((v) => v.subresources?.status !== undefined),
    });
  return (kind, usedBy) => {
    const { group } = parseApiVersion(kind.apiVersion);
    // Any served version of a custom kind is the same resource to RBAC.
    const found = byGroupKind.get(`${group}/${kind.kind}`);
    if (found) return found;
    const b = builtinResource(kind.apiVersion, kind.kind);
    if (b) return { group: b.group, plural: b.plural, namespaced: b.namespaced, status: b.status };
    throw new UnknownKindError(kind, usedBy);
  };
}
