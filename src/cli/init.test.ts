// `capstan init`: the names a project gets from its directory, the names it refuses, and the
// files it writes (only into a new or empty directory). The scaffolded project installed and
// tested for real: init-project.test.ts.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { Command } from "commander";
import { inheritedSpec, init, projectNames, registerInit } from "./init.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "capstan-init-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("a directory named my-app makes the kind MyApp in the group my-app.example.com", () => {
  assert.deepEqual(projectNames("my-app"), {
    name: "my-app",
    kind: "MyApp",
    group: "my-app.example.com",
    version: "v1alpha1",
    plural: "myapps",
  });
});

test("--kind and --group replace the derived names", () => {
  const n = projectNames("store", { kind: "Policy", group: "shop.example.org" });
  assert.deepEqual([n.kind, n.plural, n.group], ["Policy", "policies", "shop.example.org"]);
});

test("a directory name that is not a DNS-1123 label is refused in one line naming it", () => {
  for (const bad of ["My_App", "-app", "app-", "a".repeat(55), "my.app"])
    assert.throws(
      () => projectNames(bad),
      (e: Error) =>
        e.message.includes(JSON.stringify(bad)) &&
        e.message.includes("lower-case letters, digits and '-'") &&
        !e.message.includes("\n"),
    );
});

test("a kind the directory name cannot give asks for --kind", () => {
  assert.throws(() => projectNames("1app"), /kind "1app" \(from the directory name\).*pass --kind/);
});

test("a group without a dot is refused naming --group", () => {
  assert.throws(
    () => projectNames("app", { group: "local" }),
    /group "local" \(--group\): must be a lower-case DNS subdomain with at least one dot/,
  );
});

test("init writes the project's files, the capstan dependency as given", () => {
  const dir = path.join(tmp, "hello");
  const written = init(dir, { capstan: "../capstan-0.1.0.tgz" });
  assert.deepEqual(written.sort(), [
    ".gitignore",
    "README.md",
    "package.json",
    "samples/hello.yaml",
    "src/operator.test.ts",
    "src/operator.ts",
    "src/resource.ts",
    "tsconfig.json",
  ]);
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  assert.equal(pkg.type, "module");
  assert.equal(pkg.dependencies.capstan, `file:${path.resolve("../capstan-0.1.0.tgz")}`);
  assert.equal(pkg.scripts.test, "capstan test");
  assert.match(readFileSync(path.join(dir, "samples/hello.yaml"), "utf8"), /^kind: Hello$/m);
});

test("without --capstan the dependency is this version of capstan", () => {
  const dir = path.join(tmp, "plain");
  init(dir);
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  assert.match(pkg.dependencies.capstan, /^\^\d+\.\d+\.\d+/);
});

test("a capstan installed from a tarball passes that tarball on to the new project", () => {
  const project = path.join(tmp, "installed-from-tarball");
  mkdirSync(path.join(project, "node_modules", "capstan"), { recursive: true });
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ dependencies: { capstan: "file:../dl/capstan-0.1.0.tgz" } }),
  );
  assert.equal(
    inheritedSpec(path.join(project, "node_modules", "capstan")),
    `file:${path.resolve(tmp, "dl/capstan-0.1.0.tgz")}`,
  );
});

test("a capstan installed from the registry passes nothing on", () => {
  const project = path.join(tmp, "installed-from-registry");
  mkdirSync(path.join(project, "node_modules", "capstan"), { recursive: true });
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ dependencies: { capstan: "^0.1.0" } }),
  );
  assert.equal(inheritedSpec(path.join(project, "node_modules", "capstan")), undefined);
});

test("a capstan not installed in a project (a source checkout) passes nothing on", () => {
  assert.equal(inheritedSpec(path.join(tmp, "checkout", "capstan")), undefined);
});

test("the operator and its test import from capstan only what an operator author uses", () => {
  const dir = path.join(tmp, "imports");
  init(dir);
  const root = new Set(["childName", "defineOperator", "defineResource", "done", "k8s"]);
  root.add("setCondition").add("z");
  for (const f of ["src/resource.ts", "src/operator.ts", "src/operator.test.ts"]) {
    const text = readFileSync(path.join(dir, f), "utf8");
    for (const [, names] of text.matchAll(/import \{([^}]*)\} from "capstan";/g))
      for (const name of names!.split(",").map((s) => s.trim()))
        assert.ok(root.has(name), `${f} imports ${name} from capstan`);
  }
});

test("init refuses a directory that is not empty, writing nothing", () => {
  const dir = path.join(tmp, "busy");
  mkdirSync(dir);
  writeFileSync(path.join(dir, "notes.txt"), "mine");
  const program = new Command().exitOverride();
  registerInit(program, { write: () => undefined });
  assert.throws(
    () => program.parse(["init", dir], { from: "user" }),
    new RegExp(`init: ${dir} is not an empty directory; choose a new one`),
  );
  assert.deepEqual(readFileSync(path.join(dir, "notes.txt"), "utf8"), "mine");
});

test("the scaffolded test's names read 'an' before a kind that starts with a vowel", () => {
  const dir = path.join(tmp, "evc");
  init(dir, { kind: "EphemeralVolumeClaim" });
  const text = readFileSync(path.join(dir, "src/operator.test.ts"), "utf8");
  assert.match(text, /test\("an EphemeralVolumeClaim gets/);
  assert.doesNotMatch(text, /\ba EphemeralVolumeClaim\b/);
});
