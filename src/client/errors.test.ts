// Typed API errors: a Forbidden names the RBAC rule that is missing (pure, no cluster).
import assert from "node:assert/strict";
import { test } from "node:test";
import { apiError, ForbiddenError } from "./errors.js";

const forbidden = (message: string) =>
  apiError({ verb: "apply", object: "Pod ns1/p" }, 403, {
    kind: "Status",
    status: "Failure",
    reason: "Forbidden",
    code: 403,
    message,
  });

test("a Forbidden names the missing rule's verb, resource, API group and namespace", () => {
  const e = forbidden(
    'pods "p" is forbidden: User "system:serviceaccount:ops:op" cannot create resource "pods" in API group "" in the namespace "ns1"',
  );
  assert.ok(e instanceof ForbiddenError);
  assert.deepEqual(e.rule, {
    verb: "create",
    resource: "pods",
    apiGroup: "",
    namespace: "ns1",
    user: "system:serviceaccount:ops:op",
  });
  assert.match(
    e.message,
    /^apply Pod ns1\/p: Forbidden: .* — missing RBAC rule: verb create on pods in API group "" \(core\) in namespace ns1$/,
  );
});

test("a cluster-scoped Forbidden says the rule is cluster-wide", () => {
  const e = forbidden(
    'customresourcedefinitions.apiextensions.k8s.io "x" is forbidden: User "u" cannot patch resource "customresourcedefinitions" in API group "apiextensions.k8s.io" at the cluster scope',
  ) as ForbiddenError;
  assert.equal(e.rule?.namespace, undefined);
  assert.match(
    e.message,
    /missing RBAC rule: verb patch on customresourcedefinitions in API group "apiextensions\.k8s\.io" cluster-wide$/,
  );
});

test("a Forbidden the authorizer did not word keeps the server's message as it is", () => {
  const e = forbidden("admission webhook denied the request") as ForbiddenError;
  assert.equal(e.rule, undefined);
  assert.equal(e.message, "apply Pod ns1/p: Forbidden: admission webhook denied the request");
});
