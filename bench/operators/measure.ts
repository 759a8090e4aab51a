/**
 * What the orchestrator measures from outside the contenders: a process's memory and CPU
 * from /proc (the same for Node, Go and Python), and kube-apiserver's own request counters
 * from /metrics (the same for every client).
 */
import { readFileSync } from "node:fs";
import type { KubeClient } from "../../src/client/index.js";
import { readAll } from "../../src/client/http.js";

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ: 100 on every Linux we run on). */
const TICKS = 100;

export interface ProcSample {
  rssMiB: number;
  hwmMiB: number;
  cpuSeconds: number;
}

export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(rest[11]) + Number(rest[12]);
    return { rssMiB: kib("VmRSS") / 1024, hwmMiB: kib("VmHWM") / 1024, cpuSeconds: ticks / TICKS };
  } catch {
    return undefined; // the process is gone
  }
}

/** Samples a process every `everyMs`, keeping the peak RSS seen and the last sample. */
export class ProcSampler {
  peakRssMiB = 0;
  last: ProcSample | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly pid: number,
    everyMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): ProcSample | undefined {
    const s = sampleProc(this.pid);
    if (s) {
      this.last = s;
      this.peakRssMiB = Math.max(this.peakRssMiB, s.rssMiB, s.hwmMiB);
    }
    return this.last;
  }

  stop(): ProcSample | undefined {
    clearInterval(this.timer);
    return this.last;
  }
}

/** One scrape of kube-apiserver's /metrics, reduced to what the benchmark reads. */
export interface Scrape {
  /** apiserver_request_total summed by "VERB resource[/subresource]". */
  requests: Record<string, number>;
  /** apiserver_longrunning_requests (open watches) by resource. */
  watches: Record<string, number>;
}

const LINE = /^(apiserver_request_total|apiserver_longrunning_requests)\{([^}]*)\}\s+([0-9.e+-]+)/;

export async function scrape(kube: KubeClient): Promise<Scrape> {
  const res = await kube.http.open({
    method: "GET",
    path: "/metrics",
    accept: "text/plain",
    describe: { verb: "get", object: "/metrics" },
  });
  const text = await readAll(res);
  const out: Scrape = { requests: {}, watches: {} };
  for (const line of text.split("\n")) {
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    const value = Number(m[3]);
    if (m[1] === "apiserver_request_total") {
      const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ""}`;
      out.requests[key] = (out.requests[key] ?? 0) + value;
    } else if (labels.verb === "WATCH") {
      out.watches[labels.resource!] = (out.watches[labels.resource!] ?? 0) + value;
    }
  }
  return out;
}

export function delta(after: Scrape, before: Scrape): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.requests)) {
    const d = v - (before.requests[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION"]);
/** Writes to the workload's objects: Widgets (and their status) and ConfigMaps. */
export function workloadWrites(d: Record<string, number>): number {
  let n = 0;
  for (const [k, v] of Object.entries(d)) {
    const [verb, resource] = k.split(" ");
    if (WRITE_VERBS.has(verb!) && /^(widgets|configmaps)(\/|$)/.test(resource!)) n += v;
  }
  return n;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
