/**
 * The node's binaries: the kubelet and kube-proxy (from the control plane's wrapper module,
 * at the same Kubernetes pin) and the container runtime — containerd with its runc shim and ctr, runc
 * with seccomp, and the CNI plugins — from the node's own wrapper module in `node/` (apart,
 * because containerd pins its own cri-api and CNI versions). Built once per pin into the
 * per-user cache, like the control plane, and only when a node is asked for.
 *
 * Contract: `ensureNodeBinaries()` returns a directory holding `NODE_BINARIES`, with the
 * CNI plugins in its `cni/` subdirectory. A missing prerequisite (Go, a C compiler or
 * libseccomp's headers, both needed by runc) fails before anything is built, in one line.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ldflags, moduleDir, readPin } from "../binaries.js";
import { ControlPlaneError } from "../errors.js";
import { downloadModules, goAvailable, goBuild, type GoBuild } from "../gobuild.js";
import { cacheDir, packageRoot } from "../paths.js";
import { toProgress, type Progress } from "../progress.js";

const CONTAINERD = "github.com/containerd/containerd/v2";
const CNI = "github.com/containernetworking/plugins/plugins";

/** Binary name → Go package, in the node's module unless it comes from k8s.io/kubernetes. */
export const NODE_BINARIES = {
  kubelet: "k8s.io/kubernetes/cmd/kubelet",
  "kube-proxy": "k8s.io/kubernetes/cmd/kube-proxy",
  containerd: `${CONTAINERD}/cmd/containerd`,
  "containerd-shim-runc-v2": `${CONTAINERD}/cmd/containerd-shim-runc-v2`,
  ctr: `${CONTAINERD}/cmd/ctr`,
  runc: "github.com/opencontainers/runc",
} as const;
export const CNI_PLUGINS = {
  bridge: `${CNI}/main/bridge`,
  "host-local": `${CNI}/ipam/host-local`,
  loopback: `${CNI}/main/loopback`,
  portmap: `${CNI}/meta/portmap`,
} as const;

/** The versions the node's wrapper module pins (kubelet, containerd, runc, CNI) and their digest. */
export interface NodePin {
  kubernetes: string;
  containerd: string;
  runc: string;
  cni: string;
  /** Hash of both wrapper modules: a changed pin gets a fresh cache entry. */
  digest: string;
}

export const nodeModuleDir = () => path.join(packageRoot(), "node");

/** Read the node's pinned versions from its wrapper module. */
export function readNodePin(dir = nodeModuleDir()): NodePin {
  const mod = readFileSync(path.join(dir, "go.mod"), "utf8");
  const version = (m: string) =>
    new RegExp(`^\\s*${m.replaceAll(".", "\\.")}\\s+(v\\S+)`, "m").exec(mod)?.[1];
  const [containerd, runc, cni] = [
    CONTAINERD,
    "github.com/opencontainers/runc",
    CNI.slice(0, -8),
  ].map(version);
  if (!containerd || !runc || !cni)
    throw new ControlPlaneError(
      "locate-binaries",
      `cannot read the node's pins from ${dir}/go.mod`,
    );
  const cp = readPin();
  const digest = createHash("sha256")
    .update(cp.digest)
    .update(mod)
    .update(readFileSync(path.join(dir, "go.sum"), "utf8"))
    .digest("hex")
    .slice(0, 12);
  return { kubernetes: cp.kubernetes, containerd, runc, cni, digest };
}

const complete = (dir: string) =>
  Object.keys(NODE_BINARIES).every((b) => existsSync(path.join(dir, b))) &&
  Object.keys(CNI_PLUGINS).every((b) => existsSync(path.join(dir, "cni", b)));

/** Why the node's binaries cannot be built here, in one line; undefined when they can. */
export function missingBuildPrerequisite(): string | undefined {
  if (!goAvailable())
    return "Go is not installed, and the node is built from Go modules: install Go 1.24 or newer.";
  const cc = process.env.CC || "cc";
  if (spawnSync(cc, ["--version"], { stdio: "ignore" }).status !== 0)
    return `runc is built with cgo for seccomp and needs a C compiler (${cc} not found): install one (Debian: apt-get install gcc libseccomp-dev).`;
  const header = spawnSync(cc, ["-E", "-x", "c", "-"], { input: "#include <seccomp.h>\n" });
  if (header.status !== 0)
    return "runc is built with seccomp and needs libseccomp's headers (seccomp.h not found): install them (Debian: apt-get install libseccomp-dev).";
  return undefined;
}

/** Directory of the node's binaries, building them first if needed. */
export async function ensureNodeBinaries(
  opts: { progress?: (line: string) => void } = {},
): Promise<string> {
  const pin = readNodePin();
  const dir = path.join(cacheDir(), "node", `${pin.kubernetes}-${pin.containerd}-${pin.digest}`);
  if (complete(dir)) return dir;
  const why = missingBuildPrerequisite();
  if (why) throw new ControlPlaneError("build", why);
  await build(pin, dir, toProgress(opts.progress));
  return dir;
}

async function build(pin: NodePin, dir: string, progress: Progress): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(path.join(tmp, "cni"), { recursive: true });
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  progress.step(
    `Building the local node (kubelet ${pin.kubernetes}, containerd ${pin.containerd}, ` +
      `runc ${pin.runc}, CNI plugins ${pin.cni}) into ${dir}.`,
  );
  progress.step("This happens once per pinned version and takes a few minutes on a cold machine.");
  const node = nodeModuleDir();
  progress.step("Downloading modules…");
  downloadModules(moduleDir());
  downloadModules(node);
  const s = "-s -w";
  const steps: [string, GoBuild][] = [
    [
      "the kubelet and kube-proxy",
      {
        cwd: moduleDir(),
        packages: [NODE_BINARIES.kubelet, NODE_BINARIES["kube-proxy"]],
        outDir: tmp,
        ldflags: ldflags(readPin()),
      },
    ],
    [
      "containerd, its runc shim and ctr",
      {
        cwd: node,
        packages: [
          NODE_BINARIES.containerd,
          NODE_BINARIES["containerd-shim-runc-v2"],
          NODE_BINARIES.ctr,
        ],
        outDir: tmp,
        tags: ["no_btrfs", "no_zfs", "no_devmapper"],
        ldflags: `${s} -X ${CONTAINERD}/version.Version=${pin.containerd}`,
      },
    ],
    // The CRI always sends a seccomp profile: runc without seccomp fails every container.
    [
      "runc",
      {
        cwd: node,
        packages: [NODE_BINARIES.runc],
        outDir: tmp,
        cgo: true,
        tags: ["seccomp"],
        ldflags: s,
      },
    ],
    [
      "the CNI plugins",
      {
        cwd: node,
        packages: Object.values(CNI_PLUGINS),
        outDir: path.join(tmp, "cni"),
        ldflags: s,
      },
    ],
  ];
  for (const [what, b] of steps) {
    progress.step(`Compiling ${what} (${elapsed()} so far)…`);
    await goBuild(b, progress, elapsed);
  }
  writeFileSync(path.join(tmp, "PIN.json"), JSON.stringify(pin, null, 2));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  progress.step(`Built the local node in ${elapsed()}.`);
}
