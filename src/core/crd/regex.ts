/**
 * Regular expressions cross two engines here: a zod schema holds ECMAScript regexes, the API
 * server compiles `pattern` with Go's RE2. This module finds the ECMAScript constructs RE2
 * refuses (so the CRD is rejected at generation, not by the API server) and translates the
 * flags both ways, since RE2 spells them inline (`(?i)`) and JavaScript as RegExp flags.
 */

const UNSUPPORTED: [RegExp, string][] = [
  [/^\(\?[=!]/, "lookahead"],
  [/^\(\?<[=!]/, "lookbehind"],
  [/^\\[1-9]/, "backreference"],
  [/^\\k</, "named backreference"],
  [/^\\u/, "\\u escape (use \\x{…})"],
  [/^\\c[A-Za-z]/, "\\c control escape"],
  [/^\[\^?\]/, "empty character class"],
];

/** Why RE2 would refuse this ECMAScript pattern, or undefined when it accepts it. */
export function re2Problem(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const rest = pattern.slice(i);
    for (const [re, what] of UNSUPPORTED) {
      if (re.test(rest)) return `uses a ${what}, which Go's RE2 engine does not support`;
    }
    if (pattern[i] === "\\") i++; // skip the escaped character
  }
  return undefined;
}

/** A zod/JavaScript regex as an RE2 pattern: supported flags become an inline group. */
export function toRe2(re: RegExp): string {
  const flags = [...re.flags].filter((f) => f === "i" || f === "m" || f === "s").join("");
  return flags ? `(?${flags})${re.source}` : re.source;
}

/** An RE2 pattern as a JavaScript RegExp (for runtime validation), or undefined if impossible. */
export function fromRe2(pattern: string): RegExp | undefined {
  const m = /^\(\?([ims]+)\)/.exec(pattern);
  try {
    return m ? new RegExp(pattern.slice(m[0].length), `${m[1]}u`) : new RegExp(pattern, "u");
  } catch {
    try {
      return new RegExp(m ? pattern.slice(m[0].length) : pattern, m?.[1] ?? "");
    } catch {
      return undefined;
    }
  }
}
