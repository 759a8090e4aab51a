/** `capstan cluster up|status|kubeconfig|down`: the local control plane in the background. */
import path from "node:path";
import type { Command } from "commander";
import {
  clusterDown,
  clusterStatus,
  clusterUp,
  defaultStateDir,
  DATA_DESCRIPTION,
  type UpResult,
} from "../controlplane/index.js";

/** The exact command to run next, the directory quoted for a POSIX shell when it must be. */
const command = (verb: "up" | "down", dir: string) =>
  `capstan cluster ${verb} --dir ${/^[\w@%+=:,./-]+$/.test(dir) ? dir : `'${dir.replaceAll("'", `'\\''`)}'`}`;

const nextSteps = (dir: string) =>
  `\`${command("up", dir)}\` restarts it on its data, \`${command("down", dir)}\` deletes it`;

function describeUp(r: UpResult, seconds: string): string {
  const v = `Kubernetes ${r.version}`;
  switch (r.outcome) {
    case "running":
      return `${v} already running at ${r.info.server}\n`;
    case "started":
      return `${v} started in ${seconds} s at ${r.info.server}\n`;
    case "resumed": {
      const why = r.previous?.failure
        ? `it had stopped: ${r.previous.failure.message}`
        : r.previous
          ? `its previous supervisor (pid ${r.previous.supervisorPid}) was gone`
          : "it had been stopped with its data kept";
      const moved =
        r.previousServer !== r.info.server
          ? `  note: its port was taken, so the server URL changed from ${r.previousServer}; ` +
            `the kubeconfigs in ${r.info.dir} were rewritten\n`
          : "";
      return (
        `${v} resumed in ${seconds} s on the existing data in ${r.info.dir} at ${r.info.server}\n` +
        `  (${why})\n${moved}`
      );
    }
    default: {
      const never: never = r.outcome;
      return never;
    }
  }
}

export function registerCluster(program: Command): void {
  const cluster = program
    .command("cluster")
    .description(
      "Run a local control plane (etcd, kube-apiserver, kube-controller-manager) in the background.",
    );
  const dirOption = ["--dir <path>", "state directory", defaultStateDir()] as const;

  cluster
    .command("up")
    .description(
      "start the local control plane and return once it is ready; a directory holding a " +
        "stopped one is resumed on its data",
    )
    .option(...dirOption)
    .option("--scheduler", "also run kube-scheduler", false)
    .option(
      "--node",
      "also run a real node (containerd, runc, CNI bridge, kubelet) so that Pods run; " +
        "Linux and root only; implies --scheduler",
      false,
    )
    .action(async (o: { dir: string; scheduler: boolean; node: boolean }) => {
      const t0 = Date.now();
      const r = await clusterUp({ dir: o.dir, scheduler: o.scheduler, node: o.node });
      process.stdout.write(
        describeUp(r, ((Date.now() - t0) / 1000).toFixed(1)) +
          `  export KUBECONFIG=${r.info.kubeconfig}\n` +
          `  ${path.join(r.info.bin, "kubectl")} get namespaces   # or any kubectl\n` +
          (r.info.node ? `  node ${r.info.node} is Ready: Pods run on it\n` : "") +
          `  logs: ${r.info.logs} (restarts of crashed components: ${path.join(r.info.dir, "supervisor.log")})\n`,
      );
    });

  cluster
    .command("status")
    .description("say whether the local control plane is running and ready")
    .option(...dirOption)
    .action(async (o: { dir: string }) => {
      const s = await clusterStatus(o.dir);
      switch (s.state) {
        case "stopped":
          process.stdout.write(
            `stopped (${s.dir})` + (s.hasData ? `; its data is kept: ${nextSteps(s.dir)}\n` : "\n"),
          );
          process.exitCode = 3;
          return;
        case "stale":
          process.stdout.write(
            `stale: the supervisor (pid ${s.info.supervisorPid}) of the control plane in ${s.dir} ` +
              `is gone; ${nextSteps(s.dir)}\n`,
          );
          process.exitCode = 3;
          return;
        case "failed":
          process.stdout.write(
            `failed at ${s.failure.at}: ${s.failure.message}\n  ${nextSteps(s.dir)}\n`,
          );
          process.exitCode = 3;
          return;
        case "running":
          process.stdout.write(
            `${s.ready ? "ready" : "running, not ready"} at ${s.info.server} since ${s.info.startedAt}\n` +
              (s.info.node
                ? `  node ${s.info.node}: ${s.nodeReady ? "Ready" : "not Ready"}\n`
                : "") +
              Object.entries(s.info.pids)
                .map(([n, pid]) => `  ${n}: pid ${pid}\n`)
                .join(""),
          );
          if (!s.ready) process.exitCode = 4;
          return;
        default: {
          const never: never = s;
          return never;
        }
      }
    });

  cluster
    .command("kubeconfig")
    .description("print the path of the local control plane's kubeconfig")
    .option(...dirOption)
    .action(async (o: { dir: string }) => {
      const s = await clusterStatus(o.dir);
      if (s.state !== "running")
        throw new Error(
          `no local control plane is running in ${o.dir}; run \`${command("up", o.dir)}\``,
        );
      process.stdout.write(`${s.info.kubeconfig}\n`);
    });

  cluster
    .command("down")
    .description(
      `stop every process of the local control plane and delete its directory (${DATA_DESCRIPTION})`,
    )
    .option(...dirOption)
    .option("--keep-data", "keep the directory, so that `cluster up` resumes it", false)
    .action(async (o: { dir: string; keepData: boolean }) => {
      const r = await clusterDown({ dir: o.dir, keepData: o.keepData });
      const lines = r.stopped.length
        ? [`stopped ${r.stopped.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`]
        : [];
      switch (r.data) {
        case "none":
          lines.push(`no local control plane in ${r.dir}`);
          break;
        case "kept":
          lines.push(`kept ${r.dir} (${DATA_DESCRIPTION}); \`${command("up", r.dir)}\` resumes it`);
          break;
        case "deleted":
          lines.push(`deleted ${r.dir} (${DATA_DESCRIPTION})`);
          break;
        default: {
          const never: never = r.data;
          return never;
        }
      }
      process.stdout.write(lines.map((l) => `${l}\n`).join(""));
    });
}
