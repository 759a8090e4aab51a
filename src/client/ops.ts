/**
 * kubectl's conveniences on top of the verbs: `logs` (with follow), `wait` (for a condition
 * or any predicate, surviving 410 by re-reading), and `scale`.
 */
import { createInterface } from "node:readline";
import { describe, type ObjectRef, type TypeRef } from "../core/object.js";
import type { ResourceInfo } from "./discovery.js";
import { ClientError, GoneError, NotFoundError } from "./errors.js";
import { readAll, type Transport } from "./http.js";
import { resourcePath } from "./paths.js";
import type { WatchEvent } from "./watch.js";

type Named = TypeRef & { name: string; namespace?: string };

/**
 * The verbs these conveniences use. `KubeClient` satisfies it; naming it here, not
 * importing the client, keeps client.ts → ops.ts one way.
 */
export interface Verbs {
  readonly http: Pick<Transport, "open">;
  locate(ref: ObjectRef): Promise<{ info: ResourceInfo; namespace?: string }>;
  get(ref: Named, opts: { signal?: AbortSignal }): Promise<unknown>;
  watch(
    ref: Named,
    opts: { resourceVersion?: string; signal?: AbortSignal; timeoutSeconds?: number },
  ): AsyncIterable<WatchEvent<unknown>>;
  patch(ref: Named, patch: unknown, opts: { subresource: "scale" }): Promise<unknown>;
}

export interface LogOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  previous?: boolean;
  signal?: AbortSignal;
}

/** A Pod's log as text, or (follow) as lines while the container runs. */
export async function podLogs(
  client: Verbs,
  ref: { name: string; namespace?: string },
  opts: LogOptions = {},
): Promise<string | AsyncIterable<string>> {
  const pod = { apiVersion: "v1", kind: "Pod", ...ref };
  const { info, namespace } = await client.locate(pod);
  const res = await client.http.open({
    method: "GET",
    path: resourcePath(info, namespace, ref.name, "log"),
    accept: "text/plain",
    describe: { verb: "logs", object: describe({ ...pod, namespace }) },
    signal: opts.signal,
    timeoutMs: opts.follow ? 0 : 30_000,
    idempotent: !opts.follow,
    query: {
      container: opts.container,
      follow: opts.follow ? "true" : undefined,
      tailLines: opts.tailLines,
      sinceSeconds: opts.sinceSeconds,
      previous: opts.previous ? "true" : undefined,
    },
  });
  if (!opts.follow) return readAll(res);
  return createInterface({ input: res, crlfDelay: Infinity });
}

type Condition = string | ((obj: Record<string, unknown>) => boolean);

function predicateOf(cond: Condition): (obj: Record<string, unknown>) => boolean {
  if (typeof cond === "function") return cond;
  // kubectl's form: "condition=Ready" or "condition=Ready=False".
  const m = /^condition=([^=]+)(?:=(.+))?$/.exec(cond);
  if (!m)
    throw new ClientError(
      "input",
      `wait: unsupported condition ${JSON.stringify(cond)} (use "condition=Type[=Status]" or a function)`,
    );
  const [, type, status = "True"] = m;
  return (obj) => {
    const conds =
      (obj.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ??
      [];
    return conds.some((c) => c.type === type && c.status === status);
  };
}

/** Resolve with the object once `cond` holds; throw after `timeoutMs`. */
export async function waitFor<T>(
  client: Verbs,
  ref: TypeRef & { name: string; namespace?: string },
  cond: Condition,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const test = predicateOf(cond);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let last: unknown;
  while (!signal.aborted) {
    let rv: string | undefined;
    try {
      const obj = (await client.get(ref, { signal })) as Record<string, unknown>;
      last = obj;
      if (test(obj)) return obj as T;
      rv = (obj.metadata as { resourceVersion?: string }).resourceVersion;
    } catch (e) {
      if (!(e instanceof NotFoundError) || signal.aborted) break;
    }
    try {
      for await (const ev of client.watch(ref, {
        resourceVersion: rv,
        signal,
        timeoutSeconds: 60,
      })) {
        if (ev.type === "BOOKMARK") continue;
        const obj = ev.object as Record<string, unknown>;
        last = obj;
        if (ev.type !== "DELETED" && test(obj)) return obj as T;
      }
    } catch (e) {
      // 410: our version is too old — read the object again and carry on (kr8s crashes here).
      if (!(e instanceof GoneError) && !signal.aborted) throw e;
    }
  }
  const what = typeof cond === "string" ? cond : "the predicate";
  throw new ClientError(
    "timeout",
    `wait ${describe(ref)}: ${what} not met within ${timeoutMs} ms${last ? "" : " (the object never existed)"}`,
  );
}

/** Set `spec.replicas` through the scale subresource. */
export function scaleTo(
  client: Verbs,
  ref: TypeRef & { name: string; namespace?: string },
  replicas: number,
) {
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new ClientError("input", `scale ${describe(ref)}: replicas must be a whole number ≥ 0`);
  return client.patch(ref, { spec: { replicas } }, { subresource: "scale" });
}
