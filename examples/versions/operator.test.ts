// The Bucket example on the local control plane: its operator serves the conversion webhook
// (the local loop points the CRD at it), so a Bucket written at v1alpha1 reads at v1 and
// back without loss, and the storage migration leaves only v1 stored.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { migrateStorage } from "capstan/runtime";
import { eventually, kubectl, useOperatorFixture } from "capstan/testing";
import buckets, { Bucket } from "./operator.js";

const f = useOperatorFixture({ crds: [Bucket], spaces: ["versions"] });
// The sample next to the source, not the compiled test (dist/ has no YAML).
const sample = new URL("../../../examples/versions/samples/bucket-v1alpha1.yaml", import.meta.url);

test("a Bucket applied at v1alpha1 reads at v1, and back at v1alpha1 as it was written", async () => {
  await f.run(buckets, { namespaces: [f.ns.versions], webhooks: true });
  // The API server takes up the CRD's new webhook address a moment after the operator sets it.
  await eventually(async () => {
    const r = await kubectl(f.cp, ["apply", "-n", f.ns.versions, "-f", "-"], {
      input: await readFile(sample, "utf8"),
    });
    assert.equal(r.code, 0, r.stderr);
  });
  const v1 = await f.kube.get({ ...Bucket.typeRef, namespace: f.ns.versions, name: "photos" });
  assert.deepEqual(v1.spec, { size: "10Gi", access: "public" });

  const r = await kubectl(f.cp, [
    "get",
    "buckets.v1alpha1.storage.example.com",
    "photos",
    "-n",
    f.ns.versions,
    "-o",
    "jsonpath={.spec}",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { sizeGi: 10, public: true, region: "eu-west" });
});

test("a field only v1 has survives an edit at v1alpha1, and migrating leaves only v1 stored", async () => {
  await f.run(buckets, { namespaces: [f.ns.versions], webhooks: true });
  const ref = { ...Bucket.typeRef, namespace: f.ns.versions, name: "archive" };
  await eventually(() =>
    f.kube.create({
      ...Bucket.typeRef,
      metadata: { name: "archive", namespace: f.ns.versions },
      spec: { size: "5Gi", retentionDays: 30 },
    }),
  );
  const alpha = { ...ref, apiVersion: "storage.example.com/v1alpha1" };
  await f.kube.patch(alpha, { spec: { sizeGi: 8 } });
  const v1 = await f.kube.get(ref);
  assert.deepEqual(v1.spec, { size: "8Gi", access: "private", retentionDays: 30 });

  const result = await migrateStorage(f.kube, Bucket);
  assert.deepEqual(result.storedVersions, ["v1"]);
});
