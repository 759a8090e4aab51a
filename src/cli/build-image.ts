/**
 * `capstan build image <module>`: the operator's image without a Docker daemon — the image
 * the generated Dockerfile describes, written directly as an OCI layout tarball, and imported
 * into the local cluster's node (which has no registry to pull from).
 *
 * Three layers, bottom first: the Node.js runtime (the host's node and the libraries it
 * loads; images/node-runtime.ts), the production node_modules the lock pins, and the
 * project's code (images/project.ts). The config is the Dockerfile's: WORKDIR /app, the
 * numeric USER 1000:1000, NODE_ENV=production, ENTRYPOINT node + Capstan's CLI, CMD
 * `run <module>` — so the generated Deployment, which sets only `args`, runs it unchanged on
 * a read-only root filesystem (nothing in the image is written; tsx's cache is /tmp, an
 * emptyDir there).
 *
 * Why not build the Dockerfile with a daemonless builder: the files are the same, but a
 * builder needs its own storage, runc and a signature policy on the host, and `npm ci` inside
 * it needs the network and the host's CA; writing the layout is seconds, from the modules the
 * project already runs with. Caveat: the image is for the host's architecture and libc.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import {
  defaultLayerCache,
  defaultStateDir,
  hostNode,
  importImage,
  includedEntries,
  parseInclusion,
  nodeRuntimeEntries,
  NODE_PATH,
  productionModuleEntries,
  projectEntries,
  readNodeRuntime,
  writeOciLayout,
  type ImageSpec,
  type WrittenLayout,
} from "../controlplane/index.js";
import { HEALTH_PORT, defaultDeployName, loadOperatorModule, projectRoot } from "./deploy.js";
import { APP_DIR, RUN_AS, capstanEntrypoint } from "./dockerfile.js";

export interface BuildImageOptions {
  /** The image's name (default `<operator>-operator:dev`, the generated Deployment's image). */
  tag?: string;
  /** Where to keep the OCI layout tarball (default: a temporary file). */
  out?: string;
  /** Extra files, `<host path>[:<image path>]` (default image path /usr/local/bin/<name>). */
  include?: string[];
  /** Reuse unchanged layers from the per-user layer cache (default true). */
  cache?: boolean;
  /** Import into the cluster's node: true, false, or undefined (when it has a node). */
  import?: boolean;
  clusterDir: string;
}

export interface BuiltImage {
  /** The name as given (`printer-operator:dev`). */
  name: string;
  /** The module, relative to the project root: what `run` is given in the image. */
  module: string;
  spec: ImageSpec;
  layout: WrittenLayout;
  /** Milliseconds spent building (reading files and writing the tarball) and importing. */
  buildMs: number;
  importMs?: number;
  /** What ctr printed, when imported. */
  imported?: string;
}

const PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Entrypoint in the image: node itself runs Capstan's CLI script (no shell, no /usr/bin/env). */
function entrypoint(root: string, selfHosted: boolean): string[] {
  if (selfHosted) return capstanEntrypoint(true);
  const pkgFile = path.join(root, "node_modules", "capstan", "package.json");
  let bin: unknown;
  try {
    bin = (JSON.parse(readFileSync(pkgFile, "utf8")) as { bin?: Record<string, string> }).bin
      ?.capstan;
  } catch (e) {
    throw new Error(
      `${pkgFile} is unreadable: the image runs \`capstan run\`, so capstan must be a dependency (run \`npm ci\`)`,
      { cause: e },
    );
  }
  if (typeof bin !== "string") throw new Error(`${pkgFile} names no capstan bin`);
  return ["node", path.posix.join("node_modules/capstan", bin)];
}

