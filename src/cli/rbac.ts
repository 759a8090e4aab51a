/**
 * Least-privilege RBAC from what an operator declares (`Operator.declarations()`), without a
 * cluster. Pure: kinds are resolved by a `KindResolver` (rbac-kinds.ts builds one from the
 * module's `defineResource` exports and the built-in table), and the result is plain rules.
 *
 * What each declaration implies — exactly what the runtime calls, nothing more:
 * - a controller's primary kind: get/list/watch (informer), patch (finalizers, the
 *   last-handled annotation) and patch on `<plural>/status` when the kind has a status
 *   subresource (`patchStatus`, the `Reconciled` condition);
 * - each owned kind: get/list/watch (metadata-only informer), create/patch (children are
 *   server-side applied, a PATCH that may create);
 * - each watched kind (`watches`): get/list/watch where it is watched — the controller's
 *   namespaces, the watch's own, or everywhere for `namespaces: "all"`;
 * - Events (`events.k8s.io` events): create/patch, where the primary objects live (the
 *   recorder puts a cluster-scoped object's Events in `default`);
 * - `op.uses(kind, verbs, { subresource })`: those verbs on that resource;
 * - the leader-election Lease: get/create/update in the operator's own namespace only;
 * - CRDs, when the module defines any: get/list/watch, plus create/patch with `installCrds`.
 *
 * Placement: cluster-scoped kinds, and namespaced kinds of an operator watching every
 * namespace, go in the ClusterRole; with watched namespaces (operator `-n`, or a
 * controller's own `namespaces`) namespaced kinds get a Role in each of them. The plan lists
 * the namespaced kinds the ClusterRole makes readable everywhere (`clusterWideReads`):
 * granting that on Secrets means reading every credential in the cluster.
 *
 * Guarantees: no "*" anywhere (verbs are checked against the closed list); rules are merged
 * per API group and identical verb sets, verbs in a fixed order, rules and namespaces sorted,
 * so the same declarations always give byte-identical manifests.
 */
import type { Declarations, Verb } from "../runtime/operator/operator.js";
import type { KindRef } from "../runtime/kind.js";

/** RBAC verbs in the order rules list them. */
export const VERBS: readonly Verb[] = [
  "get",
  "list",
  "watch",
  "create",
  "update",
  "patch",
  "delete",
];

/** What RBAC needs to know about a kind. */
export interface ResolvedKind {
  group: string;
  plural: string;
  namespaced: boolean;
  /** It has a status subresource (the runtime writes status through it). */
  status: boolean;
}

/** Resolves a kind or throws an error naming it (see rbac-kinds.ts). */
export type KindResolver = (kind: KindRef, usedBy: string) => ResolvedKind;

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: Verb[];
}

export interface RbacOptions {
  /** The operator's own namespace: its Lease lives there. */
  operatorNamespace: string;
  /** Watched namespaces (`capstan run -n`); none means every namespace. */
  namespaces?: readonly string[];
  /** The module defines custom resources, whose CRDs the operator waits for. */
  crds?: boolean;
  /** The operator installs its CRDs itself (`--install-crds`). */
  installCrds?: boolean;
  /** Leader election on a Lease (default true: the generated Deployment enables it). */
  leaderElection?: boolean;
}

/** Rules for one ClusterRole and one Role per namespace (keys sorted). */
export interface RbacPlan {
  cluster: PolicyRule[];
  namespaced: Record<string, PolicyRule[]>;
  /**
   * Namespaced resources the ClusterRole lets the operator read (get, list or watch) in every
   * namespace — `secrets`, `widgets.example.com`, `pods/log` — sorted; what a deployment
   * for every namespace must warn about. Empty when namespaced kinds all have Roles.
   */
  clusterWideReads: string[];
}

/** Where a grant goes: the cluster, or a list of namespaces. */
type Where = "cluster" | readonly string[];

const READS: readonly Verb[] = ["get", "list", "watch"];

class Grants {
  // scope ("" = cluster) → "group\0resource" → verbs
  private readonly byScope = new Map<string, Map<string, Set<Verb>>>();

  add(where: Where, group: string, resource: string, verbs: readonly Verb[], what: string) {
    for (const v of verbs)
      if (!VERBS.includes(v))
        throw new Error(
          `${what}: verb ${JSON.stringify(v)} on ${resource} is not one of ${VERBS.join(", ")} (wildcards are never granted)`,
        );
    for (const scope of where === "cluster" ? [""] : where) {
      const resources = this.byScope.get(scope) ?? new Map<string, Set<Verb>>();
      this.byScope.set(scope, resources);
      const key = `${group}\0${resource}`;
      const set = resources.get(key) ?? new Set<Verb>();
      resources.set(key, set);
      for (const v of verbs) set.add(v);
    }
  }

