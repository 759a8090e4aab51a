// The local control plane behaves like a real cluster: API ready, pinned version, CRDs,
// garbage collection, namespace deletion, workloads and RBAC. Driven with the control
// plane's own kubectl so these tests do not depend on Capstan's client.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { readPin } from "./binaries.js";
import {
  eventually,
  kubectl,
  kubectlOk,
  useControlPlane,
  type TestControlPlane,
} from "../testing/index.js";

let cp: TestControlPlane;
const ns = `cp-${randomBytes(3).toString("hex")}`;
const k = (args: string[], input?: string) => kubectlOk(cp, args, { input });
const json = async (args: string[]) => JSON.parse(await k([...args, "-o", "json"]));

before(async () => {
  cp = await useControlPlane();
  await k(["create", "namespace", ns]);
});
after(async () => {
  await kubectl(cp, ["delete", "namespace", ns, "--wait=false"]);
});

const crd = (group: string) => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.${group} }
spec:
  group: ${group}
  scope: Namespaced
  names: { kind: Widget, plural: widgets, singular: widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { size: { type: integer } } }
`;

describe("the local control plane", () => {
  test("answers /readyz with ok", async () => {
    assert.equal((await k(["get", "--raw", "/readyz"])).trim(), "ok");
  });

  test("reports the pinned Kubernetes version", async () => {
    const v = JSON.parse(await k(["version", "-o", "json"]));
    assert.equal(v.serverVersion.gitVersion, readPin().kubernetes);
  });

  test("has the default namespace and its default service account", async () => {
    const sa = await json(["get", "serviceaccount", "default", "-n", "default"]);
    assert.equal(sa.metadata.name, "default");
  });

  test("registers a CRD that becomes Established and stores custom objects", async () => {
    const group = `${ns}.capstan.test`;
    await k(["apply", "-f", "-"], crd(group));
    await k(["wait", "--for=condition=Established", `crd/widgets.${group}`, "--timeout=30s"]);
    const obj = {
      apiVersion: `${group}/v1`,
      kind: "Widget",
      metadata: { name: "w1", namespace: ns },
      spec: { size: 3 },
    };
    await k(["create", "-f", "-"], JSON.stringify(obj));
    const back = await json(["get", `widgets.${group}`, "w1", "-n", ns]);
    assert.equal(back.spec.size, 3);
    assert.ok(back.metadata.uid);
    await k(["delete", "crd", `widgets.${group}`, "--wait=false"]);
  });

  test("garbage-collects a ConfigMap whose owner ConfigMap is deleted", async () => {
    await k(["create", "configmap", "owner", "-n", ns]);
    const owner = await json(["get", "configmap", "owner", "-n", ns]);
    const child = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "child",
        namespace: ns,
        ownerReferences: [
          { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid },
        ],
      },
    };
    await k(["create", "-f", "-"], JSON.stringify(child));
    await k(["delete", "configmap", "owner", "-n", ns]);
    await eventually(
      async () => {
        const r = await kubectl(cp, ["get", "configmap", "child", "-n", ns]);
        assert.match(r.stderr, /NotFound/);
      },
      { timeoutMs: 60_000, what: "the child ConfigMap to be collected" },
    );
  });

  test("garbage-collects a ConfigMap whose owner is a custom object", async () => {
    const group = `gc-${ns}.capstan.test`;
    await k(["apply", "-f", "-"], crd(group));
    await k(["wait", "--for=condition=Established", `crd/widgets.${group}`, "--timeout=30s"]);
    const w = {
      apiVersion: `${group}/v1`,
      kind: "Widget",
      metadata: { name: "owner", namespace: ns },
    };
    await k(["create", "-f", "-"], JSON.stringify(w));
    const owner = await json(["get", `widgets.${group}`, "owner", "-n", ns]);
    const child = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "widget-child",
        namespace: ns,
        ownerReferences: [
          { apiVersion: `${group}/v1`, kind: "Widget", name: "owner", uid: owner.metadata.uid },
        ],
      },
    };
    await k(["create", "-f", "-"], JSON.stringify(child));
    await k(["delete", `widgets.${group}`, "owner", "-n", ns]);
    // The garbage collector learns about new CRDs on its 30 s discovery resync.
    await eventually(
      async () => {
        const r = await kubectl(cp, ["get", "configmap", "widget-child", "-n", ns]);
        assert.match(r.stderr, /NotFound/);
      },
      { timeoutMs: 90_000, intervalMs: 1000, what: "the custom object's child to be collected" },
    );
    await k(["delete", "crd", `widgets.${group}`, "--wait=false"]);
  });

  test("finishes deleting a namespace that holds objects", async () => {
    const doomed = `${ns}-doomed`;
    await k(["create", "namespace", doomed]);
    await k(["create", "configmap", "c", "-n", doomed, "--from-literal=a=b"]);
    await k(["create", "serviceaccount", "s", "-n", doomed]);
    await k(["delete", "namespace", doomed, "--wait=false"]);
    await eventually(
      async () => {
        const r = await kubectl(cp, ["get", "namespace", doomed]);
        assert.match(r.stderr, /NotFound/);
      },
      { timeoutMs: 60_000, what: `namespace ${doomed} to be gone` },
    );
  });

  test("gives a Deployment its ReplicaSet", async () => {
    await k([
      "create",
      "deployment",
      "web",
      "-n",
      ns,
      "--image=registry.invalid/web:1",
      "--replicas=2",
    ]);
    const rs = await eventually(
      async () => {
        const list = await json(["get", "replicasets", "-n", ns, "-l", "app=web"]);
        assert.equal(list.items.length, 1);
        return list.items[0];
      },
      { what: "the Deployment's ReplicaSet" },
    );
    assert.equal(rs.metadata.ownerReferences[0].kind, "Deployment");
    assert.equal(rs.spec.replicas, 2);
    // The ReplicaSet controller creates the Pods too (they stay Pending: no nodes).
    await eventually(async () => {
      const pods = await json(["get", "pods", "-n", ns, "-l", "app=web"]);
      assert.equal(pods.items.length, 2);
    });
  });

  test("enforces RBAC: a bare service account is refused until a Role is bound", async () => {
    await k(["create", "serviceaccount", "reader", "-n", ns]);
    const token = (await k(["create", "token", "reader", "-n", ns, "--duration=10m"])).trim();
    // Talk as the service account only: an empty kubeconfig, so the admin certificate is not sent.
    const bare = [
      "--server",
      cp.server,
      "--certificate-authority",
      `${cp.dir}/pki/ca.crt`,
      "--token",
      token,
    ];
    const run = (args: string[]) =>
      kubectl({ bin: cp.bin, kubeconfig: "/dev/null" }, [...bare, ...args]);
    const refused = await run(["get", "configmaps", "-n", ns]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /forbidden/i);
    assert.match(refused.stderr, new RegExp(`system:serviceaccount:${ns}:reader`));
    await k(["create", "role", "cm-reader", "-n", ns, "--verb=get,list", "--resource=configmaps"]);
    await k([
      "create",
      "rolebinding",
      "cm-reader",
      "-n",
      ns,
      "--role=cm-reader",
      `--serviceaccount=${ns}:reader`,
    ]);
    await eventually(async () => {
      const ok = await run(["get", "configmaps", "-n", ns, "-o", "name"]);
      assert.equal(ok.code, 0, ok.stderr);
    });
    // The grant is exactly what the Role says: writing stays forbidden.
    const write = await run(["create", "configmap", "nope", "-n", ns]);
    assert.match(write.stderr, /forbidden/i);
  });
});
