// `generate deploy` for an operator with admission handlers: the webhook configurations
// pointing at a Service in front of every replica, the port, the certificate Secret and the
// RBAC limited to those names; and that it all applies to the control plane (server-side
// dry run, then for real to ask the authorizer what the ServiceAccount may do).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { kubectl, testNamespace } from "../testing/index.js";
import { deployFixture, generateInto, ROOT, type Obj } from "./deploy.testkit.js";

const fx = deployFixture();
const { tmp, cleanups, rand, docs, render, apply, byKind, dropClusterRbac } = fx;
const module = path.join(ROOT, "src", "cli", "testdata", "gatekeeper", "operator.ts");

before(() => fx.ready());

const gen = (o: Parameters<typeof generateInto>[2] = {}) =>
  generateInto(module, path.join(tmp, `out-${rand()}`), o);
const read = (out: string, f: string): Obj[] =>
  docs(readFileSync(path.join(out, "base", f), "utf8"));

describe("generate deploy with admission handlers", () => {
  test("the configurations send to the Service on 443 in the operator's namespace, without a caBundle", async () => {
    const { out } = await gen({ namespace: ["apps"] });
    const objs = read(out, "webhooks.yaml");
    const configs = [
      ...byKind(objs, "ValidatingWebhookConfiguration"),
      ...byKind(objs, "MutatingWebhookConfiguration"),
    ];
    assert.equal(configs.length, 2);
    for (const c of configs) {
      assert.equal(c.metadata.name, "gatekeeper-operator");
      const [w] = c.webhooks;
      assert.deepEqual(w.clientConfig, {
        service: {
          namespace: "gatekeeper-system",
          name: "gatekeeper-operator-webhook",
          port: 443,
          path: `/${c.kind.startsWith("V") ? "validate" : "mutate"}/gates.capstan.test/v1/gates`,
        },
      });
      assert.deepEqual(w.namespaceSelector.matchExpressions, [
        {
          key: "kubernetes.io/metadata.name",
          operator: "NotIn",
          values: ["gatekeeper-system", "kube-system"],
        },
        { key: "kubernetes.io/metadata.name", operator: "In", values: ["apps"] },
      ]);
      assert.equal(w.timeoutSeconds, 5);
      assert.equal(w.sideEffects, "None");
    }
  });

  test("the Service selects every replica and every replica serves webhooks with a Secret's certificates", async () => {
    const { out } = await gen({ namespace: ["apps"] });
    const [svc] = byKind(read(out, "webhooks.yaml"), "Service");
    const [dep] = read(out, "deployment.yaml");
    const c = dep!.spec.template.spec.containers[0];
    assert.deepEqual(svc!.spec.selector, dep!.spec.selector.matchLabels);
    assert.deepEqual(svc!.spec.ports, [
      { name: "https", port: 443, targetPort: "https-webhook", protocol: "TCP" },
    ]);
    assert.ok(c.ports.some((p: Obj) => p.name === "https-webhook" && p.containerPort === 9443));
    const args = c.args.join(" ");
    assert.match(args, /--webhook-port 9443 --webhook-service gatekeeper-operator-webhook/);
    assert.match(args, /--webhook-secret gatekeeper-operator-webhook-certs/);
    assert.match(args, /--webhook-configuration gatekeeper-operator/);
    assert.equal(c.readinessProbe.httpGet.path, "/readyz");
  });

  test("the RBAC grants the configurations and the Secret by name only", async () => {
    const { out } = await gen({ namespace: ["apps"] });
    const objs = read(out, "webhooks.yaml");
    const [cluster] = byKind(objs, "ClusterRole");
    const [role] = byKind(objs, "Role");
    assert.deepEqual(cluster!.rules, [
      {
        apiGroups: ["admissionregistration.k8s.io"],
        resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"],
        resourceNames: ["gatekeeper-operator"],
        verbs: ["get", "update", "patch"],
      },
    ]);
    assert.deepEqual(role!.rules, [
      {
        apiGroups: [""],
        resources: ["secrets"],
        resourceNames: ["gatekeeper-operator-webhook-certs"],
        verbs: ["get", "watch", "update", "patch"],
      },
    ]);
    const [secret] = byKind(objs, "Secret");
    assert.equal(secret!.metadata.labels["app.kubernetes.io/managed-by"], "capstan");
    assert.equal(secret!.data, undefined);
  });

  test("with a validate handler only, the operator may still get the mutating configuration of its name, which it looks up", async () => {
    const validator = path.join(ROOT, "src", "cli", "testdata", "validator", "operator.ts");
    const { out } = await generateInto(validator, path.join(tmp, `out-${rand()}`));
    const objs = read(out, "webhooks.yaml");
    assert.deepEqual(
      objs.filter((o) => o.kind.endsWith("WebhookConfiguration")).map((o) => o.kind),
      ["ValidatingWebhookConfiguration"],
    );
    assert.deepEqual(byKind(objs, "ClusterRole")[0]!.rules[0].resources, [
      "mutatingwebhookconfigurations",
      "validatingwebhookconfigurations",
    ]);
  });

  test("an operator that watches its own namespace is warned that its webhooks never see it", async () => {
    const { warnings } = await gen();
    assert.match(warnings.join("\n"), /gatekeeper-system is excluded from the webhooks/);
  });

  test("the base applies to the control plane with a server-side dry run", async () => {
    const ns = await testNamespace(fx.kube, "deploy-wh-dry");
    cleanups.push(() => ns.dispose());
    const { out } = await gen({ name: `dry-${rand()}`, namespaceName: ns.name, namespace: ["a"] });
    const applied = await apply(await render(path.join(out, "base")), ["--dry-run=server"]);
    assert.match(
      applied,
      /validatingwebhookconfiguration\.admissionregistration\.k8s\.io\/dry-\w+ serverside-applied \(server dry run\)/,
    );
    assert.match(
      applied,
      /mutatingwebhookconfiguration\.admissionregistration\.k8s\.io\/dry-\w+ serverside-applied/,
    );
    assert.match(applied, /service\/dry-\w+-webhook serverside-applied/);
  });

  test("applied, the ServiceAccount may update its own configurations and Secret and no others", async () => {
    const ns = await testNamespace(fx.kube, "deploy-wh-rbac");
    const name = `rbac-${rand()}`;
    cleanups.push(() => ns.dispose(), dropClusterRbac(name), dropClusterRbac(`${name}-webhooks`));
    const { out } = await gen({ name, namespaceName: ns.name, namespace: ["a"] });
    await apply([
      ...read(out, "serviceaccount.yaml"),
      ...byKind(read(out, "webhooks.yaml"), "ClusterRole"),
      ...byKind(read(out, "webhooks.yaml"), "ClusterRoleBinding"),
      ...byKind(read(out, "webhooks.yaml"), "Role"),
      ...byKind(read(out, "webhooks.yaml"), "RoleBinding"),
    ]);
    const as = `--as=system:serviceaccount:${ns.name}:${name}`;
    const can = async (...a: string[]) =>
      (await kubectl(fx.cp, ["auth", "can-i", ...a, as])).stdout.trim();
    assert.equal(await can("update", `validatingwebhookconfigurations/${name}`), "yes");
    assert.equal(await can("patch", `mutatingwebhookconfigurations/${name}`), "yes");
    assert.equal(await can("update", "validatingwebhookconfigurations/other"), "no");
    assert.equal(await can("create", "validatingwebhookconfigurations"), "no");
    assert.equal(await can("update", `secrets/${name}-webhook-certs`, "-n", ns.name), "yes");
    assert.equal(await can("get", "secrets/other", "-n", ns.name), "no");
    assert.equal(await can("list", "secrets", "-n", ns.name), "no");
  });
});

