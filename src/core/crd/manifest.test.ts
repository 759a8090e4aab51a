// The CRD manifest: derived names, versions and subresources, a fixed key order, and the
// definition-level mistakes reported together as one CrdSchemaError.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { CrdSchemaError, crdsToYaml, defineResource, z } from "./index.js";
import { Widget } from "./testdata/widget.js";

test("names are derived from the kind and can be overridden", () => {
  const Policy = defineResource({
    group: "example.com",
    kind: "NetworkPolicy",
    version: "v1",
    spec: z.object({}),
  });
  assert.deepEqual(Policy.crd().spec.names, {
    kind: "NetworkPolicy",
    listKind: "NetworkPolicyList",
    plural: "networkpolicies",
    singular: "networkpolicy",
  });
  assert.equal(Policy.name, "networkpolicies.example.com");
  const Octopus = defineResource({
    group: "example.com",
    kind: "Octopus",
    plural: "octopodes",
    scope: "Cluster",
    version: "v1",
    spec: z.object({}),
  });
  assert.equal(Octopus.crd().metadata.name, "octopodes.example.com");
  assert.equal(Octopus.crd().spec.scope, "Cluster");
});

test("versions carry served, storage, deprecation, subresources, printer columns and conversion None", () => {
  const crd = Widget.crd();
  const [v1, beta] = crd.spec.versions;
  assert.deepEqual(
    [v1?.name, v1?.served, v1?.storage, v1?.deprecated],
    ["v1", true, true, undefined],
  );
  assert.deepEqual(v1?.subresources, {
    status: {},
    scale: {
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.readyReplicas",
      labelSelectorPath: ".status.selector",
    },
  });
  assert.deepEqual(
    v1?.additionalPrinterColumns?.map((c) => c.name),
    ["Size", "Replicas", "Phase"],
  );
  assert.deepEqual(
    [beta?.name, beta?.storage, beta?.deprecated, beta?.subresources],
    ["v1beta1", false, true, undefined],
  );
  assert.match(beta?.deprecationWarning ?? "", /deprecated/);
  assert.deepEqual(crd.spec.conversion, { strategy: "None" });
});

test("YAML output has a fixed key order: manifest fields as kubectl shows them, schema keys sorted", () => {
  const yaml = crdsToYaml([Widget.crd()]);
  const top = yaml.split("\n").filter((l) => /^\S/.test(l));
  assert.deepEqual(top, [
    "apiVersion: apiextensions.k8s.io/v1",
    "kind: CustomResourceDefinition",
    "metadata:",
    "spec:",
  ]);
  const props = Object.keys(
    parse(yaml).spec.versions[0].schema.openAPIV3Schema.properties.spec.properties,
  );
  assert.deepEqual(props, [...props].sort());
  const required =
    parse(yaml).spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.ports.items
      .required;
  assert.deepEqual(required, ["name", "port"], "required keeps declaration order");
});

test("mistakes in the definition are all reported at once, each with its place", () => {
  const Broken = defineResource({
    group: "example.com",
    kind: "Broken",
    versions: {
      v1: {
        storage: true,
        spec: z.object({ a: z.string() }),
        printerColumns: [{ name: "B", type: "string", jsonPath: ".spec.b" }],
      },
      v2: {
        storage: true,
        deprecationWarning: "old",
        spec: z.object({}),
        scale: { specReplicasPath: ".status.n", statusReplicasPath: ".status.n" },
      },
    },
  });
  assert.throws(
    () => Broken.crd(),
    (e: unknown) => {
      assert.ok(e instanceof CrdSchemaError);
      assert.deepEqual(
        e.issues.map((i) => [i.path, i.rule]),
        [
          ["versions", "storage-version"],
          ["v1.printerColumns[0]", "printer-column"],
          ["v2.scale.specReplicasPath", "scale"],
          ["v2.scale.specReplicasPath", "scale"],
          ["v2.scale.statusReplicasPath", "scale"],
          ["v2.deprecationWarning", "deprecation"],
        ],
      );
      return true;
    },
  );
});
