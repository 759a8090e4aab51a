/**
 * The admission latency a webhook adds per request: server-side dry-run creates of a custom
 * resource with a validating and a mutating webhook (both no-ops) against the same kind in a
 * namespace the webhooks do not cover, on a fresh local control plane. Prints median and p99
 * of each and their difference.
 */
import { KubeClient } from "../src/client/client.js";
import { defineResource, z } from "../src/core/crd/index.js";
import { runOperator, testNamespace, useControlPlane } from "../src/testing/index.js";

const N = Number(process.env.N ?? 500);
const Bench = defineResource({
  group: "bench.capstan.test",
  version: "v1",
  kind: "Bench",
  spec: z.object({ n: z.number().int() }),
});

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function main(): Promise<void> {
  const cp = await useControlPlane();
  const kube = await KubeClient.fromKubeconfig({ path: cp.kubeconfig });
  const covered = await testNamespace(kube, "bench-wh");
  const plain = await testNamespace(kube, "bench-plain");
  const op = await runOperator(
    (o) =>
      void o
        .admission(Bench)
        .validate({ create: () => undefined })
        .mutate(() => undefined),
    { kubeconfig: cp.kubeconfig, crds: [Bench], namespaces: [covered.name], webhooks: true },
  );
  const time = async (namespace: string) => {
    const ms: number[] = [];
    for (let i = 0; i < N + 50; i++) {
      const t = performance.now();
      await kube.create(
        { ...Bench.typeRef, metadata: { name: `b${i}`, namespace }, spec: { n: i } },
        { dryRun: true },
      );
      if (i >= 50) ms.push(performance.now() - t); // the first 50 warm connections up
    }
    return ms;
  };
  try {
    const without = await time(plain.name);
    const withWh = await time(covered.name);
    const row = (name: string, xs: number[]) =>
      `${name}: median ${pct(xs, 0.5).toFixed(2)} ms, p99 ${pct(xs, 0.99).toFixed(2)} ms`;
    console.log(row("without webhooks", without));
    console.log(row("validate + mutate", withWh));
    console.log(
      `added: median ${(pct(withWh, 0.5) - pct(without, 0.5)).toFixed(2)} ms, p99 ${(
        pct(withWh, 0.99) - pct(without, 0.99)
      ).toFixed(2)} ms (N=${N} each, dry-run creates)`,
    );
  } finally {
    await op.stop();
    await covered.dispose();
    await plain.dispose();
  }
  process.exit(0);
}

await main();
