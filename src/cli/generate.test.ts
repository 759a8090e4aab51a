// `capstan generate crd`: collects a module's resources, prints stable YAML, writes one file
// per CRD, and refuses a module whose definitions Kubernetes would not accept.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { Command } from "commander";
import { parseAllDocuments } from "yaml";
import { loadCrds, registerGenerate } from "./generate.js";
import { crdsToYaml } from "../core/crd/index.js";
import { MongoUserResource } from "../../examples/crds/mongouser.js";
import { Sample } from "../../examples/crds/sample.js";

// Run from src/ (tsx) or from the compiled dist/: use whichever form of a module is there.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const source = (rel: string) =>
  path.join(root, existsSync(path.join(root, `${rel}.ts`)) ? `${rel}.ts` : `${rel}.js`);
const examples = source("examples/crds/index");
const tmp = mkdtempSync(path.join(os.tmpdir(), "capstan-generate-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("a TypeScript module's resources become CRDs ordered by name, as stable YAML", async () => {
  const program = new Command().exitOverride();
  let printed = "";
  registerGenerate(program, { write: (s: string) => (printed += s) });
  await program.parseAsync(["generate", "crd", examples], { from: "user" });
  const crds = await loadCrds(examples);
  assert.deepEqual(
    crds.map((c) => c.metadata.name),
    ["mongouserresources.mkramb.com", "samples.nuvolaris.org"],
  );
  const yaml = crdsToYaml(crds);
  assert.equal(printed, yaml);
  assert.deepEqual(
    parseAllDocuments(yaml).map((d) => d.toJSON()),
    [MongoUserResource.crd(), Sample.crd()],
  );
  assert.equal(crdsToYaml(await loadCrds(examples)), yaml);
});

test("--out writes one file per CRD", async () => {
  const program = new Command().exitOverride();
  let printed = "";
  registerGenerate(program, { write: (s: string) => (printed += s) });
  const out = path.join(tmp, "out");
  await program.parseAsync(["generate", "crd", examples, "--out", out], { from: "user" });
  const names = ["mongouserresources.mkramb.com.yaml", "samples.nuvolaris.org.yaml"];
  assert.deepEqual(readdirSync(out).sort(), names);
  assert.equal(printed, names.map((n) => `wrote ${path.join(out, n)}\n`).join(""));
  assert.equal(
    readFileSync(path.join(out, "samples.nuvolaris.org.yaml"), "utf8"),
    crdsToYaml([Sample.crd()]),
  );
});

test("a module without resources, or with an invalid one, is refused with the reason", async () => {
  const empty = path.join(tmp, "empty.mjs");
  writeFileSync(empty, "export const x = 1;\n");
  await assert.rejects(loadCrds(empty), /exports no resource/);
  const bad = path.join(tmp, "bad.ts");
  const crd = pathToFileURL(source("src/core/crd/index")).href;
  writeFileSync(
    bad,
    `import { defineResource, z } from ${JSON.stringify(crd)};\nexport const Bad = defineResource({ group: "a.b", kind: "Bad", version: "v1", spec: z.object({ t: z.tuple([z.string()]) }) });\n`,
  );
  await assert.rejects(loadCrds(bad), /v1\.spec\.t: tuples cannot be expressed/);
});
