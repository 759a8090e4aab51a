/**
 * Render the kustomize base in ./kustomize for one Sample, as the seed does — a base plus a
 * patch setting `replicas` — but without writing into the working directory: each render
 * gets its own temporary directory (so concurrent Samples cannot see each other's patch),
 * removed afterwards. Rendering is `kubectl kustomize`, run without a shell: kustomize is
 * Go, built into kubectl, and has no maintained JavaScript port; every machine with the
 * local control plane has a matching kubectl (set CAPSTAN_KUBECTL to choose one).
 *
 * Names: every rendered object is prefixed with `namePrefix(sample)`: `<name>-` when the
 * longest rendered name fits, else `<cut>-<hash of the whole name>-` (`childName`), so two
 * long names sharing a prefix never render the same object names.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { fileURLToPath } from "node:url";
import { childName } from "capstan";

// The YAML base lives beside the source, where the module finds it when run as TypeScript
// (capstan run, the operator's image); compiled under dist/examples/sample/, it reads it from
// the source tree.
const BESIDE = fileURLToPath(new URL("./kustomize", import.meta.url));
const BASE = existsSync(BESIDE)
  ? BESIDE
  : fileURLToPath(new URL("../../../examples/sample/kustomize", import.meta.url));

/**
 * Longest name of a rendered object: the deployment controller names a Deployment's
 * ReplicaSets `<deployment>-<pod-template-hash>` (up to 10 characters), within 253.
 */
const MAX_NAME = 253 - 11;

export interface RenderInput {
  /** The Sample's name (for the name prefix and messages). */
  name: string;
  namespace: string;
  count: number;
  /** Put on every object and into every selector (kustomize `includeSelectors`). */
  labels: Record<string, string>;
  kubectl: string;
}

type Rendered = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
};

function kustomize(dir: string, kubectl: string, what: string): Promise<Rendered[]> {
  return new Promise<string>((resolve, reject) =>
    execFile(kubectl, ["kustomize", dir], { timeout: 30_000 }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`kubectl kustomize for ${what} failed: ${stderr || err.message}`))
        : resolve(stdout),
    ),
  ).then((out) =>
    parseAllDocuments(out)
      .map((d) => d.toJSON() as Rendered)
      .filter(Boolean),
  );
}

let baseNames: Promise<string[]> | undefined;

/** The prefix of every object rendered for the Sample `name` (see the module comment). */
export async function namePrefix(name: string, kubectl: string): Promise<string> {
  // The base does not change while the operator runs: render it alone once.
  baseNames ??= kustomize(BASE, kubectl, "the base").then(
    (objs) => objs.map((o) => o.metadata.name),
    (e: unknown) => {
      baseNames = undefined;
      throw e;
    },
  );
  const longest = Math.max(0, ...(await baseNames).map((n) => n.length));
  return `${childName(name, "", { rule: "dns1123-subdomain", max: MAX_NAME - longest - 1 })}-`;
}

export async function render(input: RenderInput): Promise<Rendered[]> {
  const prefix = await namePrefix(input.name, input.kubectl);
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-sample-"));
  try {
    cpSync(BASE, path.join(dir, "base"), { recursive: true });
    writeFileSync(
      path.join(dir, "patch.yaml"),
      stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "demo-deploy" },
        spec: { replicas: input.count },
      }),
    );
    writeFileSync(
      path.join(dir, "kustomization.yaml"),
      stringify({
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        namespace: input.namespace,
        namePrefix: prefix,
        labels: [{ pairs: input.labels, includeSelectors: true }],
        resources: ["base"],
        patches: [{ path: "patch.yaml" }],
      }),
    );
    return await kustomize(dir, input.kubectl, `Sample ${input.namespace}/${input.name}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
