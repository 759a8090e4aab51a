/**
 * The scaffolding an operator's test file repeats: the shared control plane, a client, the
 * operator's CRDs, a namespace per test made up front, and ONE operator watching those
 * namespaces for the whole file (an operator watching every namespace would also reconcile
 * the objects of test files running at the same time).
 *
 * ```ts
 * const f = await operatorFixture(printer, { crds: [Printer], spaces: ["long", "twin"] });
 * await f.kube.create({ …, metadata: { name: "p", namespace: f.ns.long } });
 * after(() => f.dispose());
 * ```
 */
import type { KubeClient } from "../client/client.js";
import { KubeClient as Client } from "../client/client.js";
import { installCrds, type CrdSource } from "../runtime/operator/crds.js";
import type { OperatorDefinition } from "../runtime/operator/define.js";
import { useControlPlane, type TestControlPlane } from "./controlplane.js";
import { testNamespace } from "./namespace.js";
import { runOperator, type RunningOperator } from "./operator.js";

/** What `operatorFixture` sets up for a test file. */
export interface OperatorFixture<K extends string> {
  cp: TestControlPlane;
  kube: KubeClient;
  /** The operator, watching every namespace in `ns` except those listed in `unwatched`. */
  op: RunningOperator;
  /** Namespace name by key. */
  ns: Record<K, string>;
  /** Stop the operator and delete the namespaces. */
  dispose(): Promise<void>;
}

/** The control plane, a client, the CRDs, a namespace per key and one operator watching them, for a whole test file. */
export async function operatorFixture<K extends string>(
  def: OperatorDefinition,
  opts: {
    crds?: CrdSource[];
    /** One namespace per key, named `<prefix>-<key>-<random>`. */
    spaces: readonly K[];
    prefix?: string;
    /** Keys whose namespaces the file's operator does not watch (a test runs its own there). */
    unwatched?: readonly K[];
    captureLogs?: boolean;
  },
): Promise<OperatorFixture<K>> {
  const cp = await useControlPlane();
  const kube = await Client.fromKubeconfig({ path: cp.kubeconfig });
  if (opts.crds?.length) await installCrds(kube, opts.crds);
  const spaces = await Promise.all(
    opts.spaces.map((k) => testNamespace(kube, `${opts.prefix ?? "t"}-${k}`)),
  );
  const ns = Object.fromEntries(opts.spaces.map((k, i) => [k, spaces[i]!.name])) as Record<
    K,
    string
  >;
  const op = await runOperator(def, {
    kubeconfig: cp.kubeconfig,
    namespaces: opts.spaces.filter((k) => !opts.unwatched?.includes(k)).map((k) => ns[k]),
    captureLogs: opts.captureLogs,
  });
  return {
    cp,
    kube,
    op,
    ns,
    dispose: async () => {
      await op.stop();
      await Promise.all(spaces.map((s) => s.dispose()));
    },
  };
}
