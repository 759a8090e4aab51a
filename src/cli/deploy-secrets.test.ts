// Least privilege that holds for Secrets: the MySQL and Mongo operators own Secrets, and the
// RBAC `generate deploy` writes for them, applied to the real control plane, lets their
// ServiceAccount read Secrets only where the operator is deployed to work. Asked of the API
// server's authorizer with `kubectl auth can-i --as=system:serviceaccount:<ns>:<name>`.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { eventually, kubectl, testNamespace, type TestControlPlane } from "../testing/index.js";
import { deployFixture, generateCommand, ROOT } from "./deploy.testkit.js";

const fx = deployFixture();
const { tmp, cleanups, rand, docs, apply, dropClusterRbac } = fx;
let cp: TestControlPlane;
before(async () => {
  await fx.ready();
  ({ cp } = fx);
});

/**
 * Generate for an example with `flags(a)` into fresh namespaces (the operator's own, a and b),
 * apply its ServiceAccount and RBAC, and return `can(verb, resource, ...where)` asked as it.
 */
async function deployRbac(example: string, flags: (a: string) => string[]) {
  const [own, a, b] = await Promise.all(
    ["op", "a", "b"].map((s) => testNamespace(fx.kube, `${example}-${s}`)),
  );
  const name = `${example}-${rand()}`;
  cleanups.push(
    () => a!.dispose(),
    () => b!.dispose(),
    () => own!.dispose(),
    dropClusterRbac(name),
  );
  const out = mkdtempSync(path.join(tmp, `${example}-`));
  const { warned } = await generateCommand([
    "deploy",
    path.join(ROOT, "examples", example),
    ...["--out", out, "--name", name, "--namespace-name", own!.name],
    ...flags(a!.name),
  ]);
  const read = (f: string) => docs(readFileSync(path.join(out, "base", f), "utf8"));
  await apply([...read("serviceaccount.yaml"), ...read("rbac.yaml")]);
  const as = `--as=system:serviceaccount:${own!.name}:${name}`;
  /** "yes" or "no", as the authorizer answers (anything else fails the assertion using it). */
  const can = async (verb: string, resource: string, ...where: string[]) =>
    (await kubectl(cp, ["auth", "can-i", verb, resource, ...where, as])).stdout.trim();
  return { a: a!.name, b: b!.name, warned, can };
}

for (const example of ["mysql", "mongo"]) {
  describe(`the ${example} operator's generated ServiceAccount`, () => {
    test("deployed for namespace a, it reads Secrets in a and nowhere else, kube-system included", async () => {
      const op = await deployRbac(example, (a) => ["--watch-namespace", a]);
      assert.equal(op.warned, "");
      // Both the Role in a and the ClusterRole (CRD reads) are in force: every "no" below
      // is the authorizer's answer to the whole applied RBAC, not to a part of it.
      await eventually(async () => {
        assert.equal(await op.can("get", "secrets", "-n", op.a), "yes");
        assert.equal(await op.can("list", "customresourcedefinitions"), "yes");
      });
      assert.equal(await op.can("list", "secrets", "-n", op.a), "yes");
      for (const ns of [op.b, "kube-system", "default"])
        for (const verb of ["get", "list", "watch"])
          assert.equal(await op.can(verb, "secrets", "-n", ns), "no", `${verb} secrets in ${ns}`);
      assert.equal(await op.can("list", "secrets", "--all-namespaces"), "no");
      assert.equal(await op.can("watch", "secrets", "--all-namespaces"), "no");
    });

    test("deployed for all namespaces, it reads every Secret and the command warns about it", async () => {
      const op = await deployRbac(example, () => ["--all-namespaces"]);
      assert.match(op.warned, /^warning: .*\bsecrets\b.* in every namespace, kube-system included/);
      await eventually(async () => {
        assert.equal(await op.can("list", "secrets", "--all-namespaces"), "yes");
      });
      assert.equal(await op.can("get", "secrets", "-n", "kube-system"), "yes");
      assert.equal(await op.can("list", "secrets", "-n", op.b), "yes");
    });
  });
}
