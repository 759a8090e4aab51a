// What the `generate deploy` tests share: the control plane, a temp dir, cleanups run in
// reverse, and helpers to generate for the Printer example, render with kustomize and apply;
// and `generateCommand`, which runs the command line as a user does, without a cluster.
// Registers its before/after hooks in the test file that calls `deployFixture()`.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { Command } from "commander";
import { parseAllDocuments, stringify } from "yaml";
import { KubeClient } from "../client/index.js";
import { kubectlOk, useControlPlane, type TestControlPlane } from "../testing/index.js";
import { generateDeploy, type DeployOptions } from "./deploy.js";
import { registerGenerate } from "./generate.js";

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const here = path.dirname(fileURLToPath(import.meta.url));
let root = here;
while (!existsSync(path.join(root, "package.json"))) root = path.dirname(root);
/** The package root, and the Printer example's TypeScript source (what a user generates for). */
export const ROOT = root;
export const PRINTER = path.join(ROOT, "examples", "printer");

/** `generateDeploy` for a module into `out`, with the command line's defaults. */
export async function generateInto(module: string, out: string, o: Partial<DeployOptions> = {}) {
  const gen = await generateDeploy(module, {
    out,
    replicas: 1,
    namespace: [],
    allNamespaces: false,
    installCrds: false,
    ...o,
  });
  return { out, ...gen };
}

/** `capstan generate <args>` as the command line runs it: what it prints and what it warns. */
export async function generateCommand(args: string[]) {
  const program = new Command().exitOverride();
  let printed = "";
  let warned = "";
  registerGenerate(
    program,
    { write: (s: string) => (printed += s) },
    { write: (s: string) => (warned += s) },
  );
  await program.parseAsync(["generate", ...args], { from: "user" });
  return { printed, warned };
}

export function deployFixture() {
  const fx = {
    cp: undefined as unknown as TestControlPlane,
    kube: undefined as unknown as KubeClient,
    tmp: mkdtempSync(path.join(os.tmpdir(), "capstan-deploy-")),
    cleanups: [] as (() => Promise<unknown>)[],
    rand: () => Math.random().toString(16).slice(2, 8),
    docs: (yaml: string): Obj[] =>
      parseAllDocuments(yaml)
        .map((d) => d.toJS() as Obj)
        .filter(Boolean),
    render: async (dir: string) => fx.docs(await kubectlOk(fx.cp, ["kustomize", dir])),
    apply: (objs: Obj[], extra: string[] = []) =>
      kubectlOk(
        fx.cp,
        ["apply", "--server-side", "--field-manager=deploy-test", ...extra, "-f", "-"],
        { input: objs.map((o) => stringify(o)).join("---\n") },
      ),
    byKind: (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind),
    /** Delete the cluster-scoped RBAC a generated base creates (namespaces go with testNamespace). */
    dropClusterRbac: (name: string) => () =>
      Promise.all(
        ["ClusterRoleBinding", "ClusterRole"].map((kind) =>
          fx.kube.delete({ apiVersion: "rbac.authorization.k8s.io/v1", kind, name }),
        ),
      ),
    generate: (o: Partial<DeployOptions> = {}) =>
      generateInto(PRINTER, mkdtempSync(path.join(fx.tmp, "out-")), o),
  };
  let setUp: Promise<void> | undefined;
  const ready = () =>
    (setUp ??= (async () => {
      fx.cp = await useControlPlane();
      fx.kube = await KubeClient.fromKubeconfig({ path: fx.cp.kubeconfig });
    })());
  // Node 20 starts a file's top-level before hooks without waiting for the previous one,
  // so a test file's own hook awaits `ready()` too instead of relying on the order.
  before(ready);
  after(async () => {
    for (const c of fx.cleanups.reverse()) await c().catch(() => undefined);
    rmSync(fx.tmp, { recursive: true, force: true });
  });
  return Object.assign(fx, { ready });
}