  rules(scope: string): PolicyRule[] {
    // Merge resources of one group that need the same verbs into one rule.
    const merged = new Map<string, PolicyRule>();
    for (const [key, set] of this.byScope.get(scope) ?? []) {
      const [group, resource] = key.split("\0") as [string, string];
      const verbs = VERBS.filter((v) => set.has(v));
      const id = `${group}\0${verbs.join(",")}`;
      const rule = merged.get(id) ?? { apiGroups: [group], resources: [], verbs };
      merged.set(id, rule);
      rule.resources.push(resource);
    }
    const rules = [...merged.values()];
    for (const r of rules) r.resources.sort();
    return rules.sort(
      (a, b) =>
        cmp(a.apiGroups[0]!, b.apiGroups[0]!) ||
        cmp(a.resources.join(","), b.resources.join(",")) ||
        cmp(a.verbs.join(","), b.verbs.join(",")),
    );
  }

  scopes(): string[] {
    return [...this.byScope.keys()].filter((s) => s !== "").sort(cmp);
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The minimal rules for an operator's declarations. */
export function deriveRbac(decl: Declarations, resolve: KindResolver, opts: RbacOptions): RbacPlan {
  const g = new Grants();
  const place = (k: ResolvedKind, namespaces: readonly string[] | undefined): Where =>
    !k.namespaced || !namespaces?.length ? "cluster" : namespaces;
  const clusterWideReads = new Set<string>();
  const grant = (
    where: Where,
    k: ResolvedKind,
    sub: string,
    verbs: readonly Verb[],
    what: string,
  ) => {
    const resource = sub ? `${k.plural}/${sub}` : k.plural;
    g.add(where, k.group, resource, verbs, what);
    if (where === "cluster" && k.namespaced && verbs.some((v) => READS.includes(v)))
      clusterWideReads.add(k.group ? `${k.plural}.${k.group}${sub ? `/${sub}` : ""}` : resource);
  };

  for (const c of decl.controllers) {
    const what = `controller ${JSON.stringify(c.name)}`;
    const namespaces = c.namespaces ?? opts.namespaces;
    const primary = resolve(c.for, `${what} (for)`);
    const where = place(primary, namespaces);
    grant(where, primary, "", ["get", "list", "watch", "patch"], what);
    if (primary.status) grant(where, primary, "status", ["patch"], what);
    for (const o of c.owns ?? []) {
      const owned = resolve(o, `${what} (owns)`);
      grant(place(owned, namespaces), owned, "", ["get", "list", "watch", "create", "patch"], what);
    }
    for (const w of c.watches ?? []) {
      const watched = resolve(w.kind, `${what} (watches)`);
      const scope = w.namespaces === "all" ? undefined : (w.namespaces ?? namespaces);
      grant(place(watched, scope), watched, "", READS, what);
    }
    const eventsWhere: Where = primary.namespaced
      ? where
      : namespaces?.length
        ? ["default"]
        : where;
    g.add(eventsWhere, "events.k8s.io", "events", ["create", "patch"], what);
  }

  for (const u of decl.uses) {
    const what = `op.uses(${u.kind.apiVersion} ${u.kind.kind})`;
    const k = resolve(u.kind, what);
    grant(place(k, opts.namespaces), k, u.subresource ?? "", u.verbs, what);
  }

  if (opts.leaderElection ?? true)
    g.add(
      [opts.operatorNamespace],
      "coordination.k8s.io",
      "leases",
      // watch: standbys take a released lease at once (runtime/leader/lease.ts).
      ["get", "watch", "create", "update"],
      "leader election",
    );

  if (opts.crds || opts.installCrds) {
    const verbs: Verb[] = opts.installCrds
      ? ["get", "list", "watch", "create", "patch"]
      : ["get", "list", "watch"];
    g.add("cluster", "apiextensions.k8s.io", "customresourcedefinitions", verbs, "CRDs");
  }

  const namespaced: Record<string, PolicyRule[]> = {};
  for (const ns of g.scopes()) namespaced[ns] = g.rules(ns);
  return { cluster: g.rules(""), namespaced, clusterWideReads: [...clusterWideReads].sort(cmp) };
}

/** Every rule of a plan as one line each (`ns|cluster group resource verbs`), for diffs. */
export function describeRbac(plan: Pick<RbacPlan, "cluster" | "namespaced">): string[] {
  const line = (scope: string, r: PolicyRule) =>
    `${scope} ${r.apiGroups[0] || "core"} ${r.resources.join(",")} ${r.verbs.join(",")}`;
  return [
    ...plan.cluster.map((r) => line("cluster", r)),
    ...Object.entries(plan.namespaced).flatMap(([ns, rules]) => rules.map((r) => line(ns, r))),
  ];
}
