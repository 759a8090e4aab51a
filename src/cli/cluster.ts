/** `capstan cluster up|status|kubeconfig|down`: the local control plane in the background. */
import path from "node:path";
import type { Command } from "commander";
import { clusterDown, clusterStatus, clusterUp, defaultStateDir } from "../controlplane/index.js";

export function registerCluster(program: Command): void {
  const cluster = program
    .command("cluster")
    .description(
      "Run a local control plane (etcd, kube-apiserver, kube-controller-manager) in the background.",
    );
  const dirOption = ["--dir <path>", "state directory", defaultStateDir()] as const;

  cluster
    .command("up")
    .description("start the local control plane and return once it is ready")
    .option(...dirOption)
    .option("--scheduler", "also run kube-scheduler", false)
    .action(async (o: { dir: string; scheduler: boolean }) => {
      const t0 = Date.now();
      const { info, started, version } = await clusterUp({ dir: o.dir, scheduler: o.scheduler });
      const what = started
        ? `started in ${((Date.now() - t0) / 1000).toFixed(1)} s`
        : "already running";
      process.stdout.write(
        `Kubernetes ${version} ${what} at ${info.server}\n` +
          `  export KUBECONFIG=${info.kubeconfig}\n` +
          `  ${path.join(info.bin, "kubectl")} get namespaces   # or any kubectl\n` +
          `  logs: ${info.logs}\n`,
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
          process.stdout.write(`stopped (${s.dir})\n`);
          process.exitCode = 3;
          return;
        case "stale":
          process.stdout.write(
            `stale: its supervisor (pid ${s.info.supervisorPid}) is gone; run \`capstan cluster down\`\n`,
          );
          process.exitCode = 3;
          return;
        case "running":
          process.stdout.write(
            `${s.ready ? "ready" : "running, not ready"} at ${s.info.server} since ${s.info.startedAt}\n` +
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
          `no local control plane is running in ${o.dir}; run \`capstan cluster up\``,
        );
      process.stdout.write(`${s.info.kubeconfig}\n`);
    });

  cluster
    .command("down")
    .description("stop every process of the local control plane and remove its data")
    .option(...dirOption)
    .option("--keep-data", "keep the data directory", false)
    .action(async (o: { dir: string; keepData: boolean }) => {
      const had = await clusterDown({ dir: o.dir, keepData: o.keepData });
      process.stdout.write(had ? "stopped\n" : "no local control plane was running\n");
    });
}
