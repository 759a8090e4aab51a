/**
 * What the write verbs send besides the object: the reference an object given to a write
 * names (a name required where the verb needs one), the query that carries dryRun, the field
 * manager and apply's force, a patch's content type, and a delete's DeleteOptions body.
 *
 * Separate from client.ts so that its methods read as which verb goes where; the wire forms
 * of the options, and the checks with their error messages, are here. Pure.
 */
import { describe, type ObjectRef } from "../core/object.js";
import { ClientError } from "./errors.js";
import type { DeleteOptions, PatchType, WriteOptions } from "./options.js";

/** The Content-Type of each patch format. */
export const PATCH_CONTENT: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  json: "application/json-patch+json",
};

/** The reference an object given to a write names; refused without apiVersion and kind. */
export function target(obj: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}): ObjectRef {
  if (!obj || typeof obj !== "object" || !obj.apiVersion || !obj.kind) {
    throw new ClientError(
      "input",
      `an object needs apiVersion and kind; got ${JSON.stringify(obj)?.slice(0, 120)}`,
    );
  }
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata?.name,
    namespace: obj.metadata?.namespace,
  };
}

/** `ref`, refused for `verb` when it names no object. */
export function named<R extends ObjectRef>(ref: R, verb: string): R & { name: string } {
  if (!ref.name)
    throw new ClientError("input", `${verb} ${describe(ref)}: metadata.name is required`);
  return ref as R & { name: string };
}

/** The reference a create posts to (the collection): refused when `obj` has no name to take. */
export function creatable(obj: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; generateName?: string; namespace?: string };
}): ObjectRef {
  const ref = target(obj);
  if (!ref.name && !obj.metadata?.generateName)
    throw new ClientError(
      "input",
      `create ${describe(ref)}: metadata.name or metadata.generateName is required`,
    );
  return { ...ref, name: undefined };
}

/** A write's query parameters; `force` only for apply. */
export function writeQuery(opts: WriteOptions, force?: boolean) {
  return {
    dryRun: opts.dryRun ? "All" : undefined,
    fieldManager: opts.fieldManager,
    force: force === undefined ? undefined : String(force),
  };
}

/**
 * A delete's DeleteOptions body. With a body the server ignores query parameters, so dryRun
 * goes in it too.
 */
export function deleteBody(opts: DeleteOptions) {
  return {
    apiVersion: "v1",
    kind: "DeleteOptions",
    dryRun: opts.dryRun ? ["All"] : undefined,
    propagationPolicy: opts.propagationPolicy,
    gracePeriodSeconds: opts.gracePeriodSeconds,
    preconditions: opts.preconditions,
  };
}
