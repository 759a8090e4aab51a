// The point of `capstan generate deploy`: the Printer operator, run as a process that
// authenticates with its generated ServiceAccount's token (in-cluster configuration, RBAC
// enforced by the real control plane), does all its work; with one rule taken out of the
// generated RBAC it fails with a Forbidden that names that rule.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { before, describe, test } from "node:test";
import { stringify } from "yaml";
import type { KubeClient } from "../client/index.js";
import { reapWithParent } from "../testing/reaper.js";
import {
  eventsFor,
  eventually,
  kubectlOk,
  testNamespace,
  type TestControlPlane,
} from "../testing/index.js";
import { deployFixture, ROOT, type Obj } from "./deploy.testkit.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, "main.js"); // the compiled CLI next to this compiled test
// The example's TypeScript source (PRINTER), as a user runs it: tsx loads it with a second
// copy of src/ beside the compiled CLI's, and the error classes must still be recognised
// across the two (core/brand.ts).
const PRINTER_KIND = { apiVersion: "examples.capstan.dev/v1", kind: "Printer" } as const;
const POD = { apiVersion: "v1", kind: "Pod" } as const;

const fx = deployFixture();
const { tmp, cleanups, rand, docs, render, apply, byKind, generate, dropClusterRbac } = fx;
let cp: TestControlPlane;
let kube: KubeClient;
before(async () => {
  await fx.ready();
  ({ cp, kube } = fx);
});

/**
 * Apply a generated base for real — all but the Deployment (no kubelet runs Pods) — and
 * run its container's command as a local process, configured exactly as in-cluster: the
 * ServiceAccount's token, the cluster CA and the namespace in a directory, the API server
 * in KUBERNETES_SERVICE_HOST/PORT, no kubeconfig. `drop` takes one verb off one resource
 * in the Role of the watched namespace before applying.
 */
async function deployAndRun(label: string, drop?: { resource: string; verb: string }) {
  const opNs = await testNamespace(kube, `${label}-op`);
  const watchNs = await testNamespace(kube, `${label}-w`);
  const name = `${label}-${rand()}`;
  cleanups.push(
    () => watchNs.dispose(),
    () => opNs.dispose(),
    dropClusterRbac(name),
  );
  const { out } = await generate({ name, namespaceName: opNs.name, namespace: [watchNs.name] });
  if (drop) {
    const file = path.join(out, "base/rbac.yaml");
    const rbac = docs(readFileSync(file, "utf8"));
    const [role] = rbac.filter((o) => o.kind === "Role" && o.metadata.namespace === watchNs.name);
    const rule = role!.rules.find((r: Obj) => r.resources.includes(drop.resource));
    assert.ok(rule.verbs.includes(drop.verb), "the rule to drop is generated");
    rule.verbs = rule.verbs.filter((v: string) => v !== drop.verb);
    writeFileSync(file, rbac.map((o) => stringify(o)).join("---\n"));
  }
  const objs = await render(path.join(out, "base"));
  await apply(
    objs.filter((o) => o.kind !== "Deployment"),
    ["--force-conflicts"],
  );

  const sa = path.join(tmp, `sa-${name}`);
  mkdirSync(sa);
  const token = await kubectlOk(cp, ["create", "token", name, "-n", opNs.name, "--duration=1h"]);
  const cluster = kube.conn.cluster;
  const ca = cluster.caData ? Buffer.from(cluster.caData, "base64") : readFileSync(cluster.caFile!);
  for (const [f, body] of [
    ["token", token.trim()],
    ["ca.crt", ca],
    ["namespace", opNs.name],
  ] as const)
    writeFileSync(path.join(sa, f), body);

  const [dep] = byKind(objs, "Deployment");
  const args = [...(dep!.spec.template.spec.containers[0].args as string[])];
  args[args.indexOf("--health-port") + 1] = "0"; // any free port: tests run side by side
  const server = new URL(cp.server);
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT, // the image's working directory: the module path is relative to it
    env: {
      PATH: process.env.PATH,
      HOME: sa, // no ~/.kube/config to fall back on
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      CAPSTAN_SERVICEACCOUNT_DIR: sa,
      POD_NAME: `${name}-pod`,
      POD_NAMESPACE: opNs.name,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  reapWithParent(child.pid!);
  let logs = "";
  // setEncoding decodes across chunks: a character may be split between two.
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (logs += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (logs += d));
  const stop = () => stopChild(child);
  cleanups.push(stop);
  return { name, opNs: opNs.name, ns: watchNs.name, logs: () => logs, stop, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => process.kill(child.pid!, "SIGKILL"), 20_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    process.kill(child.pid!, "SIGTERM");
  });
}

