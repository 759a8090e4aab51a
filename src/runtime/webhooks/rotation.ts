/**
 * When to make a CA, issue a serving certificate or retire a CA: a pure decision on the
 * current certificates and the time, so that every step of a rotation is unit-tested on a
 * clock that a test moves.
 *
 * Guarantees (with `overlapMs` longer than it takes a new `caBundle` to reach the API server
 * and every replica to reload):
 * - A serving certificate is signed only by a CA that has been in the bundle for `overlapMs`
 *   (except the very first one, which nobody could have trusted before), so the API server
 *   never sees a certificate it cannot verify.
 * - A CA leaves the bundle only `overlapMs` after the certificate it signed was replaced, and
 *   never while it signs the current one: old and new CA are both trusted during the switch.
 * - The serving certificate is renewed `leafRenewBeforeMs` before it expires, the CA
 *   `caRenewBeforeMs` before it does: they never expire together (unlike a CA and leaf that
 *   cert-manager issues at once).
 *
 * The driver (authority.ts) applies one action at a time and asks again until `steady`.
 */

/** A certificate as the decision sees it: validity, and since when it is in use. */
export interface CertInfo {
  notAfter: number;
  /** When it entered the bundle (a CA) or started being served (a leaf). */
  since: number;
}

export interface CertState {
  /** The trusted CAs (the `caBundle`), oldest first. */
  cas: CertInfo[];
  /** The serving certificate and the index in `cas` of the CA that signed it. */
  leaf?: CertInfo & { issuer: number };
}

/** How long the CA and the serving certificate live, and how early each is renewed. */
export interface RotationPolicy {
  caValidityMs: number;
  caRenewBeforeMs: number;
  leafValidityMs: number;
  leafRenewBeforeMs: number;
  overlapMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

/** Serving certificate 30 days, renewed 10 days early; CA 365 days, renewed 90 days early. */
export const DEFAULT_POLICY: RotationPolicy = {
  caValidityMs: 365 * DAY,
  caRenewBeforeMs: 90 * DAY,
  leafValidityMs: 30 * DAY,
  leafRenewBeforeMs: 10 * DAY,
  overlapMs: 60 * 60 * 1000,
};

export type Action =
  | { type: "create-ca" }
  | { type: "issue-leaf"; ca: number }
  | { type: "retire-ca"; ca: number }
  | { type: "steady"; next: number };

/** Throws when a policy could renew forever or switch to a CA nobody trusts yet. */
export function checkPolicy(p: RotationPolicy): void {
  const problems: string[] = [];
  if (p.leafRenewBeforeMs >= p.leafValidityMs)
    problems.push("leafRenewBeforeMs must be shorter than leafValidityMs");
  if (p.caRenewBeforeMs >= p.caValidityMs)
    problems.push("caRenewBeforeMs must be shorter than caValidityMs");
  if (p.overlapMs + p.leafRenewBeforeMs >= p.caRenewBeforeMs)
    problems.push("overlapMs + leafRenewBeforeMs must be shorter than caRenewBeforeMs");
  if (problems.length) throw new Error(`webhook certificate policy: ${problems.join("; ")}`);
}

export function decide(s: CertState, now: number, p: RotationPolicy): Action {
  const newest = s.cas.length - 1;
  const ca = s.cas[newest];
  if (!ca || ca.notAfter - now <= p.caRenewBeforeMs) return { type: "create-ca" };
  // The newest CA every client has had time to trust; the first CA of all when none has.
  const trusted = findLast(s.cas, (c) => c.since + p.overlapMs <= now) ?? newest;
  const leaf = s.leaf;
  if (!leaf || !s.cas[leaf.issuer]) return { type: "issue-leaf", ca: trusted };
  if (leaf.notAfter - now <= p.leafRenewBeforeMs) return { type: "issue-leaf", ca: trusted };
  if (leaf.issuer !== newest && ca.since + p.overlapMs <= now)
    return { type: "issue-leaf", ca: newest };
  const retired = s.cas.findIndex(
    (c, i) =>
      i !== leaf.issuer &&
      (c.notAfter <= now || (i < leaf.issuer && leaf.since + p.overlapMs <= now)),
  );
  if (retired >= 0) return { type: "retire-ca", ca: retired };
  const next = [ca.notAfter - p.caRenewBeforeMs, leaf.notAfter - p.leafRenewBeforeMs];
  if (leaf.issuer !== newest) next.push(ca.since + p.overlapMs);
  if (leaf.issuer > 0) next.push(leaf.since + p.overlapMs);
  for (const c of s.cas) next.push(c.notAfter);
  return { type: "steady", next: Math.min(...next) };
}

function findLast<T>(xs: T[], f: (x: T) => boolean): number | undefined {
  for (let i = xs.length - 1; i >= 0; i--) if (f(xs[i]!)) return i;
  return undefined;
}
