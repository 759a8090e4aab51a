/**
 * Render the kustomize base in ./kustomize for one Sample, as the seed does — a base plus a
 * patch setting `replicas` — but without writing into the working directory: each render
 * gets its own temporary directory (so concurrent Samples cannot see each other's patch),
 * removed afterwards. Rendering is `kubectl kustomize`, run without a shell: kustomize is
 * Go, built into kubectl, and has no maintained JavaScript port; every machine with the
 * local control plane has a matching kubectl (set CAPSTAN_KUBECTL to choose one).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { packageRoot } from "../../src/controlplane/paths.js";

// The YAML base lives beside the source; compiled code under dist/ reads it from there too.
const BASE = path.join(packageRoot(), "examples", "sample", "kustomize");

export interface RenderInput {
  name: string;
  namespace: string;
  count: number;
  kubectl: string;
}

export async function render(input: RenderInput): Promise<Record<string, unknown>[]> {
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
        namePrefix: `${input.name}-`,
        labels: [{ pairs: { "nuvolaris.org/sample": input.name }, includeSelectors: true }],
        resources: ["base"],
        patches: [{ path: "patch.yaml" }],
      }),
    );
    const out = await new Promise<string>((resolve, reject) =>
      execFile(input.kubectl, ["kustomize", dir], { timeout: 30_000 }, (err, stdout, stderr) =>
        err
          ? reject(new Error(`kubectl kustomize failed: ${stderr || err.message}`))
          : resolve(stdout),
      ),
    );
    return parseAllDocuments(out)
      .map((d) => d.toJSON() as Record<string, unknown>)
      .filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
