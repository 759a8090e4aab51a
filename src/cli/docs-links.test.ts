// The README's and docs' relative links lead somewhere: every linked file exists in the
// repository, and every `#anchor` names a heading of the linked Markdown file (GitHub's
// slugs). And they work wherever the README is read — in the npm package too: every link
// names a file the package ships. Pure: reads files and npm pack's dry run, no cluster.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { packageRoot } from "../controlplane/paths.js";
import { packedFiles } from "./project.testkit.js";

const root = packageRoot();

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** The relative links of a Markdown text (code blocks and inline code skipped). */
export function relativeLinks(markdown: string): { target: string; anchor?: string }[] {
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((l) => !/^[a-z]+:/.test(l))
    .map((l) => {
      const [target, anchor] = l.split("#") as [string, string | undefined];
      return anchor === undefined ? { target } : { target, anchor };
    });
}

const anchorsOf = (file: string) =>
  new Set(
    readFileSync(file, "utf8")
      .replace(/^```[\s\S]*?^```$/gm, "")
      .split("\n")
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, ""))),
  );

const markdownFiles = [
  "README.md",
  ...readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

test("slug follows GitHub's anchors for headings with code and punctuation", () => {
  assert.equal(
    slug("`capstan test`: one control plane for the whole run"),
    "capstan-test-one-control-plane-for-the-whole-run",
  );
  assert.equal(slug("`operatorFixture` and `useWidgets`"), "operatorfixture-and-usewidgets");
});

for (const file of markdownFiles)
  test(`every relative link in ${file} names an existing file and heading`, () => {
    const broken: string[] = [];
    for (const { target, anchor } of relativeLinks(readFileSync(path.join(root, file), "utf8"))) {
      const abs = target ? path.resolve(root, path.dirname(file), target) : path.join(root, file);
      if (!existsSync(abs)) broken.push(`${target}: no such file`);
      else if (
        anchor &&
        statSync(abs).isFile() &&
        abs.endsWith(".md") &&
        !anchorsOf(abs).has(anchor)
      )
        broken.push(`${target}#${anchor}: no such heading`);
    }
    assert.deepEqual(broken, []);
  });

test("every relative link in README.md and docs/*.md names a file the npm package ships", async () => {
  const shipped = new Set(await packedFiles());
  const outside: string[] = [];
  for (const file of markdownFiles)
    for (const { target } of relativeLinks(readFileSync(path.join(root, file), "utf8"))) {
      const rel = path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      if (target && !shipped.has(rel)) outside.push(`${file}: ${target}`);
    }
  assert.deepEqual(outside, []);
});
