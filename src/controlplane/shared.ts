/**
 * The control plane a whole test run shares. A test runner (`capstan test`, this repo's
 * `npm test`) starts one cluster and names its state.json in `CAPSTAN_TEST_CLUSTER`; every
 * test process reads the cluster from there instead of starting its own. A runner that finds
 * the variable already set runs inside another run and reuses that run's cluster.
 */
import { existsSync, readFileSync } from "node:fs";
import type { ClusterInfo } from "./cluster.js";

export const SHARED_CLUSTER_ENV = "CAPSTAN_TEST_CLUSTER";

/** The shared cluster named by the environment, or undefined when none is. */
export function sharedCluster(env: NodeJS.ProcessEnv = process.env): ClusterInfo | undefined {
  const statePath = env[SHARED_CLUSTER_ENV];
  if (!statePath) return undefined;
  if (!existsSync(statePath))
    throw new Error(
      `${SHARED_CLUSTER_ENV}=${statePath}: no such file (the test run's cluster has stopped; unset the variable to start one)`,
    );
  return JSON.parse(readFileSync(statePath, "utf8")) as ClusterInfo;
}
