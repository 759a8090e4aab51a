/**
 * The physical limit of the operator benchmark: no watch, no cache, no queue — a raw
 * Capstan client that does the whole workload's writes itself with high concurrency. For
 * each Widget: create it, server-side-apply its ConfigMap (owner uid from the create's
 * answer), merge-patch its status to Ready. That is every write the other runs make
 * (orchestrator's create + operator's apply and status), with nothing in between.
 *
 * Environment: KUBECONFIG, WIDGET_NAMESPACE, WIDGET_CONCURRENCY, WIDGET_COUNT,
 * WIDGET_PREFIX. Prints READY at once, reads "GO" on stdin, prints DONE at the end.
 */
import { createInterface } from "node:readline";
import { KubeClient } from "../../src/client/index.js";
import { configMapFor, WIDGET, type Widget } from "./widget.js";

const namespace = process.env.WIDGET_NAMESPACE!;
const concurrency = Number(process.env.WIDGET_CONCURRENCY ?? 64);
const count = Number(process.env.WIDGET_COUNT ?? 0);
const prefix = process.env.WIDGET_PREFIX ?? "w";
const client = await KubeClient.fromKubeconfig({ path: process.env.KUBECONFIG });

async function one(i: number): Promise<void> {
  const created = (await client.create({
    ...WIDGET,
    metadata: { name: `${prefix}-${i}`, namespace },
    spec: { size: i % 10 },
  })) as unknown as Widget;
  await client.apply(configMapFor(created), { fieldManager: "widget-raw", force: true });
  await client.patch(
    { ...WIDGET, namespace, name: created.metadata.name! },
    { status: { phase: "Ready", observedGeneration: created.metadata.generation } },
    { type: "merge", subresource: "status" },
  );
}

process.stdout.write("READY\n");
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== "GO") continue;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await one(next++);
    }),
  );
  process.stdout.write("DONE\n");
  break;
}
lines.close();
process.exit(0);
