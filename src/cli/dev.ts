/**
 * `capstan dev <module>`: the inner loop. Brings up the local control plane in the
 * background (or reuses the running one), installs the module's CRDs, runs the operator in a
 * child process and restarts it whenever a file in the module's directory changes. Ctrl-C
 * stops the operator and leaves the control plane running for the next session.
 * `--apply <path>` applies the objects of a YAML file (or a directory's) once the CRDs are
 * installed — the samples of a demo.
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, statSync, watch } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { parseAllDocuments } from "yaml";
import { KubeClient } from "../client/client.js";
import { isResource, type AnyResource, type CustomResourceDefinition } from "../core/crd/index.js";
import { clusterUp, defaultStateDir } from "../controlplane/index.js";
import { installCrds } from "../runtime/operator/crds.js";
import { loadModule, resolveModule } from "./load.js";

interface DevOptions {
  namespace: string[];
  apply?: string;
  clusterDir: string;
  signal?: AbortSignal;
}

/**
 * The operator's environment under `capstan dev`: on a terminal, human log lines (unless
 * CAPSTAN_LOG_FORMAT says otherwise); piped or in CI, the JSON lines `capstan run` writes.
 */
export function devEnv(env: NodeJS.ProcessEnv, terminal: boolean): NodeJS.ProcessEnv {
  return terminal && env.CAPSTAN_LOG_FORMAT === undefined
    ? { ...env, CAPSTAN_LOG_FORMAT: "pretty" }
    : env;
}

const say = (s: string) => process.stderr.write(`[capstan dev] ${s}\n`);

export async function dev(spec: string, o: DevOptions): Promise<void> {
  const file = resolveModule(spec);
  const { info, outcome } = await clusterUp({ dir: o.clusterDir });
  say(
    `${outcome === "running" ? "using" : outcome} the local control plane at ${info.server}; KUBECONFIG=${info.kubeconfig}`,
  );
  const mod = await loadModule(spec);
  const resources: (AnyResource & { crd(): CustomResourceDefinition })[] = [
    ...new Set(Object.values(mod).filter(isResource)),
  ];
  const kube = await KubeClient.fromKubeconfig({ path: info.kubeconfig });
  if (resources.length) {
    await installCrds(kube, resources);
    say(`installed ${resources.length} CRD(s)`);
  }
  if (o.apply) say(`applied ${(await applyYaml(kube, o.apply)).join(", ")}`);
  const main = path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    `main${path.extname(fileURLToPath(import.meta.url))}`,
  );
  const args = [
    "run",
    spec,
    "--kubeconfig",
    info.kubeconfig,
    // The local control plane runs on this machine: it can call the operator's webhooks.
    "--local-webhooks",
    ...o.namespace.flatMap((n) => ["-n", n]),
  ];
  let child: ChildProcess | undefined;
  const launch = () => {
    child = fork(main, args, {
      stdio: "inherit",
      env: devEnv(process.env, Boolean(process.stdout.isTTY)),
    });
  };
  const stopChild = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  launch();
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(path.dirname(file), { recursive: true }, (_event, name) => {
    if (name && /node_modules|\.git/.test(String(name))) return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      say(`${name} changed: restarting the operator`);
      await stopChild();
      launch();
    }, 200);
  });
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    o.signal?.addEventListener("abort", done, { once: true });
  });
  watcher.close();
  clearTimeout(timer);
  await stopChild();
  say(
    `operator stopped; the control plane keeps running (capstan cluster down --dir ${o.clusterDir} stops it)`,
  );
}

/** Server-side applies every object in the YAML at `p` (a file or a directory's `*.y[a]ml`). */
async function applyYaml(kube: KubeClient, p: string): Promise<string[]> {
  const files = statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(p, f))
    : [p];
  const applied: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      if (doc.errors.length) throw new Error(`--apply ${file}: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as {
        apiVersion: string;
        kind: string;
        metadata?: { name?: string; namespace?: string };
      } | null;
      if (!obj) continue;
      const live = await kube.apply(obj, { fieldManager: "capstan-dev", force: true });
      const m = (live as { metadata?: { name?: string; namespace?: string } }).metadata;
      applied.push(`${obj.kind} ${m?.namespace ? `${m.namespace}/` : ""}${m?.name}`);
    }
  }
  if (applied.length === 0) throw new Error(`--apply ${p}: no objects in ${files.join(", ")}`);
  return applied;
}

export function registerDev(program: Command): void {
  program
    .command("dev")
    .description("run an operator on the local control plane, restarting it when its code changes")
    .argument("<module>", "a .ts/.js file, or a directory with operator.ts or index.ts")
    .option(
      "-n, --namespace <ns>",
      "watch this namespace (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option("--apply <path>", "apply the objects in this YAML file or directory (samples) first")
    .option("--cluster-dir <path>", "state directory of the local control plane", defaultStateDir())
    .action((module: string, o: DevOptions) => dev(module, o));
}
