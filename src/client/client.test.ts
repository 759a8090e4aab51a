// Every verb of the client against the real control plane: built-in kinds (namespaced and
// cluster-scoped) and a custom resource; typed errors; input checked before any request.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { KubeClient } from "./client.js";
import {
  AlreadyExistsError,
  ClientError,
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
} from "./errors.js";
import { installWidgetCrd, testNamespace, useControlPlane } from "../testing/index.js";

let kube: KubeClient;
let ns: string;
let dispose: () => Promise<void>;
const group = `c${randomBytes(3).toString("hex")}.capstan.test`;
const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;
const Widget = { apiVersion: `${group}/v1`, kind: "Widget" };

before(async () => {
  const cp = await useControlPlane();
  kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  ({ name: ns, dispose } = await testNamespace(kube, "client"));
});
after(() => dispose());

describe("client verbs on a built-in kind", () => {
  test("create, get, replace, patch (merge, strategic, JSON) and delete a ConfigMap", async () => {
    const created = await kube.create({
      ...CM,
      metadata: { name: "one", namespace: ns },
      data: { a: "1" },
    });
    assert.equal(created.metadata?.namespace, ns);
    const got = await kube.get({ ...CM, namespace: ns, name: "one" });
    assert.deepEqual(got.data, { a: "1" });
    const replaced = await kube.replace({
      ...got,
      apiVersion: "v1",
      kind: "ConfigMap",
      data: { a: "2" },
    });
    assert.deepEqual(replaced.data, { a: "2" });
    const merged = await kube.patch({ ...CM, namespace: ns, name: "one" }, { data: { b: "3" } });
    assert.deepEqual(merged.data, { a: "2", b: "3" });
    const strategic = await kube.patch(
      { ...CM, namespace: ns, name: "one" },
      { metadata: { labels: { l: "x" } } },
      { type: "strategic" },
    );
    assert.equal(strategic.metadata?.labels?.l, "x");
    const json = await kube.patch(
      { ...CM, namespace: ns, name: "one" },
      [
        { op: "test", path: "/data/a", value: "2" },
        { op: "remove", path: "/data/b" },
      ],
      { type: "json" },
    );
    assert.deepEqual(json.data, { a: "2" });
    await kube.delete({ ...CM, namespace: ns, name: "one" });
    await assert.rejects(kube.get({ ...CM, namespace: ns, name: "one" }), NotFoundError);
  });

  test("a failing JSON Patch `test` is a typed InvalidError and changes nothing", async () => {
    await kube.create({ ...CM, metadata: { name: "guarded", namespace: ns }, data: { v: "1" } });
    await assert.rejects(
      kube.patch(
        { ...CM, namespace: ns, name: "guarded" },
        [
          { op: "test", path: "/data/v", value: "2" },
          { op: "replace", path: "/data/v", value: "3" },
        ],
        { type: "json" },
      ),
      (e: unknown) =>
        e instanceof InvalidError && /patch \(json\) ConfigMap .*\/guarded/.test(e.message),
    );
    assert.equal((await kube.get({ ...CM, namespace: ns, name: "guarded" })).data?.v, "1");
  });

  test("errors name the verb and the object", async () => {
    await assert.rejects(kube.get({ ...CM, namespace: ns, name: "missing" }), (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(
        e.message,
        `get ConfigMap ${ns}/missing: NotFound: configmaps "missing" not found`,
      );
      return true;
    });
    await kube.create({ ...CM, metadata: { name: "dup", namespace: ns } });
    await assert.rejects(
      kube.create({ ...CM, metadata: { name: "dup", namespace: ns } }),
      AlreadyExistsError,
    );
  });

  test("lists across more objects than one page, following continue tokens", async () => {
    await Promise.all(
      Array.from({ length: 23 }, (_, i) =>
        kube.create({
          ...CM,
          metadata: { name: `page-${i}`, namespace: ns, labels: { set: "paged" } },
        }),
      ),
    );
    const pages: number[] = [];
    for await (const page of kube.listPages(
      { ...CM, namespace: ns },
      { labelSelector: { set: "paged" }, limit: 5 },
    ))
      pages.push(page.items.length);
    assert.deepEqual(pages, [5, 5, 5, 5, 3]);
    const all = await kube.list({ ...CM, namespace: ns }, { labelSelector: "set=paged", limit: 4 });
    assert.equal(all.items.length, 23);
    assert.ok(all.items.every((i) => i.kind === "ConfigMap" && i.apiVersion === "v1"));
    assert.match(all.resourceVersion, /^\d+$/);
  });

  test("a metadata-only list and watch carry no payload", async () => {
    await kube.create({
      ...CM,
      metadata: { name: "heavy", namespace: ns, labels: { meta: "only" } },
      data: { big: "x".repeat(10_000) },
    });
    const { items, resourceVersion } = await kube.list(
      { ...CM, namespace: ns },
      { labelSelector: "meta=only", metadataOnly: true },
    );
    assert.equal(items.length, 1);
    assert.equal(items[0]!.metadata?.name, "heavy");
    assert.equal(
      (items[0] as { data?: unknown }).data,
      undefined,
      "no data in a metadata-only list",
    );
    const abort = new AbortController();
    setTimeout(
      () => void kube.patch({ ...CM, namespace: ns, name: "heavy" }, { data: { big: "y" } }),
      100,
    );
    for await (const ev of kube.watch(
      { ...CM, namespace: ns },
      { resourceVersion, labelSelector: "meta=only", metadataOnly: true, signal: abort.signal },
    )) {
      if (ev.type !== "MODIFIED") continue;
      assert.equal(
        (ev.object as { data?: unknown }).data,
        undefined,
        "no data in a metadata-only watch event",
      );
      assert.equal((ev.object as { kind?: string }).kind, "PartialObjectMetadata");
      abort.abort();
    }
  });

  test("server-side apply reports a conflict between managers and `force` takes the field", async () => {
    const obj = (v: string) => ({
      ...CM,
      metadata: { name: "ssa", namespace: ns },
      data: { owner: v },
    });
    await kube.apply(obj("alice"), { fieldManager: "alice" });
    await assert.rejects(
      kube.apply(obj("bob"), { fieldManager: "bob" }),
      (e: unknown) => e instanceof ConflictError && /data\.owner|\.data\.owner/.test(e.message),
    );
    const forced = await kube.apply(obj("bob"), { fieldManager: "bob", force: true });
    assert.equal(forced.data?.owner, "bob");
    const managers = forced.metadata?.managedFields?.map((m) => m.manager);
    assert.ok(managers?.includes("bob"));
  });

  test("delete honours preconditions and dry-run", async () => {
    const cm = await kube.create({ ...CM, metadata: { name: "pre", namespace: ns } });
    await assert.rejects(
      kube.delete(
        { ...CM, namespace: ns, name: "pre" },
        { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } },
      ),
      ConflictError,
    );
    await kube.delete({ ...CM, namespace: ns, name: "pre" }, { dryRun: true });
    assert.equal(
      (await kube.get({ ...CM, namespace: ns, name: "pre" })).metadata?.uid,
      cm.metadata?.uid,
    );
    await kube.delete(
      { ...CM, namespace: ns, name: "pre" },
      { preconditions: { uid: cm.metadata?.uid }, propagationPolicy: "Background" },
    );
    await assert.rejects(kube.get({ ...CM, namespace: ns, name: "pre" }), NotFoundError);
  });

  test("cluster-scoped kinds need no namespace", async () => {
    const name = `capstan-test-${randomBytes(3).toString("hex")}`;
    const role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" } as const;
    await kube.create({
      ...role,
      metadata: { name },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
    });
    const got = await kube.get({ ...role, name });
    assert.equal(got.metadata?.namespace, undefined);
    assert.ok((await kube.list(role)).items.some((r) => r.metadata?.name === name));
    await kube.delete({ ...role, name });
  });

  test("scale subresource on a Deployment", async () => {
    await kube.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "c", image: "registry.invalid/x" }] },
        },
      },
    });
    const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" } as const;
    await kube.scale(ref, 3);
    assert.equal((await kube.getScale(ref)).spec.replicas, 3);
    assert.equal((await kube.get(ref)).spec?.replicas, 3);
  });

  test("bad input fails before any request, naming the field", async () => {
    await assert.rejects(
      kube.get({ ...CM, namespace: ns, name: "Not_Valid" }),
      (e: unknown) =>
        e instanceof ClientError &&
        e.step === "input" &&
        /metadata\.name "Not_Valid"/.test(e.message),
    );
    await assert.rejects(
      kube.create({ ...CM, metadata: { namespace: ns } }),
      /metadata\.name or metadata\.generateName is required/,
    );
    await assert.rejects(
      kube.get({ apiVersion: "v1", kind: "Nonsense", name: "x" }),
      (e: unknown) =>
        e instanceof ClientError &&
        e.step === "discovery" &&
        /no kind Nonsense in apiVersion v1/.test(e.message),
    );
    await assert.rejects(
      kube.create({ metadata: { name: "x" } } as never),
      /needs apiVersion and kind/,
    );
  });

  test("pod logs of a pod that never started are a typed error, not a hang", async () => {
    await kube.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "idle", namespace: ns },
      spec: { containers: [{ name: "c", image: "registry.invalid/x" }] },
    });
    // There is no kubelet on the local control plane: the API server says so.
    await assert.rejects(
      kube.logs({ name: "idle", namespace: ns }),
      (e: unknown) => e instanceof Error && /logs Pod .*\/idle/.test(e.message),
    );
  });
});

