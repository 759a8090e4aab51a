// Which namespaces a generated deployment serves, and so where its RBAC applies: its own
// namespace by default, the watched namespaces with --watch-namespace, every namespace only
// with --all-namespaces (which then warns). Run for the examples whose operators own Secrets.
// No cluster: deploy-secrets.test.ts proves the same with `kubectl auth can-i`.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import type { DeployOptions } from "./deploy.js";
import { generateCommand, generateInto, ROOT, type Obj } from "./deploy.testkit.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "capstan-deploy-scope-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const docs = (file: string): Obj[] =>
  parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);

/** Every rule as `Kind namespace resource verbs` (namespace `-` for the ClusterRole). */
const grants = (rbac: Obj[]) =>
  rbac
    .filter((o) => o.kind === "ClusterRole" || o.kind === "Role")
    .flatMap((o) =>
      (o.rules as Obj[]).flatMap((r) =>
        (r.resources as string[]).map(
          (res) => `${o.kind} ${o.metadata.namespace ?? "-"} ${res} ${r.verbs.join(",")}`,
        ),
      ),
    );

async function generate(example: string, o: Partial<DeployOptions> = {}) {
  const out = mkdtempSync(path.join(tmp, `${example}-`));
  const gen = await generateInto(path.join(ROOT, "examples", example), out, o);
  const rbacYaml = readFileSync(path.join(out, "base/rbac.yaml"), "utf8");
  const [dep] = docs(path.join(out, "base/deployment.yaml"));
  return {
    ...gen,
    rbacYaml,
    grants: grants(docs(path.join(out, "base/rbac.yaml"))),
    args: dep!.spec.template.spec.containers[0].args as string[],
  };
}

/** The `-n` flags among `capstan run`'s arguments, in order. */
const nFlags = (args: string[]) => args.flatMap((a, i) => (args[i - 1] === "-n" ? ["-n", a] : []));
/**
 * Warnings but the one for an operator with admission webhooks (MongoUser) serving its own
 * namespace only: deploy-webhooks.test.ts covers that one.
 */
const notWebhooks = (warnings: string[]) =>
  warnings.filter((w) => !/is excluded from the webhooks/.test(w));

/** `capstan generate deploy <example> --out <new dir> …flags`. */
async function cli(example: string, flags: string[]) {
  const out = mkdtempSync(path.join(tmp, `cli-${example}-`));
  const dir = path.join(ROOT, "examples", example);
  return { out, ...(await generateCommand(["deploy", dir, "--out", out, ...flags])) };
}

for (const example of ["mysql", "mongo"]) {
  describe(`generate deploy ${example}: the namespaces its RBAC reaches`, () => {
    test("by default the operator serves only its own namespace, with Secrets in a Role there", async () => {
      const g = await generate(example);
      const own = g.spec.namespace;
      assert.deepEqual(g.spec.watch, [own]);
      assert.deepEqual(
        g.grants.filter((l) => l.startsWith("ClusterRole")),
        ["ClusterRole - customresourcedefinitions get,list,watch"],
      );
      assert.ok(
        g.grants.includes(`Role ${own} secrets get,list,watch,create,patch`),
        g.grants.join("\n"),
      );
      assert.ok(g.grants.includes(`Role ${own} leases get,watch,create,update`));
      assert.deepEqual(nFlags(g.args), ["-n", own]);
      assert.ok(!g.args.includes("-A"));
      assert.deepEqual(notWebhooks(g.warnings), []);
    });

    test("--watch-namespace a,b gives a and b a Role each and keeps the Lease in the operator's namespace", async () => {
      const { out } = await cli(example, ["--watch-namespace", "a,b"]);
      const rbac = docs(path.join(out, "base/rbac.yaml"));
      const lines = grants(rbac);
      const own = rbac.find((o) => o.kind === "RoleBinding")!.subjects[0].namespace as string;
      for (const ns of ["a", "b"]) {
        assert.ok(
          lines.includes(`Role ${ns} secrets get,list,watch,create,patch`),
          lines.join("\n"),
        );
        assert.ok(lines.some((l) => l.startsWith(`Role ${ns} events create,patch`)));
      }
      assert.ok(
        !lines.some((l) => / (a|b) leases /.test(l)),
        "no Lease rule in watched namespaces",
      );
      assert.ok(lines.includes(`Role ${own} leases get,watch,create,update`));
      assert.ok(
        !lines.some((l) => l.startsWith("ClusterRole") && !l.includes("customresourcedefinitions")),
      );
      const [dep] = docs(path.join(out, "base/deployment.yaml"));
      const args = dep!.spec.template.spec.containers[0].args as string[];
      assert.deepEqual(nFlags(args), ["-n", "a", "-n", "b"]);
    });

    test("-n stays a repeatable way to name watched namespaces", async () => {
      const g = await generate(example, { namespace: ["b", "a"] });
      const roles = new Set(
        g.grants.filter((l) => l.startsWith("Role")).map((l) => l.split(" ")[1]),
      );
      assert.deepEqual([...roles].sort(), ["a", "b", g.spec.namespace].sort());
    });

    test("--all-namespaces grants Secrets cluster-wide, runs with -A and says so in rbac.yaml", async () => {
      const g = await generate(example, { allNamespaces: true });
      assert.ok(
        g.grants.includes("ClusterRole - secrets get,list,watch,create,patch"),
        g.grants.join("\n"),
      );
      assert.ok(g.args.includes("-A") && !g.args.includes("-n"));
      assert.equal(g.warnings.length, 1);
      assert.match(g.warnings[0]!, /\bsecrets\b.* in every namespace, kube-system included/);
      const comment = g.rbacYaml.split("\n").filter((l) => l.startsWith("# WARNING: "));
      assert.deepEqual(comment, [`# WARNING: ${g.warnings[0]}`]);
      // The comment is on the ClusterRole that grants it.
      const after = g.rbacYaml.slice(g.rbacYaml.indexOf("# WARNING: "));
      assert.match(after.split("\n")[1]!, /^apiVersion: rbac\.authorization\.k8s\.io\/v1$/);
      assert.match(after.split("\n")[2]!, /^kind: ClusterRole$/);
    });

    test("the command prints a warning line naming Secrets for --all-namespaces only", async () => {
      const all = await cli(example, ["--all-namespaces"]);
      assert.match(
        all.warned,
        /^warning: ServiceAccount \S+ can read [^\n]*\bsecrets\b[^\n]* in every namespace, kube-system included[^\n]*\n$/,
      );
      assert.doesNotMatch(all.printed, /warning/);
      const some = await cli(example, ["--watch-namespace", "a"]);
      assert.equal(some.warned, "");
      const own = await cli(example, []);
      assert.deepEqual(notWebhooks(own.warned.split("\n").filter(Boolean)), []);
    });
  });
}

describe("generate deploy: choosing the namespaces", () => {
  test("--all-namespaces with watched namespaces is refused, naming both flags", async () => {
    await assert.rejects(
      cli("mysql", ["--all-namespaces", "--watch-namespace", "a"]),
      /--all-namespaces and --watch-namespace a: choose one/,
    );
  });

  test("-n and --watch-namespace add up, and a repeated namespace is listed once", async () => {
    const { out } = await cli("mysql", ["-n", "b", "--watch-namespace", "a,b"]);
    const [dep] = docs(path.join(out, "base/deployment.yaml"));
    const args = dep!.spec.template.spec.containers[0].args as string[];
    assert.deepEqual(nFlags(args), ["-n", "a", "-n", "b"]);
  });
});
