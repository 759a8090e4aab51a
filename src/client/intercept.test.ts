// Interceptors against the real control plane: what they see before a request is sent,
// refusing and changing it, the outcome of each attempt, the disposer, and the field
// manager every write carries.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KubeClient } from "./client.js";
import { NotFoundError } from "./errors.js";
import { isWrite, parseWarnings, type InterceptedRequest } from "./intercept.js";
import { testNamespace, useControlPlane } from "../testing/index.js";

const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;

describe("parseWarnings", () => {
  test("reads the text of each warning, with commas and escaped quotes inside it", () => {
    assert.deepEqual(
      parseWarnings([
        '299 - "a, b is deprecated"',
        '299 - "say \\"hi\\"", 299 - "second"',
        '299 kube-apiserver "dated" "Wed, 02 Dec 2026 10:00:00 GMT"',
      ]),
      ["a, b is deprecated", 'say "hi"', "second", "dated"],
    );
  });
});

describe("interceptors", () => {
  let config: string;
  let ns: string;
  let dispose: () => Promise<void>;
  const client = () => KubeClient.fromKubeconfig({ path: config });

  before(async () => {
    config = (await useControlPlane()).kubeconfig;
    ({ name: ns, dispose } = await testNamespace(await client(), "intercept"));
  });
  after(() => dispose());

  const cm = (name: string) => ({ ...CM, metadata: { name, namespace: ns }, data: { a: "1" } });
  const managers = async (kube: KubeClient, name: string) =>
    (await kube.get({ ...CM, namespace: ns, name })).metadata!.managedFields!.map((f) => f.manager);

  test("an interceptor sees a write's method, verb, object, path and body before it is sent", async () => {
    const kube = await client();
    const seen: InterceptedRequest[] = [];
    kube.intercept({ before: (req) => void (isWrite(req) && seen.push(req)) });
    await kube.create(cm("seen"));
    assert.equal(seen.length, 1);
    const [req] = seen;
    assert.deepEqual(
      [req!.method, req!.verb, req!.object, req!.path],
      ["POST", "create", `ConfigMap in ${ns}`, `/api/v1/namespaces/${ns}/configmaps`],
    );
    assert.deepEqual((req!.body as { data: unknown }).data, { a: "1" });
  });

  test("an interceptor that throws refuses the write: the caller gets its error and nothing is sent", async () => {
    const kube = await client();
    const sent: string[] = [];
    kube.intercept({ after: (req) => void (isWrite(req) && sent.push(req.method)) });
    kube.intercept({
      before: (req) => {
        if (isWrite(req)) throw new Error(`refused ${req.verb} ${req.object}`);
      },
    });
    await assert.rejects(kube.create(cm("refused")), {
      message: `refused create ConfigMap in ${ns}`,
    });
    assert.deepEqual(sent, [], "no write was attempted");
    await assert.rejects(kube.get({ ...CM, namespace: ns, name: "refused" }), NotFoundError);
  });

  test("an interceptor observes each attempt's status code", async () => {
    const kube = await client();
    const codes: number[] = [];
    // Discovery's requests (the first use of a kind) pass through it too; leave them out.
    kube.intercept({
      after: (req, res) => void (req.path.includes("/configmaps") && codes.push(res.code)),
    });
    await kube.create(cm("observed"));
    await kube.get({ ...CM, namespace: ns, name: "missing" }).catch(() => undefined);
    assert.deepEqual(codes, [201, 404]);
  });

  test("after its disposer runs, an interceptor sees no more requests", async () => {
    const kube = await client();
    let seen = 0;
    const stop = kube.intercept({ before: (req) => void (isWrite(req) && seen++) });
    await kube.create(cm("disposed"));
    stop();
    await kube.patch({ ...CM, namespace: ns, name: "disposed" }, { data: { b: "2" } });
    assert.equal(seen, 1);
  });

  test("an interceptor may send a changed request instead", async () => {
    const kube = await client();
    kube.intercept({
      before: (req) => (req.method === "POST" ? { ...req, body: cm("changed") } : undefined),
    });
    await kube.create(cm("original"));
    await kube.get({ ...CM, namespace: ns, name: "changed" });
  });

  test("create, merge patch and apply without a field manager are recorded under the client's, never unknown", async () => {
    const kube = await KubeClient.fromKubeconfig({ path: config, fieldManager: "mine" });
    await kube.create(cm("managed"));
    await kube.patch({ ...CM, namespace: ns, name: "managed" }, { data: { b: "2" } });
    await kube.apply({ ...CM, metadata: { name: "managed", namespace: ns }, data: { c: "3" } });
    assert.deepEqual([...new Set(await managers(kube, "managed"))], ["mine"]);
  });

  test("a field manager added by an interceptor wins over the client's default; one given to the call wins over both", async () => {
    const kube = await client();
    kube.intercept({
      before: (req) =>
        isWrite(req) && req.query.fieldManager === undefined
          ? { ...req, query: { ...req.query, fieldManager: "layer" } }
          : undefined,
    });
    await kube.create(cm("layered"));
    await kube.patch(
      { ...CM, namespace: ns, name: "layered" },
      { data: { b: "2" } },
      { fieldManager: "explicit" },
    );
    assert.deepEqual((await managers(kube, "layered")).sort(), ["explicit", "layer"]);
  });

  test("the API server's warnings reach an interceptor as texts", async () => {
    const kube = await client();
    const warnings: string[] = [];
    kube.intercept({ after: (_req, res) => void warnings.push(...res.warnings) });
    await kube.create({ ...cm("warned"), surplus: 1 } as ReturnType<typeof cm>);
    assert.deepEqual(warnings, ['unknown field "surplus"']);
  });
});
