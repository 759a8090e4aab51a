/**
 * The operator runtime: informer → cache → queue → reconcile, with kopf-style handlers,
 * finalizers, status conditions and Events on top. See docs/runtime.md.
 */
export { createQueue, WorkQueue, type QueueOptions, type Priority } from "./queue/queue.js";
export { Cache, keyOf, stripManagedFields, type CacheReader, type Indexer } from "./watch/cache.js";
export {
  Informer,
  type ListWatch,
  type InformerListener,
  type WatchEventLike,
} from "./watch/informer.js";
export { Backoff } from "./backoff.js";
export { Controller, createController } from "./controller/controller.js";
export {
  defaultPredicate,
  done,
  requeueAfter,
  type ControllerSpec,
  type KubeObject,
  type ReconcileContext,
  type ReconcileResult,
} from "./controller/reconcile.js";
export {
  referencedBy,
  type ObjectKey,
  type Watch,
  type WatchMap,
  type WatchMapContext,
} from "./controller/watches.js";
export { Handlers, LAST_HANDLED, type Handler, type HandlerArgs } from "./handlers/handlers.js";
export { PRESENT, ABSENT, type Filters } from "./handlers/filters.js";
export { finalizerState, type FinalizerState } from "./finalizer/finalizer.js";
export { setCondition, getCondition, isTrue, type Condition } from "./status/conditions.js";
export { EventRecorder, type EventInput } from "./status/events.js";
export { diff, type DiffItem } from "./handlers/diff.js";
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
} from "./operator/operator.js";
export { defineOperator, isOperatorDefinition, type OperatorDefinition } from "./operator/define.js";
export { createLogger, type Logger } from "./log.js";
export type { RuntimePort, KindRef, ObjectRef } from "./port.js";
export { installCrds, waitForCrd, CrdInstallError } from "./operator/crds.js";
export { kubePort } from "./kube.js";
export { LeaderElector, NotLeaderError, type LeaseOptions } from "./leader/lease.js";
export { LeadershipLostError, type LeaderElectionOptions } from "./leader/leadership.js";
export { OperatorMetrics } from "./operator/metrics.js";
export { serveHealth, type HealthServer, type HealthSource } from "./operator/health.js";
export { ownerReference, type OwnerReference } from "./ownership/owner.js";
export {
  ensureChild,
  OwnershipConflictError,
  type Child,
  type ChildOutcome,
  type LiveChild,
  type EnsureChildOptions,
} from "./ownership/children.js";
export { childName, ownerLabelValue, type ChildNameOptions } from "./ownership/names.js";
export {
  claimExternal,
  mayDropExternal,
  ownerMark,
  refuseReserved,
  type Ledger,
  type ClaimOptions,
} from "./ownership/external.js";
export { isSubset } from "./ownership/subset.js";