describe("generate deploy with conversions and no admission handlers", () => {
  const versions = path.join(ROOT, "examples", "versions", "operator.ts");
  const genV = (o: Parameters<typeof generateInto>[2] = {}) =>
    generateInto(versions, path.join(tmp, `out-${rand()}`), { name: "versions-operator", ...o });

  test("the webhook server gets its Service, port and Secret, with no webhook configurations", async () => {
    const { out, warnings } = await genV({ namespace: ["apps"] });
    const objs = read(out, "webhooks.yaml");
    assert.deepEqual(objs.map((o) => o.kind).sort(), [
      "ClusterRole",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "Secret",
      "Service",
    ]);
    const args = read(out, "deployment.yaml")[0]!.spec.template.spec.containers[0].args.join(" ");
    assert.match(args, /--webhook-port 9443 --webhook-service versions-operator-webhook/);
    assert.match(args, /--webhook-secret versions-operator-webhook-certs/);
    assert.doesNotMatch(args, /--webhook-configuration/);
    assert.doesNotMatch(warnings.join("\n"), /excluded from the webhooks/);
  });

  test("the CRD it converts sends conversion reviews to the Service at its path, without a caBundle", async () => {
    const { out } = await genV();
    const [crd] = read(out, "crds.yaml");
    assert.deepEqual(crd!.spec.conversion.webhook.clientConfig, {
      service: {
        namespace: "versions-system",
        name: "versions-operator-webhook",
        port: 443,
        path: "/convert/storage.example.com/buckets",
      },
    });
  });

  test("the RBAC grants get and patch on exactly the CRDs it converts", async () => {
    const { out } = await genV();
    const [cluster] = byKind(read(out, "webhooks.yaml"), "ClusterRole");
    assert.deepEqual(cluster!.rules, [
      {
        apiGroups: ["apiextensions.k8s.io"],
        resources: ["customresourcedefinitions"],
        resourceNames: ["buckets.storage.example.com"],
        verbs: ["get", "patch"],
      },
    ]);
  });

  test("the base with its CRD applies to the control plane with a server-side dry run", async () => {
    const ns = await testNamespace(fx.kube, "deploy-conv-dry");
    cleanups.push(() => ns.dispose());
    // Its own group: examples/versions' tests leave the Bucket CRD pointed at a URL, and the
    // API server refuses a URL and a Service together (docs/webhooks.md, "not done yet").
    const dial = path.join(ROOT, "src", "cli", "testdata", "converter", "operator.ts");
    const { out } = await generateInto(dial, path.join(tmp, `out-${rand()}`), {
      name: `dry-${rand()}`,
      namespaceName: ns.name,
    });
    const applied = await apply(await render(path.join(out, "base")), ["--dry-run=server"]);
    assert.match(
      applied,
      /customresourcedefinition\.apiextensions\.k8s\.io\/dials\.converter\.capstan\.test serverside-applied \(server dry run\)/,
    );
    assert.match(applied, /service\/dry-\w+-webhook serverside-applied/);
  });

  test("applied, the ServiceAccount may get and patch the CRDs it converts and no others", async () => {
    const ns = await testNamespace(fx.kube, "deploy-conv-rbac");
    const name = `rbac-${rand()}`;
    cleanups.push(() => ns.dispose(), dropClusterRbac(name), dropClusterRbac(`${name}-webhooks`));
    const { out } = await genV({ name, namespaceName: ns.name });
    const objs = read(out, "webhooks.yaml");
    await apply([
      ...read(out, "serviceaccount.yaml"),
      ...["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"].flatMap((k) =>
        byKind(objs, k),
      ),
    ]);
    const as = `--as=system:serviceaccount:${ns.name}:${name}`;
    const can = async (...a: string[]) =>
      (await kubectl(fx.cp, ["auth", "can-i", ...a, as])).stdout.trim();
    const crd = "customresourcedefinitions";
    assert.equal(await can("get", `${crd}/buckets.storage.example.com`), "yes");
    assert.equal(await can("patch", `${crd}/buckets.storage.example.com`), "yes");
    assert.equal(await can("patch", `${crd}/gates.gates.capstan.test`), "no");
    assert.equal(await can("update", `${crd}/buckets.storage.example.com`), "no");
    assert.equal(await can("list", crd), "no");
    assert.equal(await can("get", `validatingwebhookconfigurations/${name}`), "no");
    assert.equal(await can("update", `secrets/${name}-webhook-certs`, "-n", ns.name), "yes");
  });
});
