/**
 * Objects for the Widget fixture with the API server's verdict (observed on 1.34): `[]` for
 * accepted, otherwise the `[field, reason]` of each Status cause. The same corpus is run through the
 * real API server and through `safeParse`; both must give exactly these answers.
 */
export type Cause = [field: string, reason: string];

export interface CorpusEntry {
  title: string;
  spec: Record<string, unknown>;
  causes: Cause[];
}

// Causes the API server reports without a field (`<nil>`, here ""): CEL rules skipped after a
// blocking error, and a failed anyOf/oneOf (whose closest member's problems follow it).
const BLOCKED: Cause = ["", "FieldValueInvalid"];
const ANY_OF: Cause = ["", "FieldValueInvalid"];
const ONE_OF: Cause = ["", "FieldValueInvalid"];

export const corpus: CorpusEntry[] = [
  { title: "a minimal widget", spec: { name: "ok" }, causes: [] },
  {
    title: "a widget using every field",
    spec: {
      name: "full",
      size: "large",
      replicas: 3,
      minReplicas: 1,
      maxReplicas: 5,
      email: "someone@example.com",
      uid: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
      port: "http",
      ratio: 0.5,
      note: null,
      labels: { team: "a" },
      tags: ["x", "y"],
      ports: [
        { name: "http", port: 80 },
        { name: "dns", port: 53, protocol: "UDP" },
      ],
      config: { anything: { goes: [1, "two"] } },
      template: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t" }, data: { a: "b" } },
      source: { type: "git", url: "https://example.com/r.git" },
      owner: "team-a",
    },
    causes: [],
  },
  { title: "an integer port", spec: { name: "p", port: 8080 }, causes: [] },
  {
    title: "a missing required field",
    spec: { size: "small" },
    causes: [["spec.name", "FieldValueRequired"], BLOCKED],
  },
  {
    title: "a value outside the enum",
    spec: { name: "e", size: "huge" },
    causes: [["spec.size", "FieldValueNotSupported"], BLOCKED],
  },
  {
    title: "an integer above its maximum",
    spec: { name: "m", replicas: 11 },
    causes: [["spec.replicas", "FieldValueInvalid"]],
  },
  {
    title: "a string where an integer belongs, also refused by the scale subresource",
    spec: { name: "t", replicas: "3" },
    causes: [
      ["spec.replicas", "FieldValueTypeInvalid"],
      [".spec.replicas", "FieldValueInvalid"],
      BLOCKED,
    ],
  },
  {
    title: "a fractional replica count",
    spec: { name: "f", replicas: 1.5 },
    causes: [
      ["spec.replicas", "FieldValueTypeInvalid"],
      [".spec.replicas", "FieldValueInvalid"],
      BLOCKED,
    ],
  },
  {
    title: "a string above its maxLength",
    spec: { name: "a".repeat(21) },
    causes: [["spec.name", "FieldValueTooLong"], BLOCKED],
  },
  {
    title: "a string breaking its pattern",
    spec: { name: "Bad_Name" },
    causes: [["spec.name", "FieldValueInvalid"]],
  },
  {
    title: "an empty string below its minLength",
    spec: { name: "" },
    causes: [["spec.name", "FieldValueInvalid"]],
  },
  {
    title: "a malformed email",
    spec: { name: "m", email: "not-an-email" },
    causes: [["spec.email", "FieldValueInvalid"], ["spec.email", "FieldValueTypeInvalid"], BLOCKED],
  },
  {
    title: "a malformed uuid",
    spec: { name: "u", uid: "1234" },
    causes: [["spec.uid", "FieldValueInvalid"], ["spec.uid", "FieldValueTypeInvalid"], BLOCKED],
  },
  {
    title: "a boolean where int-or-string belongs",
    spec: { name: "b", port: true },
    causes: [
      ["spec.port", "FieldValueTypeInvalid"],
      ["spec.port", "FieldValueTypeInvalid"],
      ANY_OF,
      BLOCKED,
    ],
  },
  {
    title: "a ratio at its exclusive minimum",
    spec: { name: "r", ratio: 0 },
    causes: [["spec.ratio", "FieldValueInvalid"]],
  },
  {
    title: "a map value of the wrong type",
    spec: { name: "l", labels: { a: 1 } },
    causes: [["spec.labels.a", "FieldValueTypeInvalid"], BLOCKED],
  },
  {
    title: "a duplicate in a set list",
    spec: { name: "s", tags: ["x", "x"] },
    causes: [["spec.tags[1]", "FieldValueDuplicate"]],
  },
  {
    title: "too many items",
    spec: { name: "s", tags: ["a", "b", "c", "d", "e", "f"] },
    causes: [["spec.tags", "FieldValueTooMany"], BLOCKED],
  },
  {
    title: "a duplicate key in a map list",
    spec: {
      name: "d",
      ports: [
        { name: "http", port: 80 },
        { name: "http", port: 81 },
      ],
    },
    causes: [["spec.ports[1]", "FieldValueDuplicate"]],
  },
  {
    title: "an invalid field inside a list item",
    spec: { name: "i", ports: [{ name: "http", port: 70000 }] },
    causes: [["spec.ports[0].port", "FieldValueInvalid"]],
  },
  {
    title: "an embedded resource without kind",
    spec: { name: "k", template: { apiVersion: "v1", metadata: { name: "x" } } },
    // Once for the schema's `required`, once for the embedded object's metadata checks.
    causes: [
      ["spec.template.kind", "FieldValueRequired"],
      ["spec.template.kind", "FieldValueRequired"],
      BLOCKED,
    ],
  },
  {
    title: "a union member missing its own required field",
    spec: { name: "g", source: { type: "git" } },
    causes: [ONE_OF, ["spec.source.url", "FieldValueRequired"], BLOCKED],
  },
  {
    title: "a union with an unknown discriminator",
    spec: { name: "g", source: { type: "svn", url: "x" } },
    causes: [ONE_OF, ["spec.source.type", "FieldValueNotSupported"], BLOCKED],
  },
  {
    title: "a CEL rule on the spec",
    spec: { name: "c", minReplicas: 5, maxReplicas: 2 },
    causes: [["spec", "FieldValueInvalid"]],
  },
  {
    title: "a CEL rule on a field",
    spec: { name: "c", owner: "Team" },
    causes: [["spec.owner", "FieldValueInvalid"]],
  },
  {
    title: "CEL rules skipped when a blocking error is found",
    spec: { minReplicas: 5, maxReplicas: 2 },
    causes: [["spec.name", "FieldValueRequired"], BLOCKED],
  },
  { title: "an unknown field, which is pruned", spec: { name: "x", extra: true }, causes: [] },
  {
    title: "a null in a non-nullable field with a default",
    spec: { name: "n", size: null },
    causes: [],
  },
];
