// "Did you mean": which served kinds an unserved apiVersion and kind most likely meant. Pure.
import assert from "node:assert/strict";
import { test } from "node:test";
import { didYouMean, suggestKinds, type ServedKind } from "./suggest.js";

const served: ServedKind[] = [
  { apiVersion: "example.com/v1beta1", kind: "Widget", resource: "widgets", singular: "widget" },
  { apiVersion: "example.com/v1beta1", kind: "Gadget", resource: "gadgets", singular: "gadget" },
  { apiVersion: "v1", kind: "ConfigMap", resource: "configmaps", singular: "configmap" },
  { apiVersion: "apps/v1", kind: "Deployment", resource: "deployments", singular: "deployment" },
  { apiVersion: "other.io/v1", kind: "Database", resource: "databases", singular: "database" },
];
const one = (apiVersion: string, kind: string) => suggestKinds(apiVersion, kind, served);

test("a kind asked for by its plural, its resource name or another case suggests the kind", () => {
  const widget = [{ apiVersion: "example.com/v1beta1", kind: "Widget" }];
  assert.deepEqual(one("example.com/v1beta1", "Widgets"), widget);
  assert.deepEqual(one("example.com/v1beta1", "widgets"), widget);
  assert.deepEqual(one("example.com/v1beta1", "widget"), widget);
});

test("a small typo in a kind suggests the kind", () => {
  assert.deepEqual(one("v1", "ConfigMpa"), [{ apiVersion: "v1", kind: "ConfigMap" }]);
});

test("a version the group does not serve suggests the version it does", () => {
  assert.deepEqual(one("example.com/v1", "Widget"), [
    { apiVersion: "example.com/v1beta1", kind: "Widget" },
  ]);
});

test("a group spelt alike suggests the served group", () => {
  assert.deepEqual(one("exmaple.com/v1beta1", "Widget"), [
    { apiVersion: "example.com/v1beta1", kind: "Widget" },
  ]);
});

test("a built-in kind asked for in the wrong built-in group suggests its group", () => {
  assert.deepEqual(one("v1", "Deployment"), [{ apiVersion: "apps/v1", kind: "Deployment" }]);
});

test("a custom kind that also exists in an unrelated group suggests nothing: its CRD may come", () => {
  assert.deepEqual(one("mine.example.net/v1", "Database"), []);
});

test("an unrelated kind suggests nothing, and a served one needs no suggestion", () => {
  assert.deepEqual(one("example.com/v1beta1", "Sprocket"), []);
  assert.deepEqual(one("example.com/v1beta1", "Widget"), []);
});

test("the sentence names the kind and its apiVersion", () => {
  assert.equal(
    didYouMean([{ apiVersion: "example.com/v1beta1", kind: "Widget" }]),
    "did you mean Widget (example.com/v1beta1)?",
  );
  assert.equal(
    didYouMean([
      { apiVersion: "a.io/v1", kind: "A" },
      { apiVersion: "b.io/v1", kind: "A" },
    ]),
    "did you mean one of A (a.io/v1), A (b.io/v1)?",
  );
  assert.equal(didYouMean([]), "");
});
