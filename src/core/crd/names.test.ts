import assert from "node:assert/strict";
import { test } from "node:test";
import { checkNames, pluralize } from "./names.js";

test("plurals follow English rules rather than appending an s", () => {
  const cases: [string, string][] = [
    ["MongoUserResource", "mongouserresources"],
    ["Sample", "samples"],
    ["Policy", "policies"],
    ["Gateway", "gateways"],
    ["Ingress", "ingresses"],
    ["Box", "boxes"],
    ["Match", "matches"],
    ["Mesh", "meshes"],
    ["Quiz", "quizes"],
    ["Person", "people"],
    ["DatabaseIndex", "databaseindexes"],
    ["Endpoints", "endpoints"],
    ["Status", "statuses"],
    ["Leaf", "leaves"],
  ];
  for (const [kind, plural] of cases) assert.equal(pluralize(kind), plural, kind);
});

const valid = {
  group: "mkramb.com",
  kind: "MongoUser",
  plural: "mongousers",
  singular: "mongouser",
  listKind: "MongoUserList",
  shortNames: ["mu"],
  categories: ["all"],
  versions: ["v1", "v1beta1"],
};

test("valid names raise no issue", () => {
  assert.deepEqual(checkNames(valid), []);
});

test("each name the API server would refuse is reported with its place and rule", () => {
  const issues = checkNames({
    ...valid,
    group: "nodots",
    plural: "Mongo_Users",
    shortNames: ["ok", "Bad"],
    listKind: "MongoUser",
    versions: ["V1"],
  });
  assert.deepEqual(
    issues.map((i) => [i.path, i.rule]),
    [
      ["group", "group-name"],
      ["listKind", "kind-name"],
      ["plural", "plural-name"],
      ["shortNames[1]", "short-name"],
      ["versions.V1", "version-name"],
    ],
  );
});
