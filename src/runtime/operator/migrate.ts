/**
 * `migrateStorage(client, Resource)`: move every stored object of a custom resource to its
 * current storage version, then record that only that version is stored, so an older
 * version can be removed from the CRD (the API server refuses to drop a version still in
 * `status.storedVersions`). What kube-storage-version-migrator does, for one resource.
 *
 * Steps: check the cluster's CRD stores the definition's storage version; wait until API
 * discovery shows that storage version (its `storageVersionHash`), so the API server writes
 * at it; rewrite each object unchanged (a replace with the object as listed, page by page:
 * the API server decodes it and encodes it again at the storage version); then set
 * `status.storedVersions` to the storage version alone.
 *
 * Guarantees: an object changed or deleted between the list and its rewrite (a Conflict or
 * NotFound) is skipped — the change itself stored it at the current version. Any other
 * failure stops the migration before `storedVersions` is touched, so it never claims a
 * version is gone while objects remain at it; running it again is safe.
 * Assumptions: the conversion webhook is served meanwhile (the operator runs), since listing
 * objects stored at an old version converts them; nothing writes at the old storage version
 * any more (every API server of the cluster has the new CRD).
 */
import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { KubeClient } from "../../client/client.js";
import { ConflictError, NotFoundError } from "../../client/errors.js";

/** What `migrateStorage` needs of a `defineResource` result. */
export interface MigratableResource {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  /** The CRD's name. */
  readonly name: string;
  readonly storageVersion: string;
}

/** What `migrateStorage` did. */
export interface MigrationResult {
  /** Objects written again at the storage version. */
  rewritten: number;
  /** Objects changed or deleted meanwhile (already at the storage version, or gone). */
  skipped: number;
  /** `status.storedVersions` afterwards: the storage version alone. */
  storedVersions: string[];
}

const CRD = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" } as const;
type ClusterCrd = {
  spec: { versions: { name: string; storage: boolean }[] };
  status?: { storedVersions?: string[] };
};

/** Rewrite every stored object of `r` at its storage version, then set `storedVersions` to it. */
export async function migrateStorage(
  client: KubeClient,
  r: MigratableResource,
  opts: { pageSize?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<MigrationResult> {
  const crdRef = { ...CRD, name: r.name };
  const what = `migrate ${r.kind} (CustomResourceDefinition ${r.name})`;
  const crd = await client.get<typeof crdRef, ClusterCrd>(crdRef, { signal: opts.signal });
  const stored = crd.spec.versions.find((v) => v.storage)?.name;
  if (stored !== r.storageVersion)
    throw new Error(
      `${what}: the cluster's CRD stores ${stored}, the definition ${r.storageVersion}; install the CRD from this definition first`,
    );
  await waitForStorageHash(client, r, what, opts);
  const apiVersion = `${r.group}/${r.storageVersion}`;
  let rewritten = 0;
  let skipped = 0;
  for await (const page of client.listPages<{ apiVersion: string; kind: string }, Item>(
    { apiVersion, kind: r.kind },
    { allNamespaces: true, limit: opts.pageSize ?? 500, signal: opts.signal },
  ))
    for (const item of page.items) {
      try {
        await client.replace(item, { signal: opts.signal });
        rewritten++;
      } catch (e) {
        if (!(e instanceof ConflictError) && !(e instanceof NotFoundError)) throw e;
        skipped++;
      }
    }
  const storedVersions = [r.storageVersion];
  await client.patch(
    crdRef,
    { status: { storedVersions } },
    { subresource: "status", signal: opts.signal },
  );
  return { rewritten, skipped, storedVersions };
}

type Item = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/**
 * The API server's discovery names the storage version by a hash of group/version/kind
 * (apiserver's StorageVersionHash); once it shows ours, the CRD change has been taken up.
 */
async function waitForStorageHash(
  client: KubeClient,
  r: MigratableResource,
  what: string,
  opts: { timeoutMs?: number; signal?: AbortSignal },
): Promise<void> {
  const want = storageVersionHash(r.group, r.storageVersion, r.kind);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let seen: string | undefined;
  for (;;) {
    const list = await client.http.json<{
      resources: { name: string; storageVersionHash?: string }[];
    }>({
      method: "GET",
      path: `/apis/${r.group}/${r.storageVersion}`,
      idempotent: true,
      signal: opts.signal,
      describe: { verb: "discover", object: `${r.group}/${r.storageVersion}` },
    });
    seen = list.resources.find((x) => x.name === r.plural)?.storageVersionHash;
    if (seen === want) return;
    if (Date.now() > deadline)
      throw new Error(
        `${what}: API discovery still shows storage version hash ${seen}, not ${r.storageVersion}'s ${want}`,
      );
    await delay(200, undefined, { signal: opts.signal });
  }
}

/** apiserver's discovery.StorageVersionHash: base64 of the first 8 bytes of sha256(g/v/k). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash("sha256")
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString("base64");
}
