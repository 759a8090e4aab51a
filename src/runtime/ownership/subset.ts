/**
 * "Does the live object already have everything we want?" — the check that lets a
 * controller write nothing once converged. The API server adds defaults, status and
 * metadata of its own, so equality is too strict: every field of the desired object must be
 * in the live one with the same value, lists element by element.
 */
import type { ApiObject } from "../object.js";

/** True when every field of `want` is in `have` with the same value (lists element-wise). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (want === null || typeof want !== "object") return want === have;
  if (Array.isArray(want))
    return (
      Array.isArray(have) &&
      want.length === have.length &&
      want.every((w, i) => isSubset(w, have[i]))
    );
  if (have === null || typeof have !== "object") return false;
  return Object.entries(want).every(([k, v]) => isSubset(v, (have as Record<string, unknown>)[k]));
}

/**
 * The parts of a desired object that the server keeps as written: labels, annotations and
 * ownerReferences of its metadata, and everything but status. A Secret's `stringData` is
 * stored as base64 `data`, so it is compared in that form.
 */
export function normalizeForCompare(obj: ApiObject): Record<string, unknown> {
  const { metadata, status: _status, ...rest } = obj as ApiObject & Record<string, unknown>;
  const out: Record<string, unknown> = {
    ...rest,
    metadata: {
      ...(metadata.labels ? { labels: metadata.labels } : {}),
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
      ...(metadata.ownerReferences ? { ownerReferences: metadata.ownerReferences } : {}),
    },
  };
  const stringData = out.stringData as Record<string, string> | undefined;
  if (stringData) {
    delete out.stringData;
    out.data = {
      ...(out.data as Record<string, string> | undefined),
      ...Object.fromEntries(
        Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]),
      ),
    };
  }
  return out;
}
