/**
 * The control plane a test talks to.
 *
 * `npm test` starts one real control plane for the whole run and passes it to every test
 * file through `CAPSTAN_TEST_CLUSTER` (the path of its state.json). A test file run on its
 * own (`node --test dist/src/x.test.js`) starts a private one instead, which the supervisor
 * stops when the file's process ends, however it ends.
 *
 * `useControlPlane({ node: true })` is a private control plane with a real node, so that
 * Pods run; the shared one has none, and tests that need no node never start one. A node
 * runs on Linux as root only: register such tests only when `nodeUnavailable()` says
 * nothing. Only one node runs on the host at a time: the first call takes the node lock
 * (nodelock.ts) and holds it for the rest of the file, so other test files asking for a
 * node wait until this one has ended and its node is torn down.
 */
import {
  SHARED_CLUSTER_ENV,
  sharedCluster,
  startControlPlane,
  type ControlPlane,
} from "../controlplane/index.js";
import { acquireNodeLock, recordNodeCluster } from "./nodelock.js";

export interface TestControlPlane {
  kubeconfig: string;
  server: string;
  /** etcd's client URL (for compaction and other fault injection). */
  etcd: string;
  /** The cluster's data directory (logs under `logs/`). */
  dir: string;
  /** Directory of the control plane's binaries (kubectl among them). */
  bin: string;
  /** True when the cluster is shared by the whole test run. */
  shared: boolean;
  /** The Node's name when the cluster runs a real node. */
  node?: string;
}

export { SHARED_CLUSTER_ENV };

let own: Promise<ControlPlane> | undefined;
let ownWithNode: Promise<ControlPlane> | undefined;

export async function useControlPlane(opts: { node?: boolean } = {}): Promise<TestControlPlane> {
  if (opts.node) {
    ownWithNode ??= acquireNodeLock().then(async () => {
      const cp = await startControlPlane({ node: true });
      recordNodeCluster(cp.dir);
      return cp;
    });
    return { ...testView(await ownWithNode), shared: false };
  }
  const s = sharedCluster();
  if (s) {
    return {
      kubeconfig: s.kubeconfig,
      server: s.server,
      etcd: s.etcd,
      dir: s.dir,
      bin: s.bin,
      shared: true,
    };
  }
  own ??= startControlPlane();
  return { ...testView(await own), shared: false };
}

const testView = (cp: ControlPlane) => ({
  kubeconfig: cp.kubeconfig,
  server: cp.server,
  etcd: cp.etcd,
  dir: cp.dir,
  bin: cp.bin,
  node: cp.node,
});
