/**
 * `capstan/testing`: run code against the real local control plane from a test.
 */
export { useControlPlane, SHARED_CLUSTER_ENV, type TestControlPlane } from "./controlplane.js";
export { nodeUnavailable } from "../controlplane/index.js";
export { acquireNodeLock, recordNodeCluster } from "./nodelock.js";
export { kubectl, kubectlOk, type KubectlResult } from "./kubectl.js";
export { eventually } from "./eventually.js";
export { fakeClock, type FakeClock } from "./clock.js";
export { testNamespace } from "./namespace.js";
export { startApiProxy, kubeconfigWithServer, unusedPort, type ApiProxy } from "./proxy.js";
export { runOperator, type RunningOperator } from "./operator.js";
export { eventsFor } from "./events.js";
export { compactEtcd, etcdRevision } from "./etcd.js";
export { installWidgetCrd, useWidgets } from "./crd.js";
export {
  operatorFixture,
  useOperatorFixture,
  type FixtureOptions,
  type OperatorFixture,
} from "./fixture.js";
