/**
 * `capstan deploy --local <module>`: the operator running inside the local cluster, from the
 * manifests a user ships.
 *
 *   1. the local cluster must run and have a node (one line says how to get one otherwise) —
 *      or, with `--up`, it is started (with a node) while the next two steps run;
 *   2. `capstan generate deploy` writes the kustomize base into `--out` (as that command does);
 *   3. `capstan build image` builds the image (reusing unchanged layers from its cache), and
 *      once the cluster is ready imports it into the node; it is also tagged
 *      `local-<manifest digest>`, so new code is a new image reference and the Deployment rolls;
 *   4. `<out>/overlays/local/kustomization.yaml` is the base plus one `images:` entry for that
 *      tag — nothing else differs from what goes to a real cluster;
 *   5. the control plane's kubectl applies it server-side (`apply -k`);
 *   6. it waits until the Deployment is Ready, printing a line whenever its state changes.
 *
 * This module orders the steps and reports them; what each does against the local cluster
 * (its node, the early import, kubectl, the wait) is in deploy-local-cluster.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import { KubeClient } from "../client/client.js";
import { defaultStateDir, importImage, tagImage } from "../controlplane/index.js";
import type { ClusterInfo } from "../controlplane/index.js";
import { buildImage, includeOption, type BuiltImage } from "./build-image.js";
import { replaceLoopbackConversionUrls, serviceConvertedCrds } from "./crd-address.js";
import { generateDeploy, type DeployOptions } from "./deploy.js";
import {
  importEarly,
  kubectl,
  localClusterWithNode,
  secs,
  startCluster,
  timed,
  waitReady,
} from "./deploy-local-cluster.js";
import { splitImage } from "./deploy-manifests.js";
import { namespaceList } from "./generate.js";

export interface DeployLocalOptions extends Omit<DeployOptions, "image"> {
  clusterDir: string;
  /** Start the local cluster with a node if none runs, building the image meanwhile. */
  up?: boolean;
  /** Extra files for the image (`capstan build image --include`). */
  include?: string[];
  /** How long to wait for the Deployment to be Ready. */
  timeoutMs: number;
  /** Receives each progress line (no newline). */
  say?: (line: string) => void;
}

export interface LocalDeployment {
  /** The image reference the overlay sets, e.g. `printer-operator:local-1a2b3c4d5e6f`. */
  image: string;
  built: BuiltImage;
  overlay: string;
  namespace: string;
  name: string;
  /** Milliseconds of each step; `cluster`: from the start until the cluster was ready. */
  ms: { cluster: number; build: number; import: number; apply: number; ready: number };
}

