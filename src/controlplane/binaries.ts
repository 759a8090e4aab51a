/**
 * The control plane's binaries: taken from a directory of prebuilt ones when
 * `CAPSTAN_CONTROL_PLANE_BIN` names one (envtest's flat layout), otherwise built once per pin
 * from the wrapper Go module in `controlplane/` into the per-user cache and reused.
 *
 * Contract: `ensureBinaries()` returns a directory holding every binary in `BINARIES`, each
 * reporting the pinned version. A build shows progress (package count, elapsed time) and a
 * missing Go toolchain fails with what to do instead.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { ControlPlaneError } from "./errors.js";
import { cacheDir, packageRoot } from "./paths.js";

/** Binary name → Go package that builds it. */
export const BINARIES = {
  etcd: "go.etcd.io/etcd/server/v3",
  "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
  "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
  "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
  kubectl: "k8s.io/kubernetes/cmd/kubectl",
} as const;
export type BinaryName = keyof typeof BINARIES;

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
  /** Called with human-readable progress lines while building. */
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
  await build(pin, dir, opts.progress ?? ((l) => process.stderr.write(l + "\n")));
  return dir;
}

function goAvailable(): boolean {
  return spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;
}

function ldflags(pin: Pin): string {
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

/** Count the packages a build will compile, so progress can be shown as a fraction. */
function countPackages(cwd: string, env: NodeJS.ProcessEnv): number | undefined {
  const r = spawnSync("go", ["list", "-deps", ...Object.values(BINARIES)], {
    cwd,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return r.status === 0 ? r.stdout.split("\n").filter(Boolean).length : undefined;
}

async function build(pin: Pin, dir: string, progress: (line: string) => void): Promise<void> {
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
  const env = {
    ...process.env,
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
    GOFLAGS: "-mod=readonly -buildvcs=false",
  };
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  progress(
    `Building the local control plane (Kubernetes ${pin.kubernetes}, etcd ${pin.etcd}) into ${dir}.`,
  );
  progress("This happens once per pinned version and takes several minutes on a cold machine.");
  progress("Downloading modules…");
  const dl = spawnSync("go", ["mod", "download"], {
    cwd,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (dl.status !== 0) {
    throw new ControlPlaneError("build", `go mod download failed:\n${dl.stderr}`);
  }
  const total = countPackages(cwd, env);
  progress(
    `Modules ready after ${elapsed()}; compiling${total ? ` up to ${total} packages` : ""}.`,
  );
  let compiled = 0;
  let last = "";
  const ticker = setInterval(() => {
    progress(
      `  … ${compiled}${total ? `/${total}` : ""} packages compiled, ${elapsed()} elapsed (${last})`,
    );
  }, 15_000);
  const stderrTail: string[] = [];
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        "go",
        [
          "build",
          "-v",
          "-trimpath",
          "-ldflags",
          ldflags(pin),
          "-o",
          tmp + path.sep,
          ...Object.values(BINARIES),
        ],
        { cwd, env, stdio: ["ignore", "ignore", "pipe"] },
      );
      createInterface({ input: child.stderr }).on("line", (line) => {
        compiled++;
        last = line;
        stderrTail.push(line);
        if (stderrTail.length > 40) stderrTail.shift();
      });
      child.on("error", reject);
      child.on("exit", resolve);
    });
    if (code !== 0) {
      throw new ControlPlaneError("build", `go build exited with ${code}`, { logTail: stderrTail });
    }
  } finally {
    clearInterval(ticker);
  }
  // `go build -o dir/` names a main package after its import path's last element that is
  // not a major-version suffix: go.etcd.io/etcd/server/v3 becomes `server`.
  renameSync(path.join(tmp, "server"), path.join(tmp, "etcd"));
  writeFileSync(path.join(tmp, "PIN.json"), JSON.stringify(pin, null, 2));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  progress(`Built the local control plane in ${elapsed()}.`);
}
