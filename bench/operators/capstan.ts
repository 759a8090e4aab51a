/**
 * The Capstan contender of the operator benchmark: the Widget operator written the way
 * docs/runtime.md recommends — one `op.controller` with a level-based reconcile that
 * server-side-applies the Widget's ConfigMap and sets status.phase=Ready with
 * observedGeneration through `ctx.patchStatus` (skipped when nothing changes).
 *
 * A Widget whose status already records this generation as Ready only needs its child
 * checked: one read, and a write only when the ConfigMap is missing or differs — so a
 * restart over converged Widgets sends no write.
 *
 * Children are checked in `ctx.owned(ConfigMap)`: the controller's own metadata-only cache of
 * the kind it owns (the watch that re-queues owners), by owner and the desired content's hash
 * in an annotation — no request. WIDGET_CHILD_GET=1 runs the `capstan-get` contender, which
 * reads the child with a GET instead (what the runtime allowed before `ctx.owned`).
 *
 * Environment: KUBECONFIG, WIDGET_NAMESPACE, WIDGET_CONCURRENCY, WIDGET_CHILD_GET.
 * Prints READY once synced.
 */
import { createHash } from "node:crypto";
import { KubeClient, NotFoundError } from "../../src/client/index.js";
import { createLogger, done, Operator, type ApiObject } from "../../src/runtime/index.js";
import { CONFIGMAP, configMapFor, isReady, WIDGET, type Widget } from "./widget.js";

const namespace = process.env.WIDGET_NAMESPACE!;
const concurrency = Number(process.env.WIDGET_CONCURRENCY ?? 4);
const client = await KubeClient.fromKubeconfig({ path: process.env.KUBECONFIG });
const viaGet = process.env.WIDGET_CHILD_GET === "1";
const HASH = "bench.capstan.dev/data-hash";
const hashOf = (data: Record<string, string>) =>
  createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 16);

const op = new Operator({
  client,
  namespaces: [namespace],
  log: createLogger({ level: process.env.CAPSTAN_LOG_LEVEL ?? "warn" }),
});

const timings = { reconciles: 0, applyMs: 0, statusMs: 0 };

op.controller<Widget>({
  name: "widgets",
  for: WIDGET,
  owns: [CONFIGMAP],
  queue: { concurrency },
  async reconcile(widget, ctx) {
    timings.reconciles++;
    const desired = configMapFor(widget);
    const hash = hashOf(desired.data);
    if (!viaGet) (desired.metadata as ApiObject["metadata"]).annotations = { [HASH]: hash };
    if (isReady(widget)) {
      const ours = (c: ApiObject | undefined) =>
        c?.metadata.ownerReferences?.some((r) => r.uid === widget.metadata.uid && r.controller);
      if (!viaGet) {
        const current = ctx.owned(CONFIGMAP).get(ctx.key);
        if (ours(current) && current!.metadata.annotations?.[HASH] === hash) return done();
      } else {
        const current = await ctx.client
          .get<typeof CONFIGMAP & { name: string; namespace: string }, typeof desired>({
            ...CONFIGMAP,
            namespace: desired.metadata.namespace,
            name: desired.metadata.name,
          })
          .catch((e: unknown) => {
            if (e instanceof NotFoundError) return undefined;
            throw e;
          });
        if (ours(current) && current!.data?.size === desired.data.size) return done();
      }
    }
    let t = performance.now();
    await ctx.client.apply(desired, { fieldManager: "widget-capstan", force: true });
    timings.applyMs += performance.now() - t;
    t = performance.now();
    await ctx.patchStatus({ phase: "Ready", observedGeneration: widget.metadata.generation });
    timings.statusMs += performance.now() - t;
    return done();
  },
});

// WIDGET_TRACE=1: queue depth, reconcile timings and CPU time on stderr every 250 ms.
if (process.env.WIDGET_TRACE === "1") {
  const t0 = performance.now();
  const cpuMs = () => {
    const u = process.cpuUsage();
    return Math.round((u.user + u.system) / 1000);
  };
  setInterval(() => {
    const c = op.controllers[0];
    if (!c) return;
    process.stderr.write(
      `trace ${(performance.now() - t0).toFixed(0)} ms ${JSON.stringify({ ...c.queue.stats(), ...c.stats, ...timings, cpuMs: cpuMs() })}\n`,
    );
  }, 250).unref();
}

const abort = new AbortController();
for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => abort.abort());
const running = op.run({ signal: abort.signal });
await op.synced();
process.stdout.write("READY\n");
await running;
process.exit(0);
