/**
 * "Did you mean …": the kinds a server serves that an apiVersion and kind it does not serve
 * most likely meant. Pure; discovery.ts gathers what the server serves.
 *
 * Close, in order of likelihood: the same kind in another version of the same group (a CRD
 * serving `v1beta1`, asked for `v1`); a kind of the same group and version spelt alike (case,
 * plural, a typo: `Widgets`, `widget`, `Widgte`); the same kind in a group spelt alike
 * (`exmaple.com` for `example.com`); the same kind in another group when a built-in group
 * was asked for (`v1 Deployment` for `apps/v1`). At most three, the likeliest first.
 */
import { parseApiVersion } from "../core/object.js";

export interface ServedKind {
  apiVersion: string;
  kind: string;
  /** Plural resource name (`widgets`). */
  resource: string;
  singular?: string;
}

export interface Suggestion {
  apiVersion: string;
  kind: string;
}

export function suggestKinds(
  apiVersion: string,
  kind: string,
  served: readonly ServedKind[],
): Suggestion[] {
  const want = parseApiVersion(apiVersion);
  const ranked: { s: ServedKind; rank: number }[] = [];
  for (const s of served) {
    if (s.apiVersion === apiVersion && s.kind === kind) return []; // served after all
    const gv = parseApiVersion(s.apiVersion);
    const sameKind = s.kind === kind;
    const alike = sameKind || spelledAlike(kind, s);
    let rank: number | undefined;
    if (gv.group === want.group && gv.version !== want.version && alike) rank = sameKind ? 0 : 2;
    else if (s.apiVersion === apiVersion && alike) rank = 1;
    else if (sameKind && gv.group !== want.group && close(gv.group, want.group)) rank = 3;
    // Only for a built-in group asked by mistake (`v1 Deployment`): a CRD's kind may well
    // exist in someone else's group too, while its own CRD is not installed yet.
    else if (sameKind && !want.group.includes(".")) rank = 4;
    if (rank !== undefined) ranked.push({ s, rank });
  }
  const seen = new Set<string>();
  return ranked
    .sort((a, b) => a.rank - b.rank)
    .map(({ s }) => ({ apiVersion: s.apiVersion, kind: s.kind }))
    .filter((s) => {
      const id = `${s.apiVersion} ${s.kind}`;
      return !seen.has(id) && seen.add(id);
    })
    .slice(0, 3);
}

/** "did you mean Widget (example.com/v1)?", or "" when there is nothing close. */
export function didYouMean(suggestions: readonly Suggestion[]): string {
  if (!suggestions.length) return "";
  const each = suggestions.map((s) => `${s.kind} (${s.apiVersion})`);
  return `did you mean ${each.length === 1 ? each[0] : `one of ${each.join(", ")}`}?`;
}

/** A kind asked for by its plural, its resource name, another case, or with a typo. */
function spelledAlike(kind: string, s: ServedKind): boolean {
  const k = kind.toLowerCase();
  const names = [s.kind.toLowerCase(), s.resource.toLowerCase(), s.singular?.toLowerCase()];
  return names.some((n) => n !== undefined && n !== "" && close(k, n));
}

/** Equal, or a typo apart: one edit (two in names of ten letters or more). */
function close(a: string, b: string): boolean {
  if (a === b) return true;
  const limit = Math.min(a.length, b.length) >= 10 ? 2 : 1;
  return Math.abs(a.length - b.length) <= limit && distance(a, b) <= limit;
}

/** Edits between two names, a swap of neighbours counting as one (names are short). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}
