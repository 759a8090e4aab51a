// Pure core logic: apiVersion parsing, name rules, selectors, object checks and the
// kind → type map (checked at compile time).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ConfigMap } from "kubernetes-types/core/v1.js";
import type { Deployment } from "kubernetes-types/apps/v1.js";
import {
  checkApiVersion,
  checkLabels,
  checkNameAs,
  checkObject,
  describe as describeObject,
  fieldSelector,
  labelSelector,
  parseApiVersion,
  ValidationError,
  type IsRegistered,
  type KubeObject,
  type KindObject,
  type TypedObject,
} from "./index.js";

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

describe("core", () => {
  test("an apiVersion splits into group and version, the core group being empty", () => {
    assert.deepEqual(parseApiVersion("v1"), { group: "", version: "v1" });
    assert.deepEqual(parseApiVersion("apps/v1"), { group: "apps", version: "v1" });
    assert.deepEqual(parseApiVersion("example.com/v1alpha1"), {
      group: "example.com",
      version: "v1alpha1",
    });
  });

  test("a malformed apiVersion is a problem with its path, and parsing it throws", () => {
    assert.deepEqual(
      checkApiVersion("a/b/c").map((p) => p.code),
      ["invalid"],
    );
    assert.equal(checkApiVersion(undefined)[0]?.code, "required");
    assert.throws(() => parseApiVersion("Apps/v1"), ValidationError);
  });

  test("names follow the rule of their kind", () => {
    assert.deepEqual(checkNameAs("web-1", "dns1123-label"), []);
    assert.equal(checkNameAs("web.1", "dns1123-label")[0]?.code, "invalid-name");
    assert.deepEqual(checkNameAs("web.1", "dns1123-subdomain"), []);
    assert.deepEqual(checkNameAs("system:controller:x", "path-segment"), []);
    assert.equal(checkNameAs("a/b", "path-segment")[0]?.code, "invalid-name");
    assert.equal(checkNameAs("1abc", "rfc1035-label")[0]?.code, "invalid-name");
  });

  test("labels are checked key by key with the offending path", () => {
    const problems = checkLabels({ "example.com/ok": "yes", "bad key": "x", ok: "-bad" });
    assert.deepEqual(
      problems.map((p) => p.path),
      ["metadata.labels.bad key", "metadata.labels.ok"],
    );
  });

  test("label selectors are built from maps and from LabelSelector objects", () => {
    assert.equal(labelSelector({ app: "web", tier: "front" }), "app=web,tier=front");
    assert.equal(
      labelSelector({
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["a", "b"] },
          { key: "canary", operator: "DoesNotExist" },
        ],
      }),
      "app=web,env in (a,b),!canary",
    );
    assert.throws(
      () => labelSelector({ matchExpressions: [{ key: "x", operator: "In" }] }),
      (e: unknown) =>
        e instanceof ValidationError && e.problems[0]?.path === "matchExpressions[0].values",
    );
  });

  test("field selector values are escaped", () => {
    assert.equal(fieldSelector({ "metadata.name": "a,b=c\\d" }), "metadata.name=a\\,b\\=c\\\\d");
  });

  test("objects are described as Kind namespace/name", () => {
    assert.equal(
      describeObject({ kind: "ConfigMap", namespace: "ns", name: "x" }),
      "ConfigMap ns/x",
    );
    assert.equal(describeObject({ kind: "Namespace", metadata: { name: "ns" } }), "Namespace ns");
  });

  test("an object without apiVersion, kind or name has one problem per missing field", () => {
    const problems = checkObject({ metadata: {} });
    assert.deepEqual(
      problems.map((p) => p.path),
      ["apiVersion", "kind", "metadata.name"],
    );
    assert.deepEqual(
      checkObject(
        { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "x-" } },
        { name: "or-generate" },
      ),
      [],
    );
  });

  test("apiVersion and kind select the built-in type at compile time", () => {
    const checks: [
      Equal<KindObject<"v1", "ConfigMap">, ConfigMap>,
      Equal<KindObject<"apps/v1", "Deployment">, Deployment>,
      Equal<KindObject<"example.com/v1", "Widget">, KubeObject>,
      Equal<TypedObject<{ apiVersion: "v1"; kind: "ConfigMap" }>, ConfigMap>,
      IsRegistered<"v1", "ConfigMapList">,
    ] = [true, true, true, true, false];
    assert.deepEqual(checks, [true, true, true, true, false]);
  });
});