export async function deployLocal(
  modulePath: string,
  o: DeployLocalOptions,
): Promise<LocalDeployment> {
  const say = o.say ?? (() => undefined);
  const started = performance.now();
  // Without --up, a missing cluster is reported before anything is built.
  const clusterReady = o.up ? startCluster(o.clusterDir, say) : localClusterWithNode(o.clusterDir);
  if (!o.up) await clusterReady;
  clusterReady.catch(() => undefined); // awaited once the image is built
  const clusterAt = clusterReady.then(
    () => performance.now(),
    () => performance.now(),
  );
  const gen = await generateDeploy(modulePath, o);
  for (const w of gen.warnings) say(`warning: ${w}`);
  const { name, namespace } = gen.spec;
  say(`generated ${path.join(o.out, "base")} for Deployment ${namespace}/${name}`);

  say(`building the image ${gen.spec.image} …`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "capstan-deploy-image-"));
  let built: BuiltImage;
  let cluster!: ClusterInfo;
  let clusterMs!: number;
  let importMs: number;
  try {
    built = await buildImage(modulePath, {
      clusterDir: o.clusterDir,
      tag: gen.spec.image,
      include: o.include,
      import: false,
      out: path.join(tmp, "image.oci.tar"),
    });
    const tarFile = built.layout.file;
    const early = o.up ? await importEarly(o.clusterDir, tarFile, clusterReady) : undefined;
    cluster = await clusterReady;
    clusterMs = (await clusterAt) - started;
    importMs = early ?? (await timed(() => importImage({ clusterDir: o.clusterDir, tarFile })));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const { name: repo } = splitImage(gen.spec.image);
  const digest = built.layout.images[0]!.manifest.replace(/^sha256:/, "");
  const image = `${repo}:local-${digest.slice(0, 12)}`;
  await tagImage({ clusterDir: o.clusterDir, from: gen.spec.image, to: image });
  const cached = built.layout.cachedLayers ? ` (${built.layout.cachedLayers} layers cached)` : "";
  say(
    `built ${image}: ${(built.layout.size / 1e6).toFixed(1)} MB in ${secs(built.buildMs)}${cached}, ` +
      `imported into node ${cluster.node} in ${secs(importMs)}`,
  );

  const overlay = path.join(o.out, "overlays", "local");
  mkdirSync(overlay, { recursive: true });
  writeFileSync(
    path.join(overlay, "kustomization.yaml"),
    "# Written by `capstan deploy --local`: the base, with the image built for the local node.\n" +
      stringify({
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: ["../../base"],
        images: [{ name: repo, newTag: image.slice(repo.length + 1) }],
      }),
  );
  const t = performance.now();
  const crds = path.join(o.out, "base", "crds.yaml");
  if (existsSync(crds)) {
    const kube = await KubeClient.fromKubeconfig({ path: cluster.kubeconfig });
    for (const crd of await replaceLoopbackConversionUrls(kube, serviceConvertedCrds(crds)))
      say(
        `CustomResourceDefinition ${crd}: its conversions go to the Service now, not the local loop`,
      );
  }
  const applied = await kubectl(cluster, [
    ...["apply", "--server-side", "--force-conflicts", "--field-manager=capstan-deploy"],
    ...["-k", overlay],
  ]);
  const applyMs = performance.now() - t;
  const objects = applied.split("\n").filter(Boolean).length;
  say(`applied ${overlay}: ${objects} objects in ${secs(applyMs)}`);

  const readyMs = await waitReady(cluster, namespace, name, o.timeoutMs, say);
  say(
    `Deployment ${namespace}/${name} is Ready in ${secs(readyMs)}; ` +
      `logs: kubectl logs -n ${namespace} deployment/${name}`,
  );
  return {
    image,
    built,
    overlay,
    namespace,
    name,
    ms: {
      cluster: clusterMs,
      build: built.buildMs,
      import: importMs,
      apply: applyMs,
      ready: readyMs,
    },
  };
}

export function registerDeploy(program: Command): void {
  program
    .command("deploy")
    .description(
      "build the operator's image, apply its generated kustomize base with that image to the " +
        "local cluster's node, and wait until the operator's Deployment is Ready",
    )
    .argument("<module>", "the operator module, as given to `capstan generate deploy`")
    .option(
      "--local",
      "deploy to the local cluster (the only target: elsewhere, push the image and `kubectl apply -k`)",
    )
    .option("--out <dir>", "where the kustomize base and the local overlay are written", "deploy")
    .option("--name <name>", "name of the objects (default: <operator name>-operator)")
    .option("--namespace-name <ns>", "the operator's own namespace (default: <name>-system)")
    .option("--replicas <n>", "Deployment replicas (leader election keeps one active)", Number, 1)
    .option("--watch-namespace <ns,...>", "namespaces the operator watches", namespaceList, [])
    .option("-n, --namespace <ns>", "same as --watch-namespace (repeatable)", namespaceList, [])
    .option("-A, --all-namespaces", "watch every namespace (a ClusterRole)", false)
    .option("--install-crds", "the operator installs its CRDs", false)
    .option(...includeOption)
    .option(
      "--up",
      "start the local cluster with a node (`capstan cluster up --node`) if none runs, building the image meanwhile",
    )
    .option("--timeout <seconds>", "how long to wait for the Deployment to be Ready", Number, 180)
    .option("--cluster-dir <path>", "state directory of the local control plane", defaultStateDir())
    .action(
      async (
        modulePath: string,
        o: Omit<DeployOptions, "image"> & {
          local?: boolean;
          watchNamespace: string[];
          include: string[];
          up?: boolean;
          timeout: number;
          clusterDir: string;
        },
      ) => {
        if (!o.local)
          throw new Error(
            "capstan deploy needs --local: for another cluster, `capstan generate deploy`, " +
              "push the image, then `kubectl apply -k`",
          );
        const { watchNamespace, local: _, timeout, ...rest } = o;
        await deployLocal(modulePath, {
          ...rest,
          namespace: [...watchNamespace, ...o.namespace],
          timeoutMs: timeout * 1000,
          say: (line) => process.stdout.write(`${line}\n`),
        });
      },
    );
}
