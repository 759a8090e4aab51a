/**
 * The control plane's binaries: taken from a directory of prebuilt ones when
 * `CAPSTAN_CONTROL_PLANE_BIN` names one (envtest's flat layout), otherwise built once per pin
 * from the wrapper Go module in `controlplane/` into the per-user cache and reused.
 *
 * Contract: `ensureBinaries()` returns a directory holding every binary in `BINARIES`, each
 * reporting the pinned version. A build shows progress (package count, elapsed time) and a
 * missing Go toolchain fails with what to do instead.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ControlPlaneError } from "./errors.js";
import { downloadModules, goAvailable, goBuild } from "./gobuild.js";
import { cacheDir, packageRoot } from "./paths.js";
import { toProgress, type Progress } from "./progress.js";

/** Binary name → Go package that builds it. */
export const BINARIES = {
  etcd: "go.etcd.io/etcd/server/v3",
  "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
  "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
  "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
  kubectl: "k8s.io/kubernetes/cmd/kubectl",
} as const;
/** A control-plane binary built from the pinned Go modules. */
export type BinaryName = keyof typeof BINARIES;

/** The Kubernetes and etcd versions the wrapper module pins, and a digest of its go.mod and go.sum. */
export interface Pin {
  kubernetes: string;
  etcd: string;
  /** Hash of go.mod and go.sum: a changed pin gets a fresh cache entry. */
  digest: string;
}

export function moduleDir(): string {
  return path.join(packageRoot(), "controlplane");
}

/** Read the pinned versions from the wrapper module. */
export function readPin(dir = moduleDir()): Pin {
  const mod = readFileSync(path.join(dir, "go.mod"), "utf8");
  const sum = readFileSync(path.join(dir, "go.sum"), "utf8");
  const k8s = /^\s*(?:require\s+)?k8s\.io\/kubernetes\s+(v\S+)/m.exec(mod)?.[1];
  const etcd = /^\s*go\.etcd\.io\/etcd\/server\/v3\s+(v\S+)/m.exec(mod)?.[1];
  if (!k8s || !etcd) {
    throw new ControlPlaneError(
      "locate-binaries",
      `cannot read the pinned versions from ${dir}/go.mod`,
    );
  }
  const digest = createHash("sha256").update(mod).update(sum).digest("hex").slice(0, 12);
  return { kubernetes: k8s, etcd, digest };
}

function missing(dir: string): BinaryName[] {
  return (Object.keys(BINARIES) as BinaryName[]).filter((b) => !existsSync(path.join(dir, b)));
}

export interface EnsureOptions {
  /**
   * Called with human-readable progress lines while building. Default: stderr, where a
   * terminal shows one updating status line and a log a few plain lines.
   */
  progress?: (line: string) => void;
}

/** Directory of ready-to-run binaries, building them first if needed. */
export async function ensureBinaries(opts: EnsureOptions = {}): Promise<string> {
  const given = process.env.CAPSTAN_CONTROL_PLANE_BIN;
  if (given) {
    const lacking = missing(given).filter((b) => b !== "kubectl" && b !== "kube-scheduler");
    if (lacking.length) {
      throw new ControlPlaneError(
        "locate-binaries",
        `CAPSTAN_CONTROL_PLANE_BIN=${given} lacks ${lacking.join(", ")}`,
      );
    }
    return given;
  }
  const pin = readPin();
  const dir = path.join(cacheDir(), "controlplane", `${pin.kubernetes}-${pin.digest}`);
  if (missing(dir).length === 0) return dir;
  await build(pin, dir, toProgress(opts.progress));
  return dir;
}

/** Version stamps, or `/version` reports `v0.0.0-master`. */
export function ldflags(pin: Pin): string {
  const [major, minor] = pin.kubernetes.slice(1).split(".");
  const v = pin.kubernetes;
  return [
    "-s -w",
    `-X k8s.io/component-base/version.gitVersion=${v}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    `-X k8s.io/component-base/version.gitTreeState=clean`,
    `-X k8s.io/client-go/pkg/version.gitVersion=${v}`,
    `-X k8s.io/client-go/pkg/version.gitMajor=${major}`,
    `-X k8s.io/client-go/pkg/version.gitMinor=${minor}`,
  ].join(" ");
}

async function build(pin: Pin, dir: string, progress: Progress): Promise<void> {
  if (!goAvailable()) {
    throw new ControlPlaneError(
      "build",
      "Go is not installed, and the local control plane is built from Go modules. Either install Go " +
        "(1.24 or newer), or set CAPSTAN_CONTROL_PLANE_BIN to a directory holding prebuilt etcd, " +
        "kube-apiserver and kube-controller-manager binaries, or skip the local control plane and " +
        "point KUBECONFIG at any cluster.",
    );
  }
  const cwd = moduleDir();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  progress.step(
    `Building the local control plane (Kubernetes ${pin.kubernetes}, etcd ${pin.etcd}) into ${dir}.`,
  );
  progress.step(
    "This happens once per pinned version and takes several minutes on a cold machine.",
  );
  progress.step("Downloading modules…");
  downloadModules(cwd);
  progress.step(`Modules ready after ${elapsed()}; compiling.`);
  await goBuild(
    { cwd, packages: Object.values(BINARIES), outDir: tmp, ldflags: ldflags(pin) },
    progress,
    elapsed,
  );
  // `go build -o dir/` names a main package after its import path's last element that is
  // not a major-version suffix: go.etcd.io/etcd/server/v3 becomes `server`.
  renameSync(path.join(tmp, "server"), path.join(tmp, "etcd"));
  writeFileSync(path.join(tmp, "PIN.json"), JSON.stringify(pin, null, 2));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  progress.step(`Built the local control plane in ${elapsed()}.`);
}
