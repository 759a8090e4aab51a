/**
 * Text limits that the API server counts in bytes. Kubernetes validates lengths in Go, where
 * `len(s)` is UTF-8 bytes: an Event note of 1,024 JavaScript characters with CJK or emoji
 * in it is rejected. Cutting by `String.slice` also splits surrogate pairs, leaving a lone
 * half that JSON carries as U+FFFD. These helpers cut on code-point boundaries, by bytes.
 */

/** UTF-8 length of `s` in bytes. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/**
 * `s` if it fits in `maxBytes` of UTF-8, else its longest prefix of whole code points that
 * fits together with `ellipsis` (which is then appended).
 */
export function truncateUtf8(s: string, maxBytes: number, ellipsis = "…"): string {
  if (utf8Length(s) <= maxBytes) return s;
  const budget = maxBytes - utf8Length(ellipsis);
  if (budget <= 0) return "";
  let bytes = 0;
  let end = 0;
  for (const cp of s) {
    const n = cp.length === 2 ? 4 : utf8Length(cp);
    if (bytes + n > budget) break;
    bytes += n;
    end += cp.length;
  }
  return s.slice(0, end) + ellipsis;
}
