/**
 * `ensureChild`: create or update an object that `owner` controls, and refuse to touch one
 * it does not. This is the safe primitive for every child an operator derives from its
 * object (a Pod, a Secret, a Deployment): server-side apply with `force` alone takes over
 * whatever already carries the name, and a controller ownerReference set on a foreign
 * object makes the garbage collector delete it with the owner.
 *
 * Guarantees:
 * - A child that exists and is controlled by another object is never written: the call
 *   throws `OwnershipConflictError` (reason `Conflict`), which the controller shows as
 *   `Conflict=True`, `Reconciled=False` and a Warning Event naming both objects, and retries
 *   with backoff (the foreign object may go away).
 * - A child that exists without any controller is refused the same way unless `adopt: true`.
 * - Creation is a POST (never an apply), so an object created by someone else between the
 *   read and the write fails with AlreadyExists instead of being merged into; an update is
 *   an apply carrying the resourceVersion just read, so a replaced or changed object fails
 *   with a conflict instead of being overwritten. Either way it reads again (3 attempts).
 * - A child that already has every desired field is not written at all.
 * Assumptions: `owner` comes from the API (it has a uid) and the child is in the owner's
 * namespace or cluster-scoped (ownerReferences cannot cross namespaces).
 */
import { AlreadyExistsError, ConflictError, NotFoundError } from "../../client/errors.js";
import type { KubeClient } from "../../client/client.js";
import { brand } from "../../core/brand.js";
import { TemporaryError } from "../errors.js";
import { ownerReference, type OwnerReference } from "./owner.js";
import type { ApiObject } from "../object.js";
import { isSubset, normalizeForCompare } from "./subset.js";

export interface Child extends ApiObject {
  apiVersion: string;
  kind: string;
  metadata: ApiObject["metadata"] & { name: string };
}

/** How `ensureChild` writes: its field manager, whether it adopts an uncontrolled child, and an abort signal. */
export interface EnsureChildOptions {
  fieldManager: string;
  /** Take over a child that exists WITHOUT a controller (never one another object controls). */
  adopt?: boolean;
  signal?: AbortSignal;
}

/** What `ensureChild` did. */
export type ChildOutcome = "created" | "updated" | "unchanged";

/** The child as the server returned it: all of its metadata. */
export type LiveChild<C> = C & { metadata: ApiObject["metadata"] };

type Owner = ApiObject & { apiVersion: string; kind: string };

/** A child (or an external resource) with this object's name belongs to someone else. */
export class OwnershipConflictError extends TemporaryError {
  override readonly name = "OwnershipConflictError";
  constructor(
    message: string,
    readonly owner: string,
    readonly target: string,
  ) {
    super(message, { reason: "Conflict" });
  }
}

const describeObj = (o: { kind?: string; metadata?: { namespace?: string; name?: string } }) =>
  `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;

function controllerOf(o: ApiObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller) as OwnerReference | undefined;
}

/** Create or update a child `owner` controls; never touch one that belongs to anyone else (see the header). */
export async function ensureChild<C extends Child>(
  client: KubeClient,
  owner: Owner,
  child: C,
  opts: EnsureChildOptions,
): Promise<{ object: LiveChild<C>; outcome: ChildOutcome }> {
  const mine = ownerReference(owner);
  const namespace = child.metadata.namespace ?? owner.metadata.namespace;
  const desired = {
    ...child,
    metadata: {
      ...child.metadata,
      ...(namespace ? { namespace } : {}),
      ownerReferences: [
        mine,
        ...(child.metadata.ownerReferences ?? []).filter((r) => r.uid !== mine.uid),
      ],
    },
  } as C;
  const ref = {
    apiVersion: child.apiVersion,
    kind: child.kind,
    namespace,
    name: child.metadata.name,
  };
  const who = describeObj(owner);
  const what = describeObj(desired);
  for (let attempt = 0; attempt < 3; attempt++) {
    const live = await client
      .get<typeof ref, LiveChild<C>>(ref, { signal: opts.signal })
      .catch((e: unknown) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
    if (!live) {
      try {
        const created = await client.create<C, LiveChild<C>>(desired, {
          fieldManager: opts.fieldManager,
          signal: opts.signal,
        });
        return { object: created, outcome: "created" };
      } catch (e) {
        if (e instanceof AlreadyExistsError) continue; // someone was faster: look at theirs
        throw e;
      }
    }
    const current: ApiObject = live;
    if (current.metadata.deletionTimestamp && controllerOf(current)?.uid === mine.uid)
      // Its DELETED event re-queues the owner (an owned kind), which then creates it anew.
      throw new TemporaryError(`${what} is being deleted; it is created again once gone`, {
        delay: 5_000,
      });
    const controller = controllerOf(current);
    if (controller?.uid !== mine.uid && (controller || !opts.adopt)) {
      const holder = controller
        ? `it is controlled by ${controller.kind} ${controller.name} (uid ${controller.uid})`
        : "it has no controller and adoption is off";
      throw new OwnershipConflictError(
        `${what} already exists and does not belong to ${who}: ${holder}; nothing was changed. Delete or rename it, or give ${who} another name`,
        who,
        what,
      );
    }
    if (controller?.uid === mine.uid && isSubset(normalizeForCompare(desired), current))
      return { object: live, outcome: "unchanged" };
    try {
      const applied = await client.apply<C, LiveChild<C>>(
        {
          ...desired,
          metadata: { ...desired.metadata, resourceVersion: current.metadata.resourceVersion },
        },
        { fieldManager: opts.fieldManager, force: true, signal: opts.signal },
      );
      return { object: applied, outcome: "updated" };
    } catch (e) {
      if (e instanceof ConflictError) continue; // changed or replaced since the read
      throw e;
    }
  }
  throw new TemporaryError(`${what} kept changing while ${who} wrote it; will retry`);
}

brand({ OwnershipConflictError });
