// Storage migration on the real control plane: objects stored at v1alpha1, the CRD switched
// to store v1, `migrateStorage` run; afterwards `storedVersions` is [v1] and every object
// reads at v1 even with the conversion webhook stopped — which only works if each one is
// really stored at v1 now.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { KubeClient } from "../../client/client.js";
import { defineResource, z } from "../../core/crd/index.js";
import { eventually, runOperator, useOperatorFixture } from "../../testing/index.js";
import { installCrds } from "./crds.js";
import { migrateStorage, storageVersionHash } from "./migrate.js";

const GROUP = "migrate.capstan.test";
const alpha = z.object({ size: z.string() }); // "3"
const v1 = z.object({ size: z.number().int() }); // 3
type Obj<S> = { metadata: object; spec: S };
const up = ({ spec }: Obj<{ size: string }>) => ({ spec: { size: Number(spec.size) } });
const down = ({ spec }: Obj<{ size: number }>) => ({ spec: { size: String(spec.size) } });

/** Before: v1alpha1 is stored (the hub), v1 is served and converted. */
const Before = defineResource({
  group: GROUP,
  kind: "Gadget",
  versions: { v1alpha1: { storage: true, spec: alpha }, v1: { spec: v1 } },
  convert: { v1: { toHub: down, fromHub: up } },
});
/** After: the same versions, v1 stored (and the hub). */
const After = defineResource({
  group: GROUP,
  kind: "Gadget",
  versions: { v1alpha1: { spec: alpha }, v1: { storage: true, spec: v1 } },
  convert: { v1alpha1: { toHub: up, fromHub: down } },
});

const CRD = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" } as const;
const N = 5;
const f = useOperatorFixture({ spaces: ["main"], prefix: "migrate" });

after(async () => {
  await f.kube.delete({ ...CRD, name: After.name });
});

test("after switching storage to v1 and migrating, storedVersions is [v1] and every object is stored at v1", async () => {
  await installCrds(f.kube, [Before]);
  for (let i = 0; i < N; i++)
    await f.kube.create({
      apiVersion: `${GROUP}/v1alpha1`,
      kind: "Gadget",
      metadata: { name: `g${i}`, namespace: f.ns.main },
      spec: { size: String(i) },
    });

  await installCrds(f.kube, [After]);
  const op = await runOperator((o) => void o.serveConversion(After), {
    kubeconfig: f.cp.kubeconfig,
    namespaces: [f.ns.main],
    webhooks: true,
  });
  let result;
  try {
    // Objects still at v1alpha1 read at v1 only through the webhook: wait until it answers.
    await eventually(() => f.kube.get({ ...After.typeRef, namespace: f.ns.main, name: "g0" }));
    result = await migrateStorage(f.kube, After, { pageSize: 2 });
  } finally {
    await op.stop();
  }
  assert.deepEqual(result, { rewritten: N, skipped: 0, storedVersions: ["v1"] });
  const crd = await f.kube.get<
    typeof CRD & { name: string },
    { status: { storedVersions: string[] } }
  >({ ...CRD, name: After.name });
  assert.deepEqual(crd.status.storedVersions, ["v1"]);
  // The webhook is gone: a read at v1 works only for objects stored at v1.
  const { items } = await f.kube.list({ ...After.typeRef, namespace: f.ns.main });
  assert.deepEqual(
    items.map((o) => [o.metadata.name, o.apiVersion, o.spec.size]),
    Array.from({ length: N }, (_, i) => [`g${i}`, `${GROUP}/v1`, i]),
  );
});

test("an object changed or deleted between the list and its rewrite is skipped, not a failure", async () => {
  for (const name of ["h0", "h1", "h2"])
    await f.kube.create({
      ...After.typeRef,
      metadata: { name, namespace: f.ns.main },
      spec: { size: 1 },
    });
  // The API server's answers for h1 changed meanwhile (a stale resourceVersion: Conflict)
  // and h2 deleted meanwhile (NotFound), made certain by editing those two rewrites.
  const racing = await KubeClient.fromKubeconfig({ path: f.cp.kubeconfig });
  racing.intercept({
    before(req) {
      const body = req.body as { metadata: { name: string; resourceVersion?: string } };
      if (req.verb !== "replace") return;
      if (body.metadata.name === "h1")
        return { ...req, body: { ...body, metadata: { ...body.metadata, resourceVersion: "1" } } };
      if (body.metadata.name === "h2")
        return {
          ...req,
          path: req.path.replace(/h2$/, "gone"),
          body: { ...body, metadata: { ...body.metadata, name: "gone" } },
        };
    },
  });
  const result = await migrateStorage(racing, After);
  assert.deepEqual(result, { rewritten: N + 1, skipped: 2, storedVersions: ["v1"] });
});

test("the storage version hash is the API server's for a built-in kind", async () => {
  const apps = await f.kube.http.json<{
    resources: { name: string; storageVersionHash?: string }[];
  }>({ method: "GET", path: "/apis/apps/v1", describe: { verb: "discover", object: "apps/v1" } });
  const deployments = apps.resources.find((r) => r.name === "deployments");
  assert.equal(deployments?.storageVersionHash, storageVersionHash("apps", "v1", "Deployment"));
});
