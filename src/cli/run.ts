/**
 * `capstan run <module>`: run the operator(s) a module exports against the current
 * kubeconfig, until SIGTERM/SIGINT. CRDs the module exports are waited for read-only by
 * default (the operator needs no permission to create them), or installed with
 * `--install-crds`.
 */
import type { Command } from "commander";
import { KubeClient } from "../client/client.js";
import { isResource, type AnyResource, type CustomResourceDefinition } from "../core/crd/index.js";
import { installCrds, waitForCrd } from "../runtime/crds.js";
import { isOperatorDefinition, type OperatorDefinition } from "../runtime/define.js";
import { kubePort } from "../runtime/kube.js";
import { createLogger } from "../runtime/log.js";
import { Operator } from "../runtime/operator.js";
import { loadModule } from "./load.js";

export interface RunOptions {
  namespace: string[];
  allNamespaces: boolean;
  kubeconfig?: string;
  context?: string;
  installCrds: boolean;
  signal?: AbortSignal;
}

export async function runModule(spec: string, o: RunOptions): Promise<void> {
  const mod = await loadModule(spec);
  const defs = Object.values(mod).filter(isOperatorDefinition) as OperatorDefinition[];
  const resources: (AnyResource & { crd(): CustomResourceDefinition })[] = [
    ...new Set(Object.values(mod).filter(isResource)),
  ];
  if (defs.length === 0)
    throw new Error(`${spec} exports no operator (export default defineOperator(...))`);
  const log = createLogger();
  const client = await KubeClient.fromKubeconfig({ path: o.kubeconfig, context: o.context });
  if (resources.length) {
    if (o.installCrds) await installCrds(client, resources);
    else {
      log.info(
        { crds: resources.map((r) => `${r.plural}.${r.group}`) },
        "waiting for the CRDs to be installed",
      );
      for (const r of resources)
        await waitForCrd(client, r, { timeoutMs: 10 * 60_000, signal: o.signal });
    }
  }
  const namespaces = o.allNamespaces || o.namespace.length === 0 ? undefined : o.namespace;
  const port = kubePort(client);
  const operators = await Promise.all(
    defs.map(async (d) => {
      const op = new Operator({ port, client, namespaces, log: log.child({ operator: d.name }) });
      await d.setup(op);
      return op;
    }),
  );
  log.info({ namespaces: namespaces ?? "all", server: client.conn.server }, "operator starting");
  await Promise.all(operators.map((op) => op.run({ handleSignals: true, signal: o.signal })));
  log.info("operator stopped");
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the operator(s) a module exports against the current kubeconfig")
    .argument("<module>", "a .ts/.js file, or a directory with operator.ts or index.ts")
    .option(
      "-n, --namespace <ns>",
      "watch this namespace (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option("-A, --all-namespaces", "watch every namespace (default when no -n)", false)
    .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG or in-cluster)")
    .option("--context <name>", "kubeconfig context")
    .option(
      "--install-crds",
      "install or upgrade the module's CRDs first (needs CRD write access)",
      false,
    )
    .action((module: string, o: RunOptions) => runModule(module, o));
}
