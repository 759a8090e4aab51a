/**
 * A real MongoDB-wire-protocol server for the MongoUser example's tests: FerretDB v1 on its
 * SQLite backend, built once from the wrapper module in databases/ferretdb/ and cached.
 *
 * Why the vendor step: FerretDB's build/version package embeds a version.txt that its
 * release process generates and the module zip lacks; its main package panics without it
 * (even from a wrapper module). We vendor the wrapper's dependencies into a temporary copy,
 * write that one generated file, and build with -mod=vendor. No upstream source is committed.
 *
 * Server-side user management (createUser/updateUser/dropUser, SCRAM) needs
 * `--test-enable-new-auth`; FerretDB v1 accepts only empty `roles`.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { cacheDir, packageRoot } from "../../controlplane/paths.js";
import { freePort } from "../../controlplane/ports.js";
import { startServerProcess } from "./process.js";

export interface FerretDB {
  host: string;
  port: number;
  /** The admin user created at start-up (in database `admin`). */
  user: string;
  password: string;
  uri: string;
  stop(): Promise<void>;
}

function go(args: string[], cwd: string): Promise<void> {
  const env = {
    ...process.env,
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
    GOFLAGS: "-buildvcs=false",
  };
  return new Promise((resolve, reject) =>
    execFile(
      "go",
      args,
      { cwd, env, timeout: 20 * 60_000, maxBuffer: 16 << 20 },
      (err, _o, stderr) =>
        err
          ? reject(new Error(`go ${args[0]} failed in ${cwd}: ${stderr || err.message}`))
          : resolve(),
    ),
  );
}

/** Path of the ferretdb binary, building it on first use. */
export async function ensureFerretDB(
  progress: (l: string) => void = (l) => process.stderr.write(l + "\n"),
): Promise<string> {
  const mod = path.join(packageRoot(), "databases", "ferretdb");
  const version = /github\.com\/FerretDB\/FerretDB (v\S+)/.exec(
    readFileSync(path.join(mod, "go.mod"), "utf8"),
  )?.[1];
  if (!version) throw new Error(`cannot read the FerretDB version from ${mod}/go.mod`);
  const bin = path.join(cacheDir(), "ferretdb", version, "ferretdb");
  if (existsSync(bin)) return bin;
  if (spawnSync("go", ["version"], { stdio: "ignore" }).status !== 0) {
    throw new Error("building FerretDB for the MongoUser tests needs Go (1.24 or newer)");
  }
  const t0 = Date.now();
  progress(`Building FerretDB ${version} (once; about a minute)…`);
  const work = mkdtempSync(path.join(os.tmpdir(), "capstan-ferretdb-build-"));
  try {
    copyFileSync(path.join(mod, "go.mod"), path.join(work, "go.mod"));
    copyFileSync(path.join(mod, "go.sum"), path.join(work, "go.sum"));
    await go(["mod", "vendor"], work);
    writeFileSync(
      path.join(work, "vendor/github.com/FerretDB/FerretDB/build/version/version.txt"),
      `${version}\n`,
    );
    await go(
      [
        "build",
        "-mod=vendor",
        "-trimpath",
        "-o",
        path.join(work, "ferretdb"),
        "github.com/FerretDB/FerretDB/cmd/ferretdb",
      ],
      work,
    );
    mkdirSync(path.dirname(bin), { recursive: true });
    renameSync(path.join(work, "ferretdb"), bin);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  progress(`Built FerretDB in ${Math.round((Date.now() - t0) / 1000)} s.`);
  return bin;
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
  });

export async function startFerretDB(): Promise<FerretDB> {
  const bin = await ensureFerretDB();
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-ferretdb-"));
  const [port, debugPort] = [await freePort(), await freePort()];
  const user = "admin";
  const password = randomBytes(16).toString("hex");
  const { stop } = await startServerProcess({
    name: "ferretdb",
    binary: bin,
    args: [
      "--handler=sqlite",
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      `--debug-addr=127.0.0.1:${debugPort}`,
      "--test-enable-new-auth",
      "--setup-database=admin",
      `--setup-username=${user}`,
      `--setup-password=${password}`,
      "--telemetry=disable",
      "--log-level=warn",
    ],
    dir,
    ready: () => canConnect(port),
  });
  const uri = `mongodb://${user}:${password}@127.0.0.1:${port}/?authSource=admin&authMechanism=SCRAM-SHA-256`;
  return { host: "127.0.0.1", port, user, password, uri, stop };
}
