// One ConversionReview in, one out, without a server: every object converted through the
// hub with the request's uid, or a Failure that names the object and the converter.
import assert from "node:assert/strict";
import { test } from "node:test";
import { defineResource, z } from "../../core/crd/index.js";
import { convertReview, type ConversionReview } from "./conversion.js";

const Gauge = defineResource({
  group: "review.capstan.test",
  kind: "Gauge",
  versions: {
    v1alpha1: { spec: z.object({ max: z.number() }) },
    v1: { storage: true, spec: z.object({ limit: z.number() }) },
  },
  convert: {
    v1alpha1: {
      toHub: ({ spec }) => {
        if (spec.max < 0) throw new Error(`spec.max: ${spec.max} is negative`);
        return { spec: { limit: spec.max } };
      },
      fromHub: ({ spec }) => ({ spec: { max: spec.limit } }),
    },
  },
});

const gauge = (name: string, max: number) => ({
  apiVersion: "review.capstan.test/v1alpha1",
  kind: "Gauge",
  metadata: { name, namespace: "ns", uid: `uid-${name}` },
  spec: { max },
});
const reviewOf = (objects: unknown[]): ConversionReview => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "ConversionReview",
  request: { uid: "r-1", desiredAPIVersion: "review.capstan.test/v1", objects },
});

test("every object of a review is converted to the desired version, under the request's uid", () => {
  const answer = convertReview(reviewOf([gauge("a", 1), gauge("b", 2)]), Gauge);
  assert.equal(answer.response?.uid, "r-1");
  assert.deepEqual(answer.response?.result, { status: "Success" });
  assert.deepEqual(
    answer.response?.convertedObjects.map((o) => {
      const g = o as { apiVersion: string; metadata: { uid: string }; spec: unknown };
      return [g.apiVersion, g.metadata.uid, g.spec];
    }),
    [
      ["review.capstan.test/v1", "uid-a", { limit: 1 }],
      ["review.capstan.test/v1", "uid-b", { limit: 2 }],
    ],
  );
});

test("one object that fails fails the review with a message naming it, the versions and the field", () => {
  const answer = convertReview(reviewOf([gauge("a", 1), gauge("neg", -1)]), Gauge);
  assert.deepEqual(answer.response?.convertedObjects, []);
  assert.deepEqual(answer.response?.result, {
    status: "Failure",
    message:
      "convert Gauge ns/neg from review.capstan.test/v1alpha1 to review.capstan.test/v1: v1alpha1.toHub failed: spec.max: -1 is negative",
  });
});

test("a desired version of another group is a Failure, not a guess", () => {
  const r = reviewOf([gauge("a", 1)]);
  r.request!.desiredAPIVersion = "other.example.com/v1";
  const answer = convertReview(r, Gauge);
  assert.equal(answer.response?.result.status, "Failure");
  assert.match(
    answer.response?.result.message ?? "",
    /other\.example\.com\/v1 is not a version of Gauge/,
  );
});
