// Generated RBAC, derived from declarations alone (no cluster).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ControllerSpec, ApiObject } from "../runtime/controller/reconcile.js";
import type { Declarations, Verb } from "../runtime/operator/operator.js";
import { deriveRbac, describeRbac, type RbacPlan } from "./rbac.js";
import { kindResolver, UnknownKindError, type CustomKind } from "./rbac-kinds.js";

const custom = (kind: string, plural: string, scope: CustomKind["scope"], status = true) => ({
  group: "example.com",
  kind,
  plural,
  scope,
  crd: () => ({ spec: { versions: [{ subresources: status ? { status: {} } : {} }] } }),
});
const resolve = kindResolver([
  custom("Widget", "widgets", "Namespaced"),
  custom("Cluster", "clusters", "Cluster"),
  custom("Plain", "plains", "Namespaced", false),
]);
const WIDGET = { apiVersion: "example.com/v1", kind: "Widget" };
const POD = { apiVersion: "v1", kind: "Pod" };
const SECRET = { apiVersion: "v1", kind: "Secret" };
const controller = (
  spec: Partial<ControllerSpec<ApiObject>> & Pick<ControllerSpec<ApiObject>, "for">,
): ControllerSpec<ApiObject> => ({ name: "c", reconcile: async () => undefined, ...spec });
const decl = (
  controllers: ControllerSpec<ApiObject>[],
  uses: Declarations["uses"] = [],
): Declarations => ({ controllers, uses });
const lines = (plan: Pick<RbacPlan, "cluster" | "namespaced">) => describeRbac(plan);

