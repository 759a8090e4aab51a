/**
 * Installing custom resource definitions, and waiting for them.
 *
 * - `installCrds(kube, resources)`: server-side apply of each CRD (create or upgrade, field
 *   manager `capstan`, conflicts forced: the definition in code is the source of truth), then
 *   wait until every one is `Established`. A definition that cannot be a valid CRD fails with
 *   `CrdSchemaError` before any request is sent.
 * - `waitForCrd(kube, resource)`: the read-only mode the seed operators use — wait until the
 *   CRD exists and serves the wanted versions, needing only `get` on the CRD, or, when even
 *   that is forbidden, only API discovery (which every authenticated user may read). An API
 *   server that drops out meanwhile is waited for too, within the same timeout.
 *
 * Guarantees: on success each CRD is Established with its names accepted and the resource's
 * versions served, so the next request for the custom kind finds it in discovery.
 * Caveats: removing a version still listed in `status.storedVersions` is refused by the API
 * server (a storage migration must happen first); that surfaces as `CrdInstallError` with the
 * server's message.
 */
import type { CustomResourceDefinition as ApiCrd } from "kubernetes-types/apiextensions/v1.js";
import { ForbiddenError, NotFoundError, type KubeClient } from "../../client/index.js";
import type { CustomResourceDefinition } from "../../core/crd/index.js";
import { unreachable } from "./startup.js";

/** What `installCrds` and `waitForCrd` accept: a `defineResource` result or a manifest. */
export type CrdSource = { crd(): CustomResourceDefinition } | CustomResourceDefinition;

export type CrdStep = "apply" | "wait";

/** Installing or waiting for a CRD failed, naming the CRD and the step. */
export class CrdInstallError extends Error {
  override readonly name = "CrdInstallError";
  constructor(
    readonly step: CrdStep,
    readonly crd: string,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(`CustomResourceDefinition ${crd}: ${message}`, { cause: opts.cause });
  }
}

export interface WaitOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Poll interval (default 250 ms). */
  intervalMs?: number;
}

export interface InstallOptions extends WaitOptions {
  /** Default: the client's field manager. */
  fieldManager?: string;
}

function manifestOf(source: CrdSource): CustomResourceDefinition {
  return "crd" in source && typeof source.crd === "function"
    ? source.crd()
    : (source as CustomResourceDefinition);
}

const CRD_TYPE = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
} as const;

/** Server-side apply these resources' CRDs and wait until each is established and served. */
export async function installCrds(
  kube: KubeClient,
  sources: readonly CrdSource[],
  opts: InstallOptions = {},
): Promise<CustomResourceDefinition[]> {
  // Build every manifest first: a schema error must not leave half of the CRDs applied.
  const manifests = sources.map(manifestOf);
  for (const m of manifests) {
    try {
      await kube.apply(m, {
        force: true,
        fieldManager: opts.fieldManager ?? kube.fieldManager,
        signal: opts.signal,
      });
    } catch (e) {
      throw new CrdInstallError(
        "apply",
        m.metadata.name,
        `server-side apply failed: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
  await Promise.all(manifests.map((m) => waitEstablished(kube, m, opts)));
  return manifests;
}

/** Wait, read-only, until a resource's CRD is established and served. */
export async function waitForCrd(
  kube: KubeClient,
  source: CrdSource,
  opts: WaitOptions = {},
): Promise<void> {
  await waitEstablished(kube, manifestOf(source), opts);
}

async function waitEstablished(
  kube: KubeClient,
  m: CustomResourceDefinition,
  opts: WaitOptions,
): Promise<void> {
  const name = m.metadata.name;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const wanted = m.spec.versions.filter((v) => v.served).map((v) => v.name);
  let last = "not found";
  let readCrds = true;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (readCrds) {
      try {
        const crd = await kube.get<typeof CRD_TYPE & { name: string }, ApiCrd>(
          { ...CRD_TYPE, name },
          { signal: opts.signal },
        );
        const state = readiness(crd, wanted);
        if (state.done) return;
        if (state.fatal) throw new CrdInstallError("wait", name, state.fatal);
        last = state.waiting;
      } catch (e) {
        if (e instanceof CrdInstallError) throw e;
        const down = unreachable(e);
        if (down) last = `API server unreachable (${down})`;
        else if (e instanceof ForbiddenError) readCrds = false;
        else if (!(e instanceof NotFoundError))
          throw new CrdInstallError("wait", name, (e as Error).message, { cause: e });
      }
    }
    if (!readCrds) {
      // No read access to CRDs: the served versions showing up in discovery is the signal.
      const served = await Promise.all(
        wanted.map((v) =>
          kube.discovery.resolve(`${m.spec.group}/${v}`, m.spec.names.kind).then(
            () => true,
            () => false,
          ),
        ),
      );
      if (served.every(Boolean)) return;
      last = "not in API discovery yet (no permission to read CRDs)";
    }
    if (Date.now() >= deadline)
      throw new CrdInstallError("wait", name, `not Established after ${timeoutMs} ms: ${last}`);
    await new Promise((r) =>
      setTimeout(r, Math.min(opts.intervalMs ?? 250, Math.max(0, deadline - Date.now()))),
    );
  }
}

type Readiness =
  { done: true; fatal?: undefined } | { done: false; fatal?: string; waiting: string };

function readiness(crd: ApiCrd, wanted: string[]): Readiness {
  const conditions = crd.status?.conditions ?? [];
  const cond = (type: string) => conditions.find((c) => c.type === type);
  const names = cond("NamesAccepted");
  if (names?.status === "False")
    return {
      done: false,
      fatal: `names not accepted: ${names.message ?? names.reason}`,
      waiting: "",
    };
  const established = cond("Established");
  if (established?.status !== "True")
    return { done: false, waiting: `Established is ${established?.status ?? "unknown"}` };
  const served = new Set((crd.spec.versions ?? []).filter((v) => v.served).map((v) => v.name));
  const missing = wanted.filter((v) => !served.has(v));
  // Another writer may still be rolling out an older definition without our versions.
  if (missing.length)
    return { done: false, waiting: `versions ${missing.join(", ")} not served yet` };
  return { done: true };
}