describe("client verbs on a custom resource", () => {
  test("a CRD installed after the client started is found, and its objects are served", async () => {
    await assert.rejects(kube.list({ ...Widget, namespace: ns }), /no kind Widget/);
    await installWidgetCrd(kube, group);
    const w = await kube.create({
      ...Widget,
      metadata: { name: "w1", namespace: ns },
      spec: { size: 1 },
    });
    assert.equal((w.spec as { size: number }).size, 1);
    const st = await kube.patch(
      { ...Widget, namespace: ns, name: "w1" },
      { status: { phase: "Ready" } },
      { subresource: "status" },
    );
    assert.equal((st.status as { phase: string }).phase, "Ready");
    // Writing status through the main resource does not change it (status subresource).
    await kube.patch({ ...Widget, namespace: ns, name: "w1" }, { status: { phase: "Ignored" } });
    assert.equal(
      ((await kube.get({ ...Widget, namespace: ns, name: "w1" })).status as { phase: string })
        .phase,
      "Ready",
    );
    await kube.scale({ ...Widget, namespace: ns, name: "w1" }, 4);
    assert.equal(
      ((await kube.get({ ...Widget, namespace: ns, name: "w1" })).spec as { size: number }).size,
      4,
    );
    assert.equal((await kube.list({ ...Widget, namespace: ns })).items.length, 1);
    await kube.delete({ ...Widget, namespace: ns, name: "w1" });
  });

  test("wait resolves on a predicate reached later and times out with a clear error", async () => {
    await kube.create({ ...CM, metadata: { name: "later", namespace: ns }, data: { ready: "no" } });
    const waiting = kube.wait(
      { ...CM, namespace: ns, name: "later" },
      (o) => (o.data as Record<string, string>).ready === "yes",
      { timeoutMs: 20_000 },
    );
    setTimeout(
      () => void kube.patch({ ...CM, namespace: ns, name: "later" }, { data: { ready: "yes" } }),
      300,
    );
    assert.equal(((await waiting) as { data: Record<string, string> }).data.ready, "yes");
    await assert.rejects(
      kube.wait({ ...CM, namespace: ns, name: "later" }, "condition=Ready", { timeoutMs: 1500 }),
      /wait ConfigMap .*\/later: condition=Ready not met within 1500 ms/,
    );
  });
});