describe("derived RBAC", () => {
  test("a cluster-wide operator gets exactly its kinds, Events, CRD reads and a namespaced Lease", () => {
    const plan = deriveRbac(
      decl([controller({ for: WIDGET, owns: [POD] })], [{ kind: POD, verbs: ["delete"] }]),
      resolve,
      { operatorNamespace: "ops", crds: true },
    );
    assert.deepEqual(lines(plan), [
      "cluster core pods get,list,watch,create,patch,delete",
      "cluster apiextensions.k8s.io customresourcedefinitions get,list,watch",
      "cluster events.k8s.io events create,patch",
      "cluster example.com widgets get,list,watch,patch",
      "cluster example.com widgets/status patch",
      "ops coordination.k8s.io leases get,watch,create,update",
    ]);
  });

  test("watched namespaces get a Role each and the ClusterRole keeps only cluster-wide needs", () => {
    const plan = deriveRbac(
      decl(
        [controller({ for: WIDGET, owns: [{ apiVersion: "v1", kind: "ConfigMap" }] })],
        [{ kind: { apiVersion: "v1", kind: "Namespace" }, verbs: ["get"] }],
      ),
      resolve,
      { operatorNamespace: "ops", namespaces: ["b", "a"], crds: true },
    );
    assert.deepEqual(Object.keys(plan.namespaced), ["a", "b", "ops"]);
    assert.deepEqual(lines({ cluster: plan.cluster, namespaced: {} }), [
      "cluster core namespaces get",
      "cluster apiextensions.k8s.io customresourcedefinitions get,list,watch",
    ]);
    assert.deepEqual(lines({ cluster: [], namespaced: { a: plan.namespaced.a! } }), [
      "a core configmaps get,list,watch,create,patch",
      "a events.k8s.io events create,patch",
      "a example.com widgets get,list,watch,patch",
      "a example.com widgets/status patch",
    ]);
    assert.deepEqual(plan.namespaced.b, plan.namespaced.a);
    assert.deepEqual(lines({ cluster: [], namespaced: { ops: plan.namespaced.ops! } }), [
      "ops coordination.k8s.io leases get,watch,create,update",
    ]);
  });

  test("an all-namespaces operator's reads of namespaced kinds are listed as cluster-wide, Secrets included", () => {
    const plan = deriveRbac(
      decl(
        [controller({ for: WIDGET, owns: [SECRET] })],
        [
          { kind: POD, verbs: ["get"], subresource: "log" },
          { kind: POD, verbs: ["delete"] },
          { kind: { apiVersion: "v1", kind: "Namespace" }, verbs: ["get"] },
        ],
      ),
      resolve,
      { operatorNamespace: "ops", crds: true },
    );
    assert.deepEqual(plan.clusterWideReads, ["pods/log", "secrets", "widgets.example.com"]);
  });

  test("with watched namespaces Secrets get a Role per namespace and nothing is read cluster-wide", () => {
    const plan = deriveRbac(decl([controller({ for: WIDGET, owns: [SECRET] })]), resolve, {
      operatorNamespace: "ops",
      namespaces: ["a"],
      crds: true,
    });
    assert.deepEqual(plan.clusterWideReads, []);
    assert.ok(!lines(plan).some((l) => l.startsWith("cluster") && l.includes("secrets")));
    assert.ok(lines(plan).includes("a core secrets get,list,watch,create,patch"));
  });

  test("a watched kind is only read (get, list, watch) where the controller watches", () => {
    const watchSecrets = controller({
      for: WIDGET,
      watches: [{ kind: SECRET, map: () => [] }],
    });
    const plan = deriveRbac(decl([watchSecrets]), resolve, {
      operatorNamespace: "ops",
      namespaces: ["a"],
      leaderElection: false,
    });
    assert.deepEqual(lines(plan), [
      "a core secrets get,list,watch",
      "a events.k8s.io events create,patch",
      "a example.com widgets get,list,watch,patch",
      "a example.com widgets/status patch",
    ]);
  });

  test("a watch of every namespace is a cluster-wide read, listed as such", () => {
    const plan = deriveRbac(
      decl([
        controller({
          for: WIDGET,
          watches: [{ kind: SECRET, map: () => [], namespaces: "all" }],
        }),
      ]),
      resolve,
      { operatorNamespace: "ops", namespaces: ["a"], leaderElection: false },
    );
    assert.ok(lines(plan).includes("cluster core secrets get,list,watch"), lines(plan).join("\n"));
    assert.deepEqual(plan.clusterWideReads, ["secrets"]);
  });

  test("a controller's own namespaces win over the operator's", () => {
    const plan = deriveRbac(decl([controller({ for: WIDGET, namespaces: ["only"] })]), resolve, {
      operatorNamespace: "ops",
      namespaces: ["other"],
      leaderElection: false,
    });
    assert.deepEqual(Object.keys(plan.namespaced), ["only"]);
    assert.deepEqual(plan.cluster, []);
  });

  test("a cluster-scoped primary kind stays in the ClusterRole and its Events go to default", () => {
    const plan = deriveRbac(
      decl([controller({ for: { apiVersion: "example.com/v1", kind: "Cluster" } })]),
      resolve,
      { operatorNamespace: "ops", namespaces: ["a"], leaderElection: false },
    );
    assert.deepEqual(lines(plan), [
      "cluster example.com clusters get,list,watch,patch",
      "cluster example.com clusters/status patch",
      "default events.k8s.io events create,patch",
    ]);
  });

  test("kinds without a status subresource get no status rule; subresources of uses are named", () => {
    const plan = deriveRbac(
      decl(
        [controller({ for: { apiVersion: "example.com/v1", kind: "Plain" } })],
        [{ kind: POD, verbs: ["get"], subresource: "log" }],
      ),
      resolve,
      { operatorNamespace: "ops", leaderElection: false },
    );
    assert.deepEqual(lines(plan), [
      "cluster core pods/log get",
      "cluster events.k8s.io events create,patch",
      "cluster example.com plains get,list,watch,patch",
    ]);
  });

  test("CRD write access only with installCrds, and no CRD access without custom resources", () => {
    const d = decl([controller({ for: POD })]);
    const none = deriveRbac(d, resolve, { operatorNamespace: "ops" });
    assert.ok(!lines(none).some((l) => l.includes("customresourcedefinitions")));
    const install = deriveRbac(d, resolve, { operatorNamespace: "ops", installCrds: true });
    assert.ok(
      lines(install).includes(
        "cluster apiextensions.k8s.io customresourcedefinitions get,list,watch,create,patch",
      ),
    );
  });

  test("rules never contain a wildcard and do not depend on declaration order", () => {
    const a = decl(
      [controller({ for: WIDGET, owns: [POD] }), controller({ name: "d", for: POD })],
      [
        { kind: { apiVersion: "v1", kind: "Secret" }, verbs: ["get", "list"] },
        { kind: POD, verbs: ["delete"] },
      ],
    );
    const b = decl([...a.controllers].reverse(), [...a.uses].reverse());
    const opts = { operatorNamespace: "ops", crds: true };
    const plan = deriveRbac(a, resolve, opts);
    assert.deepEqual(deriveRbac(b, resolve, opts), plan);
    const all = [plan.cluster, ...Object.values(plan.namespaced)].flat();
    for (const r of all)
      for (const s of [...r.apiGroups, ...r.resources, ...r.verbs]) assert.ok(!s.includes("*"));
  });

  test("a wildcard or unknown verb in op.uses is refused, naming the kind", () => {
    assert.throws(
      () =>
        deriveRbac(decl([], [{ kind: POD, verbs: ["*" as Verb] }]), resolve, {
          operatorNamespace: "ops",
        }),
      /op\.uses\(v1 Pod\): verb "\*" on pods is not one of get, list/,
    );
  });

  test("an unknown kind fails naming the kind, where it is used and how to declare it", () => {
    assert.throws(
      () =>
        deriveRbac(
          decl([controller({ for: WIDGET, owns: [{ apiVersion: "x.io/v1", kind: "Gadget" }] })]),
          resolve,
          { operatorNamespace: "ops" },
        ),
      (e: unknown) => {
        assert.ok(e instanceof UnknownKindError);
        assert.match(e.message, /^Kind Gadget \(x\.io\/v1\), used by controller "c" \(owns\)/);
        assert.match(e.message, /Export its defineResource\(\.\.\.\) definition/);
        return true;
      },
    );
  });
});
