/**
 * One `go build` of a wrapper module's packages, with progress: the packages it will compile
 * are counted first (`go list -deps`), then every compiled package is counted from `-v`
 * output, and a status (progress.ts) is given every 15 s. Shared by the control plane's and the node's
 * binaries (binaries.ts, node/binaries.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { ControlPlaneError } from "./errors.js";
import type { Progress } from "./progress.js";

export interface GoBuild {
  /** The wrapper module's directory. */
  cwd: string;
  packages: string[];
  /** Directory the binaries are written to (one per main package, named after it). */
  outDir: string;
  ldflags: string;
  tags?: string[];
  cgo?: boolean;
}

export const goAvailable = () => spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;

export function goEnv(cgo = false): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOTOOLCHAIN: "local",
    CGO_ENABLED: cgo ? "1" : "0",
    GOFLAGS: "-mod=readonly -buildvcs=false",
  };
}

/** `go mod download` in the module, failing with go's own message. */
export function downloadModules(cwd: string): void {
  const dl = spawnSync("go", ["mod", "download"], {
    cwd,
    env: goEnv(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (dl.status !== 0) {
    throw new ControlPlaneError("build", `go mod download in ${cwd} failed:\n${dl.stderr}`);
  }
}

const tagArgs = (tags?: string[]) => (tags?.length ? ["-tags", tags.join(" ")] : []);

/** Count the packages a build will compile, so progress can be shown as a fraction. */
function countPackages(b: GoBuild): number | undefined {
  const r = spawnSync("go", ["list", "-deps", ...tagArgs(b.tags), ...b.packages], {
    cwd: b.cwd,
    env: goEnv(b.cgo),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return r.status === 0 ? r.stdout.split("\n").filter(Boolean).length : undefined;
}

/** Run the build; `elapsed` is the whole build's clock, for the progress lines. */
export async function goBuild(
  b: GoBuild,
  progress: Progress,
  elapsed: () => string,
): Promise<void> {
  const total = countPackages(b);
  let compiled = 0;
  let last = "";
  const ticker = setInterval(() => {
    progress.status(
      `  … ${compiled}${total ? `/${total}` : ""} packages compiled, ${elapsed()} elapsed (${last})`,
    );
  }, 15_000);
  const stderrTail: string[] = [];
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const args = ["build", "-v", "-trimpath", ...tagArgs(b.tags), "-ldflags", b.ldflags];
      const child = spawn("go", [...args, "-o", b.outDir + path.sep, ...b.packages], {
        cwd: b.cwd,
        env: goEnv(b.cgo),
        stdio: ["ignore", "ignore", "pipe"],
      });
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
}
