/**
 * A real MariaDB server (Debian's `mariadb-server-core`) on a free port of loopback (or of
 * `bindAddress`, e.g. the local node's bridge, for Pods to reach), with a throwaway data
 * directory and a random root password, for tests of the MySQLDatabase example. Stopped by `stop()`, and by the reaper if the test process dies first.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { isIP } from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../controlplane/ports.js";
import { startServerProcess } from "./process.js";

export interface MariaDB {
  host: string;
  port: number;
  user: string;
  password: string;
  socket: string;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${stderr || err.message}`)) : resolve(stdout),
    );
    if (input !== undefined) c.stdin?.end(input);
  });
}

export async function startMariaDB(opts: { bindAddress?: string } = {}): Promise<MariaDB> {
  const host = opts.bindAddress ?? "127.0.0.1";
  if (!isIP(host)) throw new Error(`startMariaDB: bindAddress must be an IP address, not ${host}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-mariadb-"));
  const data = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  // A tmpdir of its own: a starting server deletes every `#sql*` file in its tmpdir, which in
  // a shared /tmp are the temporary tables of another server bootstrapping at the same time.
  const tmp = path.join(dir, "tmp");
  mkdirSync(tmp);
  try {
    await run("mariadb-install-db", [
      "--no-defaults",
      "--user=root",
      `--datadir=${data}`,
      `--tmpdir=${tmp}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
    ]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `cannot initialise MariaDB (is Debian's mariadb-server-core and mariadb-client installed? .ci/run does): ${(e as Error).message}`,
      { cause: e },
    );
  }
  const port = await freePort();
  const { stop } = await startServerProcess({
    name: "mariadbd",
    binary: "mariadbd",
    args: [
      "--no-defaults",
      "--user=root",
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--tmpdir=${tmp}`,
      `--bind-address=${host}`,
      `--port=${port}`,
      "--skip-name-resolve",
      "--skip-log-bin",
      `--pid-file=${path.join(dir, "mariadbd.pid")}`,
    ],
    dir,
    ready: () =>
      run("mariadb-admin", ["--no-defaults", `--socket=${socket}`, "-uroot", "ping"]).then(
        () => true,
        () => false,
      ),
  });
  // Clients connect over TCP with --skip-name-resolve, so they match 'root'@'<host>': a
  // connection from this host to its own address comes from that address.
  const password = randomBytes(16).toString("hex");
  await run(
    "mariadb",
    ["--no-defaults", `--socket=${socket}`, "-uroot"],
    [
      `CREATE OR REPLACE USER 'root'@'${host}' IDENTIFIED BY '${password}';`,
      `GRANT ALL PRIVILEGES ON *.* TO 'root'@'${host}' WITH GRANT OPTION;`,
      "FLUSH PRIVILEGES;",
    ].join("\n"),
  );
  return { host, port, user: "root", password, socket, stop };
}