describe("client authorization", () => {
  test("RBAC refusal surfaces as ForbiddenError naming verb, object and user", async () => {
    await kube.create({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "nobody", namespace: ns },
    });
    const { info } = await kube.locate({
      apiVersion: "v1",
      kind: "ServiceAccount",
      namespace: ns,
      name: "nobody",
    });
    const token = await kube.http.json<{ status: { token: string } }>({
      method: "POST",
      path: `/api/v1/namespaces/${ns}/${info.resource}/nobody/token`,
      body: {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 600 },
      },
      describe: { verb: "create token", object: `ServiceAccount ${ns}/nobody` },
    });
    const { KubeConfig } = await import("@kubernetes/client-node");
    const kc = new KubeConfig();
    const base = kube.conn.cluster;
    kc.loadFromOptions({
      clusters: [{ name: "c", server: base.server, caData: base.caData }],
      users: [{ name: "sa", token: token.status.token }],
      contexts: [{ name: "c", cluster: "c", user: "sa", namespace: ns }],
      currentContext: "c",
    });
    const asSa = KubeClient.fromKubeConfig(kc);
    await assert.rejects(asSa.list({ ...CM, namespace: ns }), (e: unknown) => {
      assert.ok(e instanceof ForbiddenError, String(e));
      assert.match(
        e.message,
        new RegExp(`^list ConfigMap in ${ns}: Forbidden: .*system:serviceaccount:${ns}:nobody`),
      );
      return true;
    });
  });
});
