/**
 * Resource names: the plural, singular and list kind derived from a kind, and the DNS rules the
 * API server applies to them (apiextensions `ValidateCustomResourceDefinitionNames`).
 *
 * Contract: `pluralize(kind)` lower-cases the kind and applies English rules (-y after a
 * consonant → -ies; -s, -x, -z, -ch, -sh → -es; a few irregular nouns), so `MongoUserResource`
 * → `mongouserresources`, `Policy` → `policies`, `Ingress` → `ingresses`, `Gateway` →
 * `gateways`. Anything else can be given explicitly in the definition.
 */
import type { SchemaIssue } from "./errors.js";

const IRREGULAR: Record<string, string> = {
  person: "people",
  child: "children",
  mouse: "mice",
  goose: "geese",
  leaf: "leaves",
  life: "lives",
  knife: "knives",
  wife: "wives",
  half: "halves",
  shelf: "shelves",
  analysis: "analyses",
  basis: "bases",
  crisis: "crises",
  criterion: "criteria",
  datum: "data",
  index: "indexes",
  matrix: "matrices",
  vertex: "vertices",
};
/** Nouns whose plural is the noun itself. */
const UNCOUNTABLE = new Set([
  "data",
  "metadata",
  "endpoints",
  "series",
  "species",
  "information",
  "equipment",
  "sheep",
  "fish",
  "news",
]);

export function pluralize(kind: string): string {
  const word = kind.toLowerCase();
  if (UNCOUNTABLE.has(word)) return word;
  for (const [singular, plural] of Object.entries(IRREGULAR)) {
    // Compound kinds (`DatabaseIndex`) pluralize their last word.
    if (word.endsWith(singular)) return word.slice(0, -singular.length) + plural;
  }
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/.test(word)) return word + "es";
  return word + "s";
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function label(path: string, value: string, rule: string, lower = true): SchemaIssue[] {
  const v = lower ? value : value.toLowerCase();
  if (v.length <= 63 && DNS1035_LABEL.test(v)) return [];
  return [
    {
      path,
      rule,
      message:
        `"${value}" must be a DNS-1035 label: at most 63 characters, ` +
        (lower ? "lower-case " : "") +
        "letters, digits and '-', starting with a letter and ending with a letter or digit",
    },
  ];
}

export interface NameSet {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  listKind: string;
  shortNames: readonly string[];
  categories: readonly string[];
  versions: readonly string[];
}

/** Every reason the API server would refuse these names, as issues. */
export function checkNames(n: NameSet): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (n.group.length > 253 || !DNS1123_SUBDOMAIN.test(n.group) || !n.group.includes(".")) {
    issues.push({
      path: "group",
      rule: "group-name",
      message: `"${n.group}" must be a lower-case DNS subdomain with at least one dot (e.g. example.com)`,
    });
  }
  issues.push(...label("kind", n.kind, "kind-name", false));
  issues.push(...label("listKind", n.listKind, "kind-name", false));
  if (n.kind === n.listKind) {
    issues.push({ path: "listKind", rule: "kind-name", message: "must differ from kind" });
  }
  issues.push(...label("plural", n.plural, "plural-name"));
  issues.push(...label("singular", n.singular, "singular-name"));
  n.shortNames.forEach((s, i) => issues.push(...label(`shortNames[${i}]`, s, "short-name")));
  n.categories.forEach((c, i) => issues.push(...label(`categories[${i}]`, c, "category-name")));
  n.versions.forEach((v) => issues.push(...label(`versions.${v}`, v, "version-name")));
  return issues;
}
