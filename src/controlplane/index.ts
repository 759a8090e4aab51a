/**
 * `capstan/controlplane`: a real local Kubernetes control plane — etcd, kube-apiserver,
 * kube-controller-manager and optionally kube-scheduler — built from Go modules and run on
 * loopback. See docs/controlplane.md. Images for a node that cannot pull — OCI layouts written
 * from a file list, busybox and the sandbox image, `ctr` import: docs/images.md.
 */
export { startControlPlane, type ControlPlane, type StartOptions } from "./handle.js";
export {
  clusterUp,
  clusterDown,
  clusterStatus,
  DATA_DESCRIPTION,
  type ClusterStatus,
  type DownResult,
  type UpResult,
} from "./background.js";
export { ensureBinaries, readPin, BINARIES, type BinaryName, type Pin } from "./binaries.js";
export { ensureNodeBinaries, readNodePin, type NodePin } from "./node/binaries.js";
export { nodeUnavailable } from "./node/preflight.js";
export { progressOn, type Progress, type ProgressStream } from "./progress.js";
export { ControlPlaneError, type ControlPlaneStep } from "./errors.js";
export { DEFAULT_CONTROLLERS, NODE_CONTROLLERS } from "./components.js";
export { DEFAULT_RESTART_POLICY, type RestartPolicy } from "./restart-policy.js";
export { defaultStateDir } from "./paths.js";
export { SHARED_CLUSTER_ENV, sharedCluster } from "./shared.js";
export type { ClusterInfo } from "./cluster.js";
export {
  writeOciLayout,
  type ImageSpec,
  type Layer,
  type ImageConfig,
  type WrittenLayout,
  type LayoutOptions,
} from "./images/layout.js";
export { defaultLayerCache } from "./images/layercache.js";
export type { LayerEntry } from "./images/tar.js";
export {
  busyboxImage,
  pauseImage,
  hostBusybox,
  BUSYBOX_ALIAS,
  type HostBusybox,
} from "./images/busybox.js";
export {
  importImage,
  tagImage,
  readNodeRuntime,
  NODE_FILE,
  type NodeRuntime,
  type ImportResult,
} from "./images/import.js";
export {
  hostNode,
  nodeRuntimeEntries,
  NODE_PATH,
  type HostNode,
  type ImageUser,
} from "./images/node-runtime.js";
export { includedEntries, parseInclusion, type Inclusion } from "./images/include.js";
export { CONTEXT_IGNORES, productionModuleEntries, projectEntries } from "./images/project.js";
export { ImageError, type ImageStep } from "./images/errors.js";
