/**
 * `capstan generate crd <module> [--out DIR]`: the CRDs a module defines, as YAML.
 *
 * The module is imported (TypeScript through tsx, JavaScript directly) and every export made by
 * `defineResource` is collected. Without `--out` the CRDs are printed as one multi-document
 * stream ordered by CRD name; with it, each is written to `DIR/<crd name>.yaml`. Either way the
 * output is byte-for-byte stable for an unchanged definition, so regenerated files diff cleanly.
 * A definition Kubernetes would refuse fails with every issue listed and writes nothing.
 *
 * `capstan generate deploy <module>` (deploy.ts) writes a kustomize base with least-privilege
 * RBAC, an example overlay and a Dockerfile. It serves the operator's own namespace unless
 * told `--watch-namespace a,b` or `--all-namespaces`; what the latter grants everywhere is
 * printed as a warning.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { crdsToYaml, isResource, type CustomResourceDefinition } from "../core/crd/index.js";
import { generateDeploy, type DeployOptions } from "./deploy.js";
import { loadModule } from "./load.js";

/** Import a module and return the CRDs of the resources it exports, ordered by name. */
export async function loadCrds(modulePath: string): Promise<CustomResourceDefinition[]> {
  const mod = await loadModule(modulePath);
  const byName = new Map<string, CustomResourceDefinition>();
  for (const value of Object.values(mod)) {
    if (!isResource(value)) continue;
    const crd = value.crd();
    byName.set(crd.metadata.name, crd); // the same resource exported twice is one CRD
  }
  if (byName.size === 0)
    throw new Error(`${modulePath} exports no resource made with defineResource()`);
  return [...byName.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** Write one `<crd name>.yaml` per CRD into `dir`; returns the paths written. */
export function writeCrds(crds: readonly CustomResourceDefinition[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return crds.map((crd) => {
    const file = path.join(dir, `${crd.metadata.name}.yaml`);
    writeFileSync(file, crdsToYaml([crd]));
    return file;
  });
}

/** Repeatable, comma-separated namespaces (`-n a -n b`, `--watch-namespace a,b`). */
export const namespaceList = (v: string, acc: string[]) => [
  ...acc,
  ...v.split(",").map((s) => s.trim()),
];

/** `out` receives what the command prints, `err` its warnings (tests pass their own). */
export function registerGenerate(
  program: Command,
  out: { write(s: string): unknown } = process.stdout,
  err: { write(s: string): unknown } = process.stderr,
): void {
  const generate = program
    .command("generate")
    .description("generate Kubernetes manifests from code");
  generate
    .command("crd")
    .description(
      "print (or write) the CustomResourceDefinitions a module defines with defineResource()",
    )
    .argument("<module>", "a .ts or .js module exporting resources")
    .option("--out <dir>", "write one <name>.yaml per CRD into this directory instead of printing")
    .action(async (modulePath: string, o: { out?: string }) => {
      const crds = await loadCrds(modulePath);
      if (!o.out) {
        out.write(crdsToYaml(crds));
        return;
      }
      for (const file of writeCrds(crds, o.out)) out.write(`wrote ${file}\n`);
    });
  generate
    .command("deploy")
    .description(
      "write a kustomize base (Namespace, ServiceAccount, least-privilege RBAC derived from the " +
        "operator's declarations, Deployment, CRDs), an example overlay and a Dockerfile",
    )
    .argument("<module>", "the operator module (a .ts/.js file or a directory)")
    .option("--out <dir>", "output directory", "deploy")
    .option("--name <name>", "name of the objects (default: <operator name>-operator)")
    .option("--namespace-name <ns>", "the operator's own namespace (default: <name>-system)")
    .option("--image <image>", "container image (default: <name>:dev)")
    .option("--replicas <n>", "Deployment replicas (leader election keeps one active)", Number, 1)
    .option(
      "--watch-namespace <ns,...>",
      "namespaces the operator watches, each with a Role (default: only its own namespace)",
      namespaceList,
      [],
    )
    .option("-n, --namespace <ns>", "same as --watch-namespace (repeatable)", namespaceList, [])
    .option(
      "-A, --all-namespaces",
      "watch every namespace: a ClusterRole that reads its kinds, Secrets included, everywhere",
      false,
    )
    .option("--install-crds", "the operator installs its CRDs (grants it CRD write access)", false)
    .action(async (modulePath: string, o: DeployOptions & { watchNamespace: string[] }) => {
      const { watchNamespace, ...rest } = o;
      const gen = await generateDeploy(modulePath, {
        ...rest,
        namespace: [...watchNamespace, ...o.namespace],
      });
      for (const w of gen.warnings) err.write(`warning: ${w}\n`);
      for (const file of gen.files) out.write(`wrote ${file}\n`);
    });
}
