// The seeds' CRDs defined in TypeScript: the generated manifests equal the seeds' YAML apart
// from the improvements named below, the API server accepts them (and refuses the seed's
// MongoUserResource as written), and the seeds' own objects are valid.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { BadRequestError, InvalidError } from "capstan/client";
import { installCrds } from "capstan/runtime";
import { useOperatorFixture } from "capstan/testing";
import { MongoUserResource } from "./mongouser.js";
import { Sample } from "./sample.js";
import { mongoUserSeedCrd, mongoUserSeedObject, sampleSeedCrd, sampleSeedObject } from "./seeds.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What Capstan does differently on purpose:
 * - `listKind` is spelled out (the API server would add the same value);
 * - `spec` is required at the root, because the TypeScript type says every object has one.
 */
function withoutImprovements(crd: Json): Json {
  const c = structuredClone(crd);
  delete c.spec.names.listKind;
  for (const v of c.spec.versions) {
    assert.deepEqual(v.schema.openAPIV3Schema.required, ["spec"]);
    delete v.schema.openAPIV3Schema.required;
  }
  return c;
}

/**
 * What is wrong in the seed's kubecrd output: `served` and `storage` are indented into the
 * schema (the API server refuses the CRD: the version has neither), the root's `type: object`
 * is indented into `properties` (a "property" named type whose schema is the string
 * "object"), and `uniqueItems: false` is noise.
 */
function seedRepaired(crd: Json): Json {
  const c = structuredClone(crd);
  for (const v of c.spec.versions) {
    const s = v.schema.openAPIV3Schema;
    Object.assign(v, { served: s.served, storage: s.storage });
    delete s.served;
    delete s.storage;
    delete s.properties.spec.properties.roles.uniqueItems;
    delete s.properties.type;
    s.type = "object";
  }
  return c;
}

describe("the generated manifests are the seeds' apart from named improvements", () => {
  test("MongoUserResource", () => {
    assert.deepEqual(
      withoutImprovements(MongoUserResource.crd()),
      seedRepaired(parse(mongoUserSeedCrd)),
    );
  });
  test("Nuvolaris Sample", () => {
    assert.deepEqual(withoutImprovements(Sample.crd()), parse(sampleSeedCrd));
  });
});

describe("on the API server", () => {
  // The CRDs stay installed: other test files (the Sample operator, the first example)
  // use the same definitions in this shared cluster, and deleting them would race them.
  const f = useOperatorFixture({ spaces: ["seeds"] });

  test("the seed's MongoUserResource CRD as written is refused", async () => {
    await assert.rejects(
      f.kube.create(parse(mongoUserSeedCrd), { dryRun: true }),
      (e) => e instanceof InvalidError || e instanceof BadRequestError,
    );
  });

  test("both generated CRDs are Established and the seeds' objects are accepted and valid", async () => {
    await installCrds(f.kube, [MongoUserResource, Sample]);
    for (const obj of [mongoUserSeedObject, sampleSeedObject]) {
      const created = await f.kube.create({
        ...obj,
        metadata: { ...obj.metadata, namespace: f.ns.seeds },
      });
      assert.equal(created.metadata?.namespace, f.ns.seeds);
    }
    assert.equal(MongoUserResource.safeParse(mongoUserSeedObject).success, true);
    assert.equal(Sample.safeParse(sampleSeedObject).success, true);
  });

  test("a MongoUserResource without roles gets the default empty list from the API server", async () => {
    await installCrds(f.kube, [MongoUserResource]);
    const obj = {
      ...mongoUserSeedObject,
      metadata: { name: "noroles", namespace: f.ns.seeds },
      spec: { username: "u", password: "p" },
    };
    await f.kube.create(obj);
    const got = await f.kube.get({
      ...MongoUserResource.typeRef,
      namespace: f.ns.seeds,
      name: "noroles",
    });
    assert.deepEqual(got.spec.roles, []);
    assert.deepEqual(MongoUserResource.parse(obj).spec, got.spec);
  });
});
