/**
 * Owner references: how a child says which object it belongs to, so the garbage collector
 * deletes it with its owner and the controller that `owns` its kind hears about it.
 */
import type { ApiObject } from "../object.js";

/** An entry of `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A controller owner reference to `owner` (which must come from the API: it needs a uid). */
export function ownerReference(
  owner: ApiObject & { apiVersion?: string; kind?: string },
  opts: {
    controller?: boolean;
    blockOwnerDeletion?: boolean;
    apiVersion?: string;
    kind?: string;
  } = {},
): OwnerReference {
  const apiVersion = opts.apiVersion ?? owner.apiVersion;
  const kind = opts.kind ?? owner.kind;
  const { name, uid } = owner.metadata;
  if (!apiVersion || !kind || !name || !uid) {
    throw new Error(
      `ownerReference: the owner needs apiVersion, kind, metadata.name and metadata.uid (got ${apiVersion} ${kind} ${name} ${uid})`,
    );
  }
  return {
    apiVersion,
    kind,
    name,
    uid,
    controller: opts.controller ?? true,
    blockOwnerDeletion: opts.blockOwnerDeletion ?? true,
  };
}
