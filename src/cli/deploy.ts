/**
 * `capstan generate deploy <module>`: a kustomize base (and an example overlay) that deploys
 * the module's operator with least-privilege RBAC, plus its Dockerfile.
 *
 * The operator is set up without a cluster (a port that refuses every call) only to read
 * `Operator.declarations()`; RBAC is derived from those (runtime/rbac.ts), kinds resolved
 * from the module's `defineResource` exports and the built-in table. Written:
 *
 *   DIR/base/{kustomization,namespace,serviceaccount,rbac,deployment,crds}.yaml
 *   DIR/overlays/example/kustomization.yaml
 *   DIR/Dockerfile, DIR/Dockerfile.dockerignore
 *
 * Output is deterministic (no timestamps, sorted rules), so regenerating diffs cleanly.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { crdsToYaml, isResource, type CustomResourceDefinition } from "../core/crd/index.js";
import { isDns1123Label } from "../core/names.js";
import { isOperatorDefinition, type OperatorDefinition } from "../runtime/define.js";
import { Operator, type Declarations } from "../runtime/operator.js";
import type { RuntimePort } from "../runtime/port.js";
import { deriveRbac, type RbacPlan } from "../runtime/rbac.js";
import { kindResolver, type CustomKind } from "../runtime/rbac-kinds.js";
import * as m from "./deploy-manifests.js";
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
  /** Watched namespaces; none: every namespace. */
  namespace: string[];
  installCrds: boolean;
}

export interface GeneratedDeploy {
  files: string[];
  plan: RbacPlan;
  spec: m.DeploySpec;
}

export const HEALTH_PORT = 8081;

// Setup only registers controllers; anything that tries to talk to the API here is a bug.
const OFFLINE: RuntimePort = new Proxy({} as RuntimePort, {
  get: (_, prop) =>
    prop === "then" // not a thenable: `await` on it must not call it
      ? undefined
      : () => {
          throw new Error(
            `generate deploy runs no operator: RuntimePort.${String(prop)} was called`,
          );
        },
});

/** The declarations of every operator a module exports, merged (they run in one process). */
export async function readDeclarations(
  defs: readonly OperatorDefinition[],
  namespaces: string[],
): Promise<Declarations> {
  const merged: Declarations = { controllers: [], uses: [] };
  for (const def of defs) {
    const op = new Operator({
      port: OFFLINE,
      namespaces: namespaces.length ? namespaces : undefined,
    });
    await def.setup(op);
    const d = op.declarations();
    merged.controllers.push(...d.controllers);
    merged.uses.push(...d.uses);
  }
  return merged;
}

/** The nearest directory at or above `from` with a package.json (the image's build context). */
function projectRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

const yamlDocs = (objs: readonly unknown[]) =>
  objs.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");

export async function generateDeploy(
  modulePath: string,
  o: DeployOptions,
): Promise<GeneratedDeploy> {
  const mod = await loadModule(modulePath);
  const defs = Object.values(mod).filter(isOperatorDefinition) as OperatorDefinition[];
  if (defs.length === 0)
    throw new Error(`${modulePath} exports no operator (export default defineOperator(...))`);
  const resources = [...new Set(Object.values(mod).filter(isResource))];
  const crds: CustomResourceDefinition[] = resources
    .map((r) => r.crd())
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

  const root = projectRoot(modulePath);
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    name?: string;
    version?: string;
  };
  const modDir = path.resolve(modulePath);
  const base =
    o.name ??
    `${defs.length === 1 && defs[0]!.name !== "operator" ? defs[0]!.name : path.basename(modDir).replace(/\.[cm]?[jt]s$/, "")}-operator`;
  const namespace = o.namespaceName ?? `${base.replace(/-operator$/, "")}-system`;
  for (const [what, v] of [
    ["--name", base],
    ["--namespace-name", namespace],
    ...o.namespace.map((ns) => ["-n", ns]),
  ] as const)
    if (!isDns1123Label(v))
      throw new Error(`${what} ${JSON.stringify(v)} is not a valid name (a DNS-1123 label)`);
  if (!Number.isInteger(o.replicas) || o.replicas < 1)
    throw new Error(`--replicas ${o.replicas} must be a positive integer`);

  const spec: m.DeploySpec = {
    name: base,
    namespace,
    image: o.image ?? `${base}:dev`,
    replicas: o.replicas,
    module: path.relative(root, modDir).split(path.sep).join("/") || ".",
    watch: [...o.namespace],
    installCrds: o.installCrds,
    healthPort: HEALTH_PORT,
  };
  const decl = await readDeclarations(defs, spec.watch);
  const plan = deriveRbac(decl, kindResolver(resources as unknown as CustomKind[]), {
    operatorNamespace: namespace,
    namespaces: spec.watch,
    crds: crds.length > 0,
    installCrds: o.installCrds,
  });

  const generatedBy = ["capstan generate deploy", spec.module, ...deployFlags(o)].join(" ");
  const header = `# Generated by \`${generatedBy}\`: regenerate instead of editing.\n`;
  const files: [string, string][] = [
    ["base/namespace.yaml", yamlDocs([m.namespaceObject(spec)])],
    ["base/serviceaccount.yaml", yamlDocs([m.serviceAccountObject(spec)])],
    ["base/rbac.yaml", yamlDocs(m.rbacObjects(spec, plan))],
    ["base/deployment.yaml", yamlDocs([m.deploymentObject(spec)])],
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
  return { files: written, plan, spec };
}

function write(out: string, rel: string, body: string): string {
  const file = path.join(out, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  return file;
}

/** The flags that shaped the output, in a fixed order (for the generated-by header). */
function deployFlags(o: DeployOptions): string[] {
  return [
    ...(o.name ? ["--name", o.name] : []),
    ...(o.namespaceName ? ["--namespace-name", o.namespaceName] : []),
    ...(o.image ? ["--image", o.image] : []),
    ...(o.replicas !== 1 ? ["--replicas", String(o.replicas)] : []),
    ...o.namespace.flatMap((ns) => ["-n", ns]),
    ...(o.installCrds ? ["--install-crds"] : []),
  ];
}
