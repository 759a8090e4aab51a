/**
 * Names an operator derives from its object's name: a child's name, a label value. A bare
 * truncation maps two owners onto one child (`a…a-x` and `a…a-y` cut to the same 40
 * characters); a cut can end in `-` or `.`, which no name may. `childName` is injective per
 * owner name instead: the name as is when it fits, else a readable prefix plus a hash of the
 * WHOLE owner name. A name that can still not be valid (a bad suffix, a limit too small) is a
 * `PermanentError` (reason `InvalidName`) naming the field and the rule — retrying cannot fix it.
 *
 * Guarantees: two different owner names never give the same child name except through a
 * deliberately crafted owner name equal to another's hashed form; `ensureChild` refuses that
 * case too, since the child it would reach is controlled by the other owner.
 */
import { createHash } from "node:crypto";
import { checkNameAs, type NameRule } from "../../core/names.js";
import { PermanentError } from "../errors.js";

/** The name rule and length limit a derived child name must meet. */
export interface ChildNameOptions {
  /** Which Kubernetes name rule the child's kind uses (default: a DNS-1123 label). */
  rule?: NameRule;
  /** Longest name allowed (default: 63 for labels, 253 for subdomains). */
  max?: number;
  /** The owner field the name comes from, for the error message (default `metadata.name`). */
  field?: string;
}

const HASH_LENGTH = 10;

function hashOf(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * The name of `owner`'s child with `suffix` (`x` + `mysql` → `x-mysql`), unique per owner
 * name, valid for `opts.rule`.
 */
export function childName(
  owner: { metadata: { name?: string } } | string,
  suffix: string,
  opts: ChildNameOptions = {},
): string {
  const name = typeof owner === "string" ? owner : (owner.metadata.name ?? "");
  const rule = opts.rule ?? "dns1123-label";
  const max = opts.max ?? (rule === "dns1123-subdomain" ? 253 : 63);
  const field = opts.field ?? "metadata.name";
  const plain = suffix ? `${name}-${suffix}` : name;
  if (plain.length <= max && checkNameAs(plain, rule).length === 0) return plain;
  const tail = `-${hashOf(name)}${suffix ? `-${suffix}` : ""}`;
  // Keep what the rule allows of the owner's name, lower-cased, without a trailing separator.
  const prefix = name
    .toLowerCase()
    .replace(rule === "dns1123-subdomain" ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g, "-")
    .slice(0, Math.max(0, max - tail.length))
    .replace(/[^a-z0-9]+$/, "")
    .replace(/^[^a-z0-9]+/, "");
  const hashed = prefix ? prefix + tail : tail.slice(1);
  const problems = hashed.length <= max ? checkNameAs(hashed, rule) : [];
  if (hashed.length > max || problems.length > 0) {
    throw new PermanentError(
      `${field} ${JSON.stringify(name)} with suffix ${JSON.stringify(suffix)} cannot give a valid name: ${
        problems[0]?.message ?? `${hashed.length} characters exceed the limit of ${max}`
      }`,
      { reason: "InvalidName" },
    );
  }
  return hashed;
}

/**
 * A label value that stands for `owner` (labels allow 63 characters; names up to 253):
 * the name when it is a valid label value, else its hash. Prefer the owner's uid where the
 * label only has to be unique and need not be readable.
 */
export function ownerLabelValue(owner: { metadata: { name?: string } } | string): string {
  const name = typeof owner === "string" ? owner : (owner.metadata.name ?? "");
  return name.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(name)
    ? name
    : `h-${hashOf(name)}`;
}
