/**
 * Ownership of things outside Kubernetes — a database, a database user, a bucket — recorded
 * where they live and checked before every change and every drop. An object's status is no
 * proof: two objects of one name in two namespaces both "created" `app`, and a status can be
 * edited. The external system itself must say which object (by uid) created a resource.
 *
 * The operator supplies a `Ledger` kept in the external system (a table, a collection, a
 * tag) that only the operator's admin account can write; `claimExternal` and
 * `mayDropExternal` are the decisions on top of it:
 *
 * - A reserved name (a system schema, a built-in account) is refused outright:
 *   `PermanentError`, reason `Reserved`.
 * - A resource recorded for another object, or one that exists with no record at all
 *   (created by hand or by something else), is refused: `OwnershipConflictError`, reason
 *   `Conflict`, naming the holder. Nothing is changed.
 * - Otherwise the claim is recorded BEFORE the resource is created (`claim` must be atomic:
 *   an insert on a unique key), so a delete arriving at any moment later knows it may drop
 *   it, and of two racing objects exactly one wins.
 * - Drop only when the ledger holds this object's mark; then `release`.
 */
import { PermanentError } from "../errors.js";
import { OwnershipConflictError } from "./children.js";
import type { ApiObject } from "../object.js";

/** Where ownership of outside resources is recorded, in the outside system itself (a table, a collection). */
export interface Ledger {
  /** The mark recorded for `resource`, or undefined when there is none. */
  read(resource: string): Promise<string | undefined>;
  /** Record `mark` for `resource` if nothing is recorded; false when something already is. */
  claim(resource: string, mark: string): Promise<boolean>;
  /** Remove the record of `resource` if it is `mark`. */
  release(resource: string, mark: string): Promise<void>;
}

/** What `claimExternal` needs to know about the resource it claims. */
export interface ClaimOptions {
  /** What the resource is, for messages: "MySQL database app", "MongoDB user admin.app". */
  describe: string;
  /** Whether the resource exists in the external system right now. */
  exists: () => Promise<boolean>;
  /** Names that are never this operator's, whoever asks (case-insensitive). */
  reserved?: readonly string[];
  /** The owner field the name comes from, for messages (e.g. `spec.username`). */
  field?: string;
}

type Owner = ApiObject & { kind?: string };

/** What the ledger records for `owner`: its kind, namespace/name and uid. */
export function ownerMark(owner: Owner, kind = owner.kind ?? "object"): string {
  const m = owner.metadata;
  if (!m.uid) throw new Error(`ownerMark: ${kind} ${m.namespace}/${m.name} has no uid`);
  return `${kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name} uid=${m.uid}`;
}

const uidOf = (mark: string) => /uid=(\S+)$/.exec(mark)?.[1];
const who = (owner: Owner) =>
  `${owner.kind ?? "object"} ${owner.metadata.namespace ? `${owner.metadata.namespace}/` : ""}${owner.metadata.name}`;

/** Refuse a reserved name, with the field it came from. */
export function refuseReserved(
  owner: Owner,
  name: string,
  opts: Pick<ClaimOptions, "describe" | "reserved" | "field">,
): void {
  if (opts.reserved?.some((r) => r.toLowerCase() === name.toLowerCase()))
    throw new PermanentError(
      `${who(owner)}: ${opts.field ?? "metadata.name"} ${JSON.stringify(name)} is reserved: ${opts.describe} is a system resource and is never managed by an operator`,
      { reason: "Reserved" },
    );
}

/**
 * Make sure `resource` is this owner's before changing it: "claimed" when it was just
 * recorded (create it now), "ours" when it already was. Throws as the header says.
 */
export async function claimExternal(
  ledger: Ledger,
  owner: Owner,
  resource: string,
  opts: ClaimOptions,
): Promise<"claimed" | "ours"> {
  refuseReserved(owner, resource, opts);
  const mark = ownerMark(owner);
  const conflict = (holder: string) =>
    new OwnershipConflictError(
      `${who(owner)}: ${opts.describe} ${holder}; nothing was changed. Choose another ${opts.field ?? "name"}`,
      who(owner),
      opts.describe,
    );
  for (let attempt = 0; attempt < 2; attempt++) {
    const recorded = await ledger.read(resource);
    if (recorded !== undefined) {
      if (uidOf(recorded) === owner.metadata.uid) return "ours";
      // Name only the holder's kind: its namespace and name are another tenant's business.
      throw conflict(`already belongs to another ${recorded.split(" ")[0]}`);
    }
    if (await opts.exists()) throw conflict("already exists and was not created by this operator");
    if (await ledger.claim(resource, mark)) return "claimed";
    // Lost a race to another object's claim: read who won.
  }
  throw conflict("was claimed concurrently by another object");
}

/** True when the ledger says `owner` created `resource`: only then may it be dropped. */
export async function mayDropExternal(
  ledger: Ledger,
  owner: Owner,
  resource: string,
): Promise<boolean> {
  const recorded = await ledger.read(resource);
  return recorded !== undefined && uidOf(recorded) === owner.metadata.uid;
}
