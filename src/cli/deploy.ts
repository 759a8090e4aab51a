/**
 * `capstan generate deploy <module>`: a kustomize base (and an example overlay) that deploys
 * the module's operator with least-privilege RBAC, plus its Dockerfile.
 *
 * Which namespaces it serves is chosen here, and both the RBAC and the Deployment's
 * `capstan run` follow it: by default only the operator's own namespace; the namespaces
 * given with `--watch-namespace`/`-n`; or, only when asked with `--all-namespaces`, every
 * namespace — a ClusterRole that reads namespaced kinds (Secrets!) everywhere, so the
 * command returns a warning and writes it above the ClusterRole.
 *
 * The operator is set up without a cluster (a port that refuses every call) only to read
 * `Operator.declarations()`; RBAC is derived from those (cli/rbac.ts), kinds resolved
 * from the module's `defineResource` exports and the built-in table. Written:
 *
 *   DIR/base/{kustomization,namespace,serviceaccount,rbac,deployment,webhooks,crds}.yaml
 *   DIR/overlays/example/kustomization.yaml
 *   DIR/Dockerfile, DIR/Dockerfile.dockerignore
 *
 * webhooks.yaml only when the module has admission handlers or conversions it serves
 * (deploy-webhooks.ts); the CRDs of those conversions point at its Service.
 *
 * Output is deterministic (no timestamps, sorted rules), so regenerating diffs cleanly.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { crdsToYaml, isResource, type CustomResourceDefinition } from "../core/crd/index.js";
import { isDns1123Label } from "../core/names.js";
import { isOperatorDefinition, type OperatorDefinition } from "../runtime/operator/define.js";
import { Operator, type Declarations } from "../runtime/operator/operator.js";
import type { KubeClient } from "../client/client.js";
import { deriveRbac, type RbacPlan } from "./rbac.js";
import { kindResolver, type CustomKind } from "./rbac-kinds.js";
import * as m from "./deploy-manifests.js";
import * as w from "./deploy-webhooks.js";
import { dockerfile, dockerignore } from "./dockerfile.js";
import { loadModule } from "./load.js";

export interface DeployOptions {
  out: string;
  /** Base name of the objects (default: the operator's name + `-operator`). */
  name?: string;
  /** The operator's own namespace (default `<operator name>-system`). */
  namespaceName?: string;
  image?: string;
  replicas: number;
  /** Watched namespaces (`--watch-namespace`, `-n`); none: the operator's own namespace. */
  namespace: string[];
  /** Watch every namespace: cluster-wide RBAC on namespaced kinds. */
  allNamespaces: boolean;
  installCrds: boolean;
}

export interface GeneratedDeploy {
  files: string[];
  plan: RbacPlan;
  spec: m.DeploySpec;
  /** What the user must know before applying it (cluster-wide reads); printed by the CLI. */
  warnings: string[];
}

export const HEALTH_PORT = 8081;

// Setup only registers controllers; anything that tries to talk to the API here is a bug.
const OFFLINE: KubeClient = new Proxy({} as KubeClient, {
  get: (_, prop) =>
    prop === "then" // not a thenable: `await` on it must not call it
      ? undefined
      : () => {
          throw new Error(
            `generate deploy runs no operator: KubeClient.${String(prop)} was called`,
          );
        },
});

/** The declarations of every operator a module exports, merged (they run in one process). */
export async function readDeclarations(
  defs: readonly OperatorDefinition[],
  namespaces: string[],
): Promise<Required<Declarations>> {
  const merged: Required<Declarations> = { controllers: [], uses: [], admissions: [] };
  for (const def of defs) {
    const op = new Operator({
      client: OFFLINE,
      namespaces: namespaces.length ? namespaces : undefined,
    });
    await def.setup(op);
    const d = op.declarations();
    merged.controllers.push(...d.controllers);
    merged.uses.push(...d.uses);
    merged.admissions.push(...(d.admissions ?? []));
  }
  return merged;
}

/** The nearest directory at or above `from` with a package.json (the image's build context). */
export function projectRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

const yamlDocs = (objs: readonly unknown[]) =>
  objs.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");

/** `<operator name>-operator`, or the module's name when it is not one named operator. */
export function defaultDeployName(defs: readonly OperatorDefinition[], modulePath: string): string {
  const only = defs.length === 1 && defs[0]!.name !== "operator" ? defs[0]!.name : undefined;
  const file = path.basename(path.resolve(modulePath)).replace(/\.[cm]?[jt]s$/, "");
  return `${only ?? file}-operator`;
}

/** The module's operator definitions; a module without one is an error naming it. */
export async function loadOperatorModule(modulePath: string) {
  const mod = await loadModule(modulePath);
  const defs = Object.values(mod).filter(isOperatorDefinition) as OperatorDefinition[];
  if (defs.length === 0)
    throw new Error(`${modulePath} exports no operator (export default defineOperator(...))`);
  return { mod, defs };
}

