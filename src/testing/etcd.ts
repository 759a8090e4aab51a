/**
 * Fault injection in etcd: compact its history, so watches from older resourceVersions
 * get 410 Gone (for kinds the API server's watch cache does not serve, such as core Events).
 */
import type { TestControlPlane } from "./controlplane.js";

/** etcd's current revision. */
export async function etcdRevision(cp: Pick<TestControlPlane, "etcd">): Promise<string> {
  const r = await fetch(`${cp.etcd}/v3/kv/range`, {
    method: "POST",
    body: JSON.stringify({ key: Buffer.from("\0").toString("base64") }),
  });
  return ((await r.json()) as { header: { revision: string } }).header.revision;
}

/** Compact etcd up to its current revision. */
export async function compactEtcd(cp: Pick<TestControlPlane, "etcd">): Promise<void> {
  const revision = await etcdRevision(cp);
  const r = await fetch(`${cp.etcd}/v3/kv/compaction`, {
    method: "POST",
    body: JSON.stringify({ revision, physical: true }),
  });
  if (r.status !== 200)
    throw new Error(`etcd compaction failed: HTTP ${r.status} ${await r.text()}`);
}
