/**
 * One control-plane process (etcd, kube-apiserver, …): spawned without a shell, its output
 * appended to a log file, the last lines kept in memory so an early death can say why.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { ControlPlaneError } from "./errors.js";
import { LineTail } from "../client/lines.js";

const TAIL_LINES = 30;

export interface ComponentSpec {
  name: string;
  binary: string;
  args: string[];
  logFile: string;
  /** Variables to set over this process's environment. */
  env?: Record<string, string>;
}

/** How a process ended: its exit code, or the signal that killed it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Component {
  readonly name: string;
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly tail = new LineTail(TAIL_LINES);
  private exitInfo: Exit | undefined;
  readonly exited: Promise<Exit>;

  constructor(spec: ComponentSpec) {
    this.name = spec.name;
    const log = createWriteStream(spec.logFile, { flags: "a" });
    this.child = spawn(spec.binary, spec.args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: spec.env && { ...process.env, ...spec.env },
    });
    if (this.child.pid === undefined) {
      throw new ControlPlaneError("start", `could not spawn ${spec.binary}`, {
        component: this.name,
      });
    }
    this.pid = this.child.pid;
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      const toTail = this.tail.sink();
      stream.on("data", (chunk: Buffer) => {
        log.write(chunk);
        toTail(chunk);
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        log.end();
        resolve(this.exitInfo);
      });
    });
    this.child.on("error", () => undefined); // surfaced through `exited`/`assertAlive`
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  lastLines(): string[] {
    return this.tail.lines();
  }

  /** Throw a descriptive error if the process has already exited. */
  assertAlive(step: "start" | "ready"): void {
    if (this.exitInfo === undefined) return;
    const { code, signal } = this.exitInfo;
    throw new ControlPlaneError(step, `exited early (${signal ?? `code ${code}`})`, {
      component: this.name,
      logTail: this.lastLines(),
    });
  }

  /** SIGKILL: the process dies as in a crash. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
