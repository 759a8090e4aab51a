/**
 * The operator runtime: informer → cache → queue → reconcile, with kopf-style handlers,
 * finalizers, status conditions and Events on top. See docs/runtime.md.
 */
export { createQueue, WorkQueue, type QueueOptions, type Priority } from "./queue.js";
export { Cache, keyOf, stripManagedFields, type CacheReader, type Indexer } from "./cache.js";
export {
  Informer,
  type ListWatch,
  type InformerListener,
  type WatchEventLike,
} from "./informer.js";
export { Backoff } from "./backoff.js";
export { Controller, createController } from "./controller.js";
export {
  defaultPredicate,
  done,
  requeueAfter,
  type ControllerSpec,
  type KubeObject,
  type ReconcileContext,
  type ReconcileResult,
} from "./reconcile.js";
export {
  referencedBy,
  type ObjectKey,
  type Watch,
  type WatchMap,
  type WatchMapContext,
} from "./watches.js";
export { Handlers, LAST_HANDLED, type Handler, type HandlerArgs } from "./handlers.js";
export { PRESENT, ABSENT, type Filters } from "./filters.js";
export { finalizerState, type FinalizerState } from "./finalizer.js";
export { setCondition, getCondition, isTrue, type Condition } from "./conditions.js";
export { EventRecorder, type EventInput } from "./events.js";
export { diff, type DiffItem } from "./diff.js";
export { TemporaryError, PermanentError, HandlerTimeoutError, RuntimeError } from "./errors.js";
export {
  Operator,
  operator,
  type OperatorOptions,
  type HealthOptions,
  type Startup,
  type Access,
  type Declarations,
  type Verb,
} from "./operator.js";
export { defineOperator, isOperatorDefinition, type OperatorDefinition } from "./define.js";
export { createLogger, type Logger } from "./log.js";
export type { RuntimePort, KindRef, ObjectRef } from "./port.js";
export { installCrds, waitForCrd, CrdInstallError } from "./crds.js";
export { kubePort } from "./kube.js";
export { LeaderElector, NotLeaderError, type LeaseOptions } from "./lease.js";
export { LeadershipLostError, type LeaderElectionOptions } from "./leadership.js";
export { OperatorMetrics } from "./metrics.js";
export { serveHealth, type HealthServer, type HealthSource } from "./health.js";
export { ownerReference, type OwnerReference } from "./owner.js";
export {
  ensureChild,
  OwnershipConflictError,
  type Child,
  type ChildOutcome,
  type LiveChild,
  type EnsureChildOptions,
} from "./children.js";
export { childName, ownerLabelValue, type ChildNameOptions } from "./names.js";
export {
  claimExternal,
  mayDropExternal,
  ownerMark,
  refuseReserved,
  type Ledger,
  type ClaimOptions,
} from "./external.js";
export { isSubset } from "./subset.js";
