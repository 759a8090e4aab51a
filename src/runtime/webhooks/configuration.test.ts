import assert from "node:assert/strict";
import { test } from "node:test";
import { Admission, deny } from "./admission.js";
import { configurations } from "./configuration.js";

const cache = () => new Admission<unknown>({ apiVersion: "example.com/v1", kind: "Cache" });
const opts = {
  name: "op",
  client: { url: "https://127.0.0.1:9443" },
  caBundle: "PEM",
  exclude: ["op-system"],
};

test("validation fails closed and mutation fails open, both with a 5 s timeout and no side effects", () => {
  const a = cache()
    .validate({ create: () => deny("no") })
    .mutate(() => undefined);
  const [v, m] = configurations([{ admission: a, resource: "caches" }], opts);
  assert.equal(v!.kind, "ValidatingWebhookConfiguration");
  assert.equal(m!.kind, "MutatingWebhookConfiguration");
  assert.deepEqual(
    [v!.webhooks[0], m!.webhooks[0]].map((w) => [
      w!.failurePolicy,
      w!.timeoutSeconds,
      w!.sideEffects,
    ]),
    [
      ["Fail", 5, "None"],
      ["Ignore", 5, "None"],
    ],
  );
});

test("only the operations with a handler are sent, at the kind's path with the CA as caBundle", () => {
  const [v] = configurations(
    [{ admission: cache().validate({ update: () => undefined }), resource: "caches" }],
    opts,
  );
  const w = v!.webhooks[0]!;
  assert.equal(w.name, "validate.caches.example.com");
  assert.deepEqual(w.rules, [
    {
      apiGroups: ["example.com"],
      apiVersions: ["v1"],
      resources: ["caches"],
      operations: ["UPDATE"],
      scope: "*",
    },
  ]);
  assert.deepEqual(w.clientConfig, {
    url: "https://127.0.0.1:9443/validate/example.com/v1/caches",
    caBundle: Buffer.from("PEM").toString("base64"),
  });
});

test("the operator's namespace and kube-system are never sent; watched namespaces limit the rest", () => {
  const [v] = configurations(
    [{ admission: cache().validate({ create: () => undefined }), resource: "caches" }],
    { ...opts, only: ["a", "b"] },
  );
  assert.deepEqual(v!.webhooks[0]!.namespaceSelector, {
    matchExpressions: [
      {
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: ["op-system", "kube-system"],
      },
      { key: "kubernetes.io/metadata.name", operator: "In", values: ["a", "b"] },
    ],
  });
});

test("a core kind's webhook gets a fully qualified name and the empty group", () => {
  const cm = new Admission<unknown>({ apiVersion: "v1", kind: "ConfigMap" }).validate({
    create: () => undefined,
  });
  const [v] = configurations([{ admission: cm, resource: "configmaps" }], opts);
  const w = v!.webhooks[0]! as { name: string; rules: { apiGroups: string[] }[] };
  assert.equal(w.name, "validate.configmaps.core.k8s.io");
  assert.deepEqual(w.rules[0]!.apiGroups, [""]);
});

test("a kind validated by its schema alone gets a validating webhook for create and update", () => {
  const a = new Admission<unknown>({ apiVersion: "example.com/v1", kind: "Cache" }, () => []);
  const [v] = configurations([{ admission: a, resource: "caches" }], opts);
  assert.equal(v!.kind, "ValidatingWebhookConfiguration");
  assert.deepEqual((v!.webhooks[0]!.rules as { operations: string[] }[])[0]!.operations, [
    "CREATE",
    "UPDATE",
  ]);
  assert.equal(v!.webhooks[0]!.failurePolicy, "Fail");
});
