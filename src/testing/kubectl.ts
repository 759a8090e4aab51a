/**
 * Run the control plane's own kubectl (same version as the server) against a test cluster.
 * Arguments go straight to execFile: no shell, so nothing in them is interpreted.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import type { TestControlPlane } from "./controlplane.js";

/** kubectl's output and exit code. */
export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run the control plane's kubectl with `args` (no shell) against the test cluster; never throws on a non-zero exit. */
export function kubectl(
  cp: Pick<TestControlPlane, "bin" | "kubeconfig">,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      path.join(cp.bin, "kubectl"),
      ["--kubeconfig", cp.kubeconfig, ...args],
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") return reject(err);
        resolve({ stdout, stderr, code: err ? Number(err.code) : 0 });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Like `kubectl` but throws with kubectl's stderr when it exits non-zero. */
export async function kubectlOk(
  cp: Pick<TestControlPlane, "bin" | "kubeconfig">,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const r = await kubectl(cp, args, opts);
  if (r.code !== 0)
    throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}
