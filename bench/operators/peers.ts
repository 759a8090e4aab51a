/**
 * The peer contenders' toolchains, prepared once per pin under ~/.cache/capstan/bench:
 * kopf in a venv from the pinned requirements.txt (pip), and the controller-runtime operator
 * built from its pinned go.mod/go.sum with GOTOOLCHAIN=local. Both show their progress.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { cacheDir, packageRoot } from "../../src/controlplane/paths.js";

export const peersDir = () => path.join(packageRoot(), "bench", "operators", "peers");
const benchCache = () => path.join(cacheDir(), "bench");

const hashOf = (files: string[]) => {
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(f)).update("\0");
  return h.digest("hex").slice(0, 12);
};

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env });
    const out: Buffer[] = []; // decoded once whole: a chunk may end inside a character
    const tail: string[] = [];
    const take = (line: string) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      opts.onLine?.(line);
    };
    child.stdout.on("data", (b: Buffer) => out.push(b));
    if (opts.onLine) createInterface({ input: child.stdout }).on("line", take);
    createInterface({ input: child.stderr }).on("line", take);
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString("utf8"))
        : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${tail.join("\n")}`)),
    );
  });
}

export interface KopfPeer {
  python: string;
  version: string;
  pythonVersion: string;
  requirements: Record<string, string>;
}

/** kopf in a venv keyed by the hash of requirements.txt; created with pip on first use. */
export async function ensureKopf(log: (s: string) => void): Promise<KopfPeer> {
  const reqFile = path.join(peersDir(), "kopf", "requirements.txt");
  const dir = path.join(benchCache(), `kopf-${hashOf([reqFile])}`);
  const python = path.join(dir, "bin", "python");
  if (!existsSync(python)) {
    mkdirSync(benchCache(), { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    log(`kopf: creating a venv in ${dir} and installing ${reqFile} with pip…\n`);
    const py = process.env.PYTHON ?? "python3";
    await run(py, ["-m", "venv", tmp], {});
    await run(
      path.join(tmp, "bin", "pip"),
      ["install", "--disable-pip-version-check", "--progress-bar", "off", "-r", reqFile],
      { onLine: (l) => /^(Collecting|Successfully|ERROR)/.test(l) && log(`  pip: ${l}\n`) },
    );
    // Only `bin/python -m …` is used, which works from the venv's final place.
    renameSync(tmp, dir);
  }
  const requirements = Object.fromEntries(
    readFileSync(reqFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("=="))
      .map((l) => l.trim().split("==") as [string, string]),
  );
  const pythonVersion = (
    await run(python, ["-c", "import sys; print(sys.version.split()[0])"], {})
  ).trim();
  return { python, version: requirements.kopf ?? "?", pythonVersion, requirements };
}

export interface ControllerRuntimePeer {
  binary: string;
  version: string;
  k8s: string;
  goVersion: string;
}

/** The controller-runtime operator, built once per pin (go.mod, go.sum, main.go). */
export async function ensureControllerRuntime(
  log: (s: string) => void,
): Promise<ControllerRuntimePeer> {
  const src = path.join(peersDir(), "controller-runtime");
  const files = ["go.mod", "go.sum", "main.go"].map((f) => path.join(src, f));
  const dir = path.join(benchCache(), `controller-runtime-${hashOf(files)}`);
  const binary = path.join(dir, "widget-operator");
  const env = { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" };
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${binary}.tmp-${process.pid}`;
    log(`controller-runtime: building ${src} into ${dir} (GOTOOLCHAIN=local)…\n`);
    let n = 0;
    await run("go", ["build", "-v", "-trimpath", "-o", tmp, "."], {
      cwd: src,
      env,
      onLine: (l) => {
        if (!l.startsWith("go: ") && ++n % 50 === 0) log(`  go build: ${n} packages (${l})\n`);
      },
    });
    renameSync(tmp, binary);
    log(`  go build: done, ${n} packages\n`);
  }
  const mod = readFileSync(path.join(src, "go.mod"), "utf8");
  const pin = (m: string) =>
    new RegExp(`${m.replace(/\./g, "\\.")} (v[^\\s]+)`).exec(mod)?.[1] ?? "?";
  const goVersion = (await run("go", ["env", "GOVERSION"], { env })).trim();
  return {
    binary,
    version: pin("sigs.k8s.io/controller-runtime"),
    k8s: pin("k8s.io/client-go"),
    goVersion,
  };
}
