/**
 * The operator's idle signal: what a test waits for before asserting an absence ("nothing
 * more was written", "not retried") instead of sleeping.
 *
 * Idle means every controller has reconciled at least once, has nothing queued or in flight,
 * AND its caches have seen the operator's own writes. The last part closes the window a
 * queue-only check leaves open: right after a status write the queue is empty, but the
 * write's watch event (which re-queues the object) has not arrived yet.
 *
 * Assumption: resourceVersions compare as numbers, as they do on the etcd-backed control
 * plane tests run against (clients in general must treat them as opaque).
 *
 * Caveats: only objects held by a controller's primary caches are checked (a child written
 * by the operator re-queues its owner through an owned cache, not checked here). A key
 * waiting on a timer (a retry's backoff, a `requeueAfter`, a handler timer) counts as work
 * only with `{ timers: true }`: what "not retried" needs, and what an operator with periodic
 * timers never reaches.
 */
import type { KubeClient } from "../client/client.js";
import { NotFoundError } from "../client/errors.js";
import type { Operator } from "../runtime/operator/operator.js";
import { eventually } from "./eventually.js";

/** `/api/v1[/namespaces/ns]/plural/name[/status]` → the object's path. */
const OBJECT_PATH =
  /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)\/([^/]+)(?:\/(?:status|scale))?$/;

export function objectPathOf(path: string): string | undefined {
  const m = OBJECT_PATH.exec(path.split("?")[0]!);
  if (!m) return undefined;
  const [, prefix, namespace, plural, name] = m;
  return `${prefix}${namespace ? `/namespaces/${namespace}` : ""}/${plural}/${name}`;
}

interface Found {
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** Throws unless every primary cache of `obj`'s kind that holds it has its current version. */
function assertCached(operator: Operator, obj: Found): void {
  const { name, namespace: ns, resourceVersion } = obj.metadata ?? {};
  const key = ns ? `${ns}/${name}` : `${name}`;
  for (const c of operator.controllers)
    for (const i of c.informers) {
      if (i.name !== obj.kind && i.name !== `${obj.kind} in ${ns}`) continue;
      const cached = i.reader().get(key) as Found | undefined;
      if (!cached) continue;
      const want = Number(resourceVersion);
      const have = Number(cached.metadata?.resourceVersion);
      if (have < want) throw new Error(`${i.name} has not seen ${key} at ${want} (has ${have})`);
    }
}

/**
 * Resolves once `operator` is idle (see the module comment). `written` is the set of request
 * paths the operator wrote to since it started; `probe` is a client of the test's own, so the
 * checks are neither counted as the operator's requests nor seen by its interceptors.
 */
export function operatorIdle(
  operator: Operator,
  written: ReadonlySet<string>,
  probe: () => Promise<KubeClient>,
  opts: { timers?: boolean } = {},
): Promise<void> {
  return eventually(async () => {
    const queuesIdle = () => {
      for (const c of operator.controllers) {
        const q = c.queue.stats();
        const waiting = opts.timers ? q.waiting : 0;
        if (!(c.stats.reconciles >= 1 && q.depth === 0 && q.processing === 0 && waiting === 0))
          throw new Error(`controller ${c.name} is not idle: ${JSON.stringify(q)}`);
      }
    };
    queuesIdle();
    const kube = await probe();
    for (const p of written) {
      const path = objectPathOf(p);
      if (!path) continue;
      const obj = await kube.http
        .json<Found>({ method: "GET", path, describe: { verb: "get", object: path } })
        .catch((e: unknown) => {
          if (e instanceof NotFoundError) return undefined; // deleted: nothing left to echo
          throw e;
        });
      if (obj) assertCached(operator, obj);
    }
    // The caches had the writes; any re-queue they caused shows in the queues now.
    queuesIdle();
  });
}