export async function generateDeploy(
  modulePath: string,
  o: DeployOptions,
): Promise<GeneratedDeploy> {
  const { mod, defs } = await loadOperatorModule(modulePath);
  const resources = [...new Set(Object.values(mod).filter(isResource))];

  const root = projectRoot(modulePath);
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    name?: string;
    version?: string;
  };
  const modDir = path.resolve(modulePath);
  const base = o.name ?? defaultDeployName(defs, modulePath);
  const namespace = o.namespaceName ?? `${base.replace(/-operator$/, "")}-system`;
  const watched = [...new Set(o.namespace)].sort();
  for (const [what, v] of [
    ["--name", base],
    ["--namespace-name", namespace],
    ...watched.map((ns) => ["--watch-namespace", ns]),
  ] as const)
    if (!isDns1123Label(v))
      throw new Error(`${what} ${JSON.stringify(v)} is not a valid name (a DNS-1123 label)`);
  if (!Number.isInteger(o.replicas) || o.replicas < 1)
    throw new Error(`--replicas ${o.replicas} must be a positive integer`);
  if (o.allNamespaces && watched.length)
    throw new Error(`--all-namespaces and --watch-namespace ${watched.join(",")}: choose one`);

  const spec: m.DeploySpec = {
    name: base,
    namespace,
    image: o.image ?? `${base}:dev`,
    replicas: o.replicas,
    module: path.relative(root, modDir).split(path.sep).join("/") || ".",
    watch: o.allNamespaces ? "all" : watched.length ? watched : [namespace],
    installCrds: o.installCrds,
    healthPort: HEALTH_PORT,
  };
  const namespaces = spec.watch === "all" ? [] : spec.watch;
  const decl = await readDeclarations(defs, namespaces);
  const resolve = kindResolver(resources as unknown as CustomKind[]);
  const named = [...decl.controllers.map((c) => c.for), ...decl.admissions.map((a) => a.kind)];
  const converted = new Set(w.servedConversions(resources, named).map((r) => r.name));
  if (decl.admissions.length || converted.size) {
    const { configuration, ...names } = w.webhookNames(base);
    spec.webhooks = {
      port: w.WEBHOOK_PORT,
      ...names,
      ...(decl.admissions.length ? { configuration } : {}),
    };
  }
  const webhooks = w.webhookObjects(spec, decl.admissions, resolve, [...converted].sort());
  const crds: CustomResourceDefinition[] = resources
    .map((r) => r.crd())
    .map((crd) => (converted.has(crd.metadata.name) ? w.conversionClientOf(spec, crd) : crd))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const plan = deriveRbac(decl, resolve, {
    operatorNamespace: namespace,
    namespaces,
    crds: crds.length > 0,
    installCrds: o.installCrds,
  });

  const warning = m.clusterWideWarning(spec, plan);
  const generatedBy = ["capstan generate deploy", spec.module, ...deployFlags(o, watched)].join(
    " ",
  );
  const header = `# Generated by \`${generatedBy}\`: regenerate instead of editing.\n`;
  // The ClusterRole is rbac.yaml's first document: the warning sits right above it.
  const rbacWarning = warning ? `# WARNING: ${warning}\n` : "";
  const files: [string, string][] = [
    ["base/namespace.yaml", yamlDocs([m.namespaceObject(spec)])],
    ["base/serviceaccount.yaml", yamlDocs([m.serviceAccountObject(spec)])],
    ["base/rbac.yaml", rbacWarning + yamlDocs(m.rbacObjects(spec, plan))],
    ["base/deployment.yaml", yamlDocs([m.deploymentObject(spec)])],
    ...(webhooks.length
      ? ([["base/webhooks.yaml", yamlDocs(webhooks)]] as [string, string][])
      : []),
    ...(crds.length ? ([["base/crds.yaml", crdsToYaml(crds)]] as [string, string][]) : []),
  ];
  const resourcesList = files.map(([f]) => path.posix.basename(f));
  files.push(
    ["base/kustomization.yaml", yamlDocs([m.baseKustomization(resourcesList)])],
    [
      "overlays/example/kustomization.yaml",
      yamlDocs([m.exampleOverlay(spec, pkg.version ?? "latest")]),
    ],
  );
  const written: string[] = [];
  for (const [rel, body] of files) written.push(write(o.out, rel, header + body));
  written.push(
    write(
      o.out,
      "Dockerfile",
      dockerfile({
        module: spec.module,
        generatedBy,
        selfHosted: pkg.name === "capstan",
        healthPort: HEALTH_PORT,
      }),
    ),
    write(o.out, "Dockerfile.dockerignore", dockerignore()),
  );
  const warnings = [
    ...(warning ? [warning] : []),
    ...(spec.webhooks?.configuration ? ownNamespaceWarning(spec) : []),
  ];
  return { files: written, plan, spec, warnings };
}

/**
 * The operator's own namespace is left out of its webhooks, so that a stopped operator can
 * never block the writes it needs to start again (its Pods, Lease, Secret); said when that
 * is a namespace it watches.
 */
function ownNamespaceWarning(s: m.DeploySpec): string[] {
  if (s.watch === "all" || !s.watch.includes(s.namespace)) return [];
  return [
    `Namespace ${s.namespace} is excluded from the webhooks (the operator's own: it must never block itself), ` +
      `so its admission handlers see nothing there: deploy with --watch-namespace <ns,...> for the namespaces it serves.`,
  ];
}

function write(out: string, rel: string, body: string): string {
  const file = path.join(out, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  return file;
}

/** The flags that shaped the output, in a fixed order (for the generated-by header). */
function deployFlags(o: DeployOptions, watched: string[]): string[] {
  return [
    ...(o.name ? ["--name", o.name] : []),
    ...(o.namespaceName ? ["--namespace-name", o.namespaceName] : []),
    ...(o.image ? ["--image", o.image] : []),
    ...(o.replicas !== 1 ? ["--replicas", String(o.replicas)] : []),
    ...watched.flatMap((ns) => ["-n", ns]),
    ...(o.allNamespaces ? ["--all-namespaces"] : []),
    ...(o.installCrds ? ["--install-crds"] : []),
  ];
}