const printer = (ns: string, name: string, message: string) => ({
  ...PRINTER_KIND,
  metadata: { name, namespace: ns },
  spec: { message },
});
const podsOf = async (ns: string, name: string) =>
  (
    await kube.list(
      { ...POD, namespace: ns },
      { labelSelector: { "examples.capstan.dev/printer": name } },
    )
  ).items;

describe("the printer operator as its generated ServiceAccount", () => {
  test("does all its work with RBAC enforced: Pod, status, replacement and the leader Lease", async () => {
    const op = await deployAndRun("deploy-ok");
    const created = (await kube.create(printer(op.ns, "hello", "hello, RBAC"))) as Obj;
    const [pod] = await eventually(
      async () => {
        const pods = await podsOf(op.ns, "hello");
        assert.equal(pods.length, 1, op.logs());
        return pods;
      },
      { timeoutMs: 60_000, what: "the Printer's Pod" },
    );
    assert.equal(pod!.metadata!.ownerReferences![0]!.uid, created.metadata.uid);
    await eventually(async () => {
      const p = (await kube.get({ ...PRINTER_KIND, namespace: op.ns, name: "hello" })) as Obj;
      assert.equal(p.status?.pod, pod!.metadata!.name);
      assert.equal(p.status?.observedGeneration, 1);
    });
    // A new message replaces the Pod: create the new one, delete the old one (`op.uses`).
    await kube.patch(
      { ...PRINTER_KIND, namespace: op.ns, name: "hello" },
      { spec: { message: "second" } },
      { type: "merge" },
    );
    await eventually(async () => {
      const pods = await podsOf(op.ns, "hello");
      assert.equal(pods.length, 1);
      assert.notEqual(pods[0]!.metadata!.name, pod!.metadata!.name);
      assert.deepEqual(pods[0]!.spec!.containers[0]!.command, ["printf", "%s\n", "second"]);
    });
    const lease = (await kube.get({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      namespace: op.opNs,
      name: "printer-leader",
    })) as Obj;
    assert.equal(lease.spec.holderIdentity, `${op.name}-pod`);
    assert.doesNotMatch(op.logs(), /Forbidden|could not record/);
    await op.stop();
    assert.equal(op.child.exitCode, 0, op.logs());
  });

  test("a rule missing from the generated RBAC fails with a Forbidden that names it", async () => {
    const op = await deployAndRun("deploy-deny", { resource: "pods", verb: "create" });
    await kube.create(printer(op.ns, "denied", "never printed"));
    const missing = new RegExp(
      `missing RBAC rule: verb create on pods in API group "" \\(core\\) in namespace ${op.ns}`,
    );
    // The status condition, the Event and the log all carry it.
    const p = await kube.get({ ...PRINTER_KIND, namespace: op.ns, name: "denied" });
    const warning = await eventually(
      async () => {
        const warnings = (await eventsFor(kube, p)).filter((e) => e.type === "Warning");
        const w = warnings.find((e) => missing.test(e.note ?? ""));
        assert.ok(w, `a Warning Event names the rule:\n${op.logs()}`);
        return w;
      },
      { timeoutMs: 60_000, what: "a Warning Event naming the missing rule" },
    );
    assert.equal(warning.reason, "ReconcileError");
    // The Printer creates its Pod by POST (ensureChild never creates by apply).
    assert.match(warning.note!, /^create Pod in .*: Forbidden: /);
    const logged = op
      .logs()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Obj)
      .find((l) => l.err?.type === "ForbiddenError");
    assert.ok(logged, `a log line reports the Forbidden:\n${op.logs()}`);
    assert.match(logged.err.message, missing);
    assert.equal(logged.key, `${op.ns}/denied`);
    const status = (await kube.get({ ...PRINTER_KIND, namespace: op.ns, name: "denied" }))
      .status as Obj;
    const reconciled = status.conditions?.find((c: Obj) => c.type === "Reconciled");
    assert.equal(reconciled?.status, "False", JSON.stringify(status));
    assert.match(reconciled.message, missing);
    assert.deepEqual(await podsOf(op.ns, "denied"), []);
  });
});