/** The image of the operator `modulePath` exports, as an ImageSpec (files are read lazily). */
export async function operatorImageSpec(
  modulePath: string,
  tag?: string,
  include: string[] = [],
): Promise<{ spec: ImageSpec; name: string; module: string }> {
  const { defs } = await loadOperatorModule(modulePath);
  const root = projectRoot(modulePath);
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    name?: string;
    version?: string;
  };
  const base = defaultDeployName(defs, modulePath);
  const name = tag ?? `${base}:dev`;
  const module = path.relative(root, path.resolve(modulePath)).split(path.sep).join("/") || ".";
  const node = await hostNode();
  const user = { ...RUN_AS, name: "operator", home: APP_DIR };
  const inclusions = include.map(parseInclusion);
  // Below the modules and the code: included binaries change least often after node.
  const extra = inclusions.length
    ? [
        {
          entries: await includedEntries(inclusions),
          createdBy: `capstan build image --include ${inclusions.map((i) => `${i.from}:${i.to}`).join(" ")}`,
        },
      ]
    : [];
  const spec: ImageSpec = {
    names: [name],
    layers: [
      {
        entries: nodeRuntimeEntries(node, user),
        createdBy: `capstan build image: node ${node.version} from ${node.binary} and its libraries`,
      },
      ...extra,
      {
        entries: await productionModuleEntries(root, APP_DIR),
        createdBy: "capstan build image: production node_modules (npm ci --omit=dev)",
      },
      {
        entries: await projectEntries(root, APP_DIR),
        createdBy: `capstan build image: the project ${pkg.name ?? root}`,
      },
    ],
    config: {
      Entrypoint: entrypoint(root, pkg.name === "capstan"),
      Cmd: ["run", module],
      Env: [PATH, "NODE_ENV=production"],
      User: `${RUN_AS.uid}:${RUN_AS.gid}`,
      WorkingDir: APP_DIR,
      ExposedPorts: { [`${HEALTH_PORT}/tcp`]: {} },
      Labels: {
        "org.opencontainers.image.title": base,
        ...(pkg.version ? { "org.opencontainers.image.version": pkg.version } : {}),
        "org.opencontainers.image.description": `${module} run by Capstan on node ${node.version} (${NODE_PATH})`,
      },
    },
  };
  return { spec, name, module };
}

/** Whether to import: as asked, or when the cluster has a node (its runtime file exists).
 * An explicit --import without a node fails here, before the build. */
function shouldImport(o: BuildImageOptions): boolean {
  if (o.import === true) readNodeRuntime(o.clusterDir);
  if (o.import !== undefined) return o.import;
  try {
    readNodeRuntime(o.clusterDir);
    return true;
  } catch {
    return false;
  }
}

/** Build the image, write its layout tarball and import it when asked (see shouldImport). */
export async function buildImage(modulePath: string, o: BuildImageOptions): Promise<BuiltImage> {
  const started = performance.now();
  const importing = shouldImport(o);
  const { spec, name, module } = await operatorImageSpec(modulePath, o.tag, o.include);
  // Without --out, an imported tarball is only a means: it goes to a temporary directory.
  const tmp = o.out ? undefined : mkdtempSync(path.join(os.tmpdir(), "capstan-image-"));
  const file = o.out ?? path.join(tmp!, `${name.replace(/[^\w.-]+/g, "_")}.oci.tar`);
  const layerCache = o.cache === false ? undefined : defaultLayerCache();
  const layout = await writeOciLayout(file, spec, { layerCache });
  const buildMs = performance.now() - started;
  if (!importing) return { name, module, spec, layout, buildMs };
  const t = performance.now();
  try {
    const r = await importImage({ clusterDir: o.clusterDir, tarFile: file });
    const importMs = performance.now() - t;
    return { name, module, spec, layout, buildMs, importMs, imported: r.output };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

const collect = (v: string, acc: string[]) => [...acc, v];

/** `--include`, shared with `capstan deploy --local`. */
export const includeOption = [
  "--include <host-path[:image-path]>",
  "put a file into the image, e.g. a static binary the operator runs (default path " +
    "/usr/local/bin/<name>, on the image's PATH); repeatable",
  collect,
  [] as string[],
] as const;

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function registerBuild(program: Command): void {
  const build = program.command("build").description("Build what a deployment needs.");
  build
    .command("image")
    .description(
      "build the operator's image without Docker (the generated Dockerfile's image, written " +
        "as an OCI layout from the host's node, the production node_modules and the project) " +
        "and import it into the local cluster's node",
    )
    .argument("<module>", "the operator module, as given to `capstan generate deploy`")
    .option("-t, --tag <image>", "the image's name (default: <operator>-operator:dev)")
    .option("-o, --out <file>", "keep the OCI layout tarball here")
    .option(...includeOption)
    .option("--no-cache", "pack every layer again, even those unchanged since the last build")
    .option("--import", "import into the node (default: when the local cluster has a node)")
    .option("--no-import", "do not import, only write the tarball")
    .option("--cluster-dir <path>", "state directory of the local control plane", defaultStateDir())
    .action(async (module: string, o: BuildImageOptions) => {
      const r = await buildImage(module, o);
      const layers = r.spec.layers?.length ?? 1;
      const kept = r.imported === undefined || o.out ? `, at ${r.layout.file}` : "";
      const cached = r.layout.cachedLayers
        ? ` (${r.layout.cachedLayers} unchanged, from the cache)`
        : "";
      process.stdout.write(
        `built ${r.name}: ${mb(r.layout.size)} in ${layers} layers${cached}, ${secs(r.buildMs)}${kept}\n`,
      );
      if (r.imported !== undefined)
        process.stdout.write(`imported into the node in ${secs(r.importMs ?? 0)}\n${r.imported}`);
      else process.stdout.write(`import it with: capstan image import ${r.layout.file}\n`);
    });
}
