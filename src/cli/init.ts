/**
 * `capstan init <dir>`: a new operator project in an empty (or new) directory — a resource,
 * a reconcile-style operator, its test on the local control plane, a sample, a README and the
 * package's scripts (`npm run demo`, `npm test`, `npm run generate`). The directory's name
 * names the package, the operator and, unless given, the resource's kind and group; names
 * Kubernetes would refuse are refused here, before anything is written.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { checkNames, pluralize } from "../core/crd/names.js";
import { packageRoot } from "../controlplane/paths.js";
import * as files from "./init-files.js";
import { readmeMd } from "./init-readme.js";

export interface InitOptions {
  /**
   * The `capstan` dependency: a version range, a tarball or a directory (default: the
   * tarball or directory this copy of capstan was installed from, else ^this version).
   */
  capstan?: string;
  kind?: string;
  group?: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** `<name>-operator` must stay a DNS-1123 label (63 characters). */
const MAX_NAME = 63 - "-operator".length;

const pascal = (name: string) =>
  name
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

/** The project's names from its directory's, or a one-line error saying which rule fails. */
export function projectNames(dirName: string, o: InitOptions = {}): files.ProjectNames {
  if (dirName.length > MAX_NAME || !DNS1123_LABEL.test(dirName))
    throw new Error(
      `init: directory name ${JSON.stringify(dirName)} cannot name the project: it must be ` +
        `lower-case letters, digits and '-', start and end with a letter or digit, and be at ` +
        `most ${MAX_NAME} characters (it names the package, the operator and its namespace)`,
    );
  const kind = o.kind ?? pascal(dirName);
  const group = o.group ?? `${dirName}.example.com`;
  const plural = pluralize(kind);
  const version = "v1alpha1";
  const issues = checkNames({
    group,
    kind,
    plural,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
    shortNames: [],
    categories: [],
    versions: [version],
  });
  if (!/^[A-Z]/.test(kind))
    issues.unshift({
      path: "kind",
      rule: "kind-name",
      message: "must start with a capital letter",
    });
  if (`${plural}.${group}`.length > 253)
    issues.push({ path: "group", rule: "group-name", message: "too long for the CRD's name" });
  const issue = issues[0];
  if (issue) {
    const field = issue.path.startsWith("group") ? "group" : "kind";
    const given = field === "group" ? o.group : o.kind;
    const value = field === "group" ? group : kind;
    throw new Error(
      `init: ${field} ${JSON.stringify(value)} ${given ? "(--" + field + ")" : "(from the directory name)"}: ` +
        `${issue.message.replace(/^"[^"]*" /, "")}; ${given ? "fix" : "pass"} --${field}`,
    );
  }
  return { name: dirName, kind, group, version, plural };
}

/**
 * The `capstan` dependency of the project this copy of capstan is installed in, when that is
 * a tarball or a directory (`file:`): a user who installed a packed capstan and ran
 * `npx capstan init` gets a project that installs the same one, not a version range their
 * registry may not have. Relative `file:` paths are npm's, relative to that project.
 */
export function inheritedSpec(root: string): string | undefined {
  if (path.basename(path.dirname(root)) !== "node_modules") return undefined;
  const project = path.dirname(path.dirname(root));
  let pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(readFileSync(path.join(project, "package.json"), "utf8")) as typeof pkg;
  } catch {
    return undefined; // npx's own cache, or no readable package.json: nothing to inherit
  }
  const spec = pkg.dependencies?.capstan ?? pkg.devDependencies?.capstan;
  return spec?.startsWith("file:") ? `file:${path.resolve(project, spec.slice(5))}` : undefined;
}

/** A tarball or directory becomes `file:<absolute path>`; anything else is a range as given. */
function capstanSpec(spec: string | undefined, own: { version: string }): string {
  if (spec === undefined) return inheritedSpec(packageRoot()) ?? `^${own.version}`;
  if (/^[.~/]/.test(spec) || spec.endsWith(".tgz") || existsSync(spec))
    return `file:${path.resolve(spec)}`;
  return spec;
}

/** Writes the project into `dir`; returns the files written, relative to it. */
export function init(dir: string, o: InitOptions = {}): string[] {
  const abs = path.resolve(dir);
  const names = projectNames(path.basename(abs), o);
  if (existsSync(abs) && (!statSync(abs).isDirectory() || readdirSync(abs).length > 0))
    throw new Error(`init: ${abs} is not an empty directory; choose a new one`);
  const own = JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as {
    version: string;
    devDependencies?: Record<string, string>;
  };
  const dev = (name: string, fallback: string) =>
    `^${(own.devDependencies?.[name] ?? fallback).replace(/^[\^~]/, "")}`;
  const project: Record<string, string> = {
    "package.json": files.packageJson(names, {
      capstan: capstanSpec(o.capstan, own),
      typescript: dev("typescript", "5.9.3"),
      typesNode: dev("@types/node", "20.19.0"),
    }),
    "tsconfig.json": files.tsconfigJson(),
    ".gitignore": files.gitignore(),
    "README.md": readmeMd(names),
    "src/resource.ts": files.resourceTs(names),
    "src/operator.ts": files.operatorTs(names),
    "src/operator.test.ts": files.operatorTestTs(names),
    [`samples/${names.kind.toLowerCase()}.yaml`]: files.sampleYaml(names),
  };
  for (const [rel, text] of Object.entries(project)) {
    mkdirSync(path.dirname(path.join(abs, rel)), { recursive: true });
    writeFileSync(path.join(abs, rel), text, { flag: "wx" });
  }
  return Object.keys(project);
}

export function registerInit(
  program: Command,
  out: { write(s: string): unknown } = process.stdout,
) {
  program
    .command("init")
    .description("write a new operator project (resource, operator, test, samples) into <dir>")
    .argument("<dir>", "a new or empty directory; its name names the project")
    .option(
      "--capstan <spec>",
      "the capstan dependency: a version range or a tarball path (default: the tarball this capstan was installed from, else ^its version)",
    )
    .option("--kind <Kind>", "the resource's kind (default: from the directory name)")
    .option("--group <group>", "the resource's API group (default: <dir>.example.com)")
    .action((dir: string, o: InitOptions) => {
      const written = init(dir, o);
      const rel = path.relative(process.cwd(), path.resolve(dir)) || ".";
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        dependencies: { capstan: string };
      };
      out.write(
        `Wrote ${written.length} files into ${rel} (capstan: ${pkg.dependencies.capstan}):\n` +
          written.map((f) => `  ${f}\n`).join("") +
          `Next:\n  cd ${rel}\n  npm install\n  npm run demo   # the operator on the local control plane\n` +
          `  npm test       # its tests\n`,
      );
    });
}
