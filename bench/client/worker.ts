/**
 * One benchmark measurement in its own process, so each library's memory is its own:
 *   worker <library> <task> <kubeconfig> <namespace> [concurrency] [count]
 * library: capstan | client-node; task: list | watch | create | apply.
 * Prints one JSON line: { ms, ops, rssMaxMiB, heapUsedMiB }.
 */
// Each cell loads only the library it measures, so its peak RSS is that library's alone.
import type * as K8s from "@kubernetes/client-node";

const [lib, task, kubeconfig, ns, concArg, countArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string?,
  string?,
];
const concurrency = Number(concArg ?? 1);
const count = Number(countArg ?? 0);
const CM = { apiVersion: "v1", kind: "ConfigMap" } as const;

async function pool(n: number, conc: number, f: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < n) await f(next++);
    }),
  );
}

async function capstan(): Promise<number> {
  const { KubeClient } = capstanLib!;
  const kube = await KubeClient.fromKubeconfig({ path: kubeconfig });
  switch (task) {
    case "list":
      return (await kube.list({ ...CM, namespace: ns }, { limit: 500 })).items.length;
    case "watch": {
      let n = 0;
      for await (const ev of kube.watchOnce(
        { ...CM, namespace: ns },
        { sendInitialEvents: true, allowWatchBookmarks: true, timeoutSeconds: 120 },
      )) {
        if (ev.type === "ADDED") n++;
        if (
          ev.type === "BOOKMARK" &&
          ev.object.metadata?.annotations?.["k8s.io/initial-events-end"] === "true"
        )
          break;
      }
      return n;
    }
    case "create":
      await pool(count, concurrency, (i) =>
        kube.create({
          ...CM,
          metadata: { name: `c-${process.pid}-${i}`, namespace: ns },
          data: { i: String(i) },
        }),
      );
      return count;
    case "apply":
      await pool(count, concurrency, (i) =>
        kube.apply(
          {
            ...CM,
            metadata: { name: `a-${i}`, namespace: ns },
            data: { i: String(i), by: String(process.pid) },
          },
          { fieldManager: "bench", force: true },
        ),
      );
      return count;
  }
  throw new Error(`unknown task ${task}`);
}

async function clientNode(): Promise<number> {
  const k8s = clientNodeLib!;
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  switch (task) {
    case "list": {
      let n = 0;
      let cont: string | undefined;
      do {
        const page = await core.listNamespacedConfigMap({
          namespace: ns,
          limit: 500,
          _continue: cont,
        });
        n += page.items.length;
        cont = page.metadata?._continue;
      } while (cont);
      return n;
    }
    case "watch": {
      const watch = new k8s.Watch(kc);
      return new Promise<number>((resolve, reject) => {
        let n = 0;
        let ctl: AbortController | undefined;
        void watch
          .watch(
            `/api/v1/namespaces/${ns}/configmaps`,
            {
              sendInitialEvents: true,
              resourceVersionMatch: "NotOlderThan",
              allowWatchBookmarks: true,
              timeoutSeconds: 120,
            },
            (phase, obj) => {
              if (phase === "ADDED") n++;
              if (
                phase === "BOOKMARK" &&
                obj?.metadata?.annotations?.["k8s.io/initial-events-end"] === "true"
              ) {
                ctl?.abort();
                resolve(n);
              }
            },
            (err) => (err && err.name !== "AbortError" ? reject(err) : resolve(n)),
          )
          .then((c) => (ctl = c));
      });
    }
    case "create":
      await pool(count, concurrency, (i) =>
        core.createNamespacedConfigMap({
          namespace: ns,
          body: { metadata: { name: `n-${process.pid}-${i}` }, data: { i: String(i) } },
        }),
      );
      return count;
    case "apply": {
      const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
      await pool(count, concurrency, (i) =>
        objects.patch(
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: `a-${i}`, namespace: ns },
            data: { i: String(i), by: String(process.pid) },
          } as K8s.KubernetesObject,
          undefined,
          undefined,
          "bench",
          true,
          k8s.PatchStrategy.ServerSideApply,
        ),
      );
      return count;
    }
  }
  throw new Error(`unknown task ${task}`);
}

// Loaded before the clock starts: import time is not what the cells compare.
const capstanLib = lib === "capstan" ? await import("../../src/client/index.js") : undefined;
const clientNodeLib: typeof K8s | undefined =
  lib === "capstan" ? undefined : await import("@kubernetes/client-node");
const t0 = performance.now();
const ops = lib === "capstan" ? await capstan() : await clientNode();
const ms = performance.now() - t0;
const mem = process.memoryUsage();
process.stdout.write(
  JSON.stringify({
    ms,
    ops,
    rssMaxMiB: process.resourceUsage().maxRSS / 1024,
    heapUsedMiB: mem.heapUsed / 2 ** 20,
  }) + "\n",
);
process.exit(0);
