/**
 * `capstan/runtime`: the parts of the operator runtime, each usable alone — informer → cache
 * → queue → controller, kopf-style handlers, the finalizer protocol, Events, leader election,
 * health and metrics, CRD installation. What an operator author needs every day is in the
 * root entry (`capstan`); `Operator` wires these parts for you. See docs/runtime.md.
 */
export { WorkQueue, type QueueOptions, type Priority } from "./queue/queue.js";
export { Cache, keyOf, stripManagedFields, type CacheReader, type Indexer } from "./watch/cache.js";
export {
  Informer,
  type ListWatch,
  type InformerListener,
  type WatchEventLike,
} from "./watch/informer.js";
export type { Backoff, BackoffOptions } from "./backoff.js";
export { Controller } from "./controller/controller.js";
export {
  defaultPredicate,
  done,
  requeueAfter,
  RECONCILED,
  type ApiObject,
  type ControllerSpec,
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
export {
  Handlers,
  LAST_HANDLED,
  type Handler,
  type HandlerArgs,
  type HandlerOptions,
} from "./handlers/handlers.js";
export { detectCause, type Cause, type Observation } from "./handlers/causes.js";
export { PRESENT, ABSENT, type Filters } from "./handlers/filters.js";
export { diff, type DiffItem } from "./handlers/diff.js";
export {
  finalizer,
  finalizerState,
  withFinalizer,
  FinalizerError,
  type FinalizerEvent,
  type FinalizerOptions,
  type FinalizerPatch,
  type FinalizerState,
} from "./finalizer/finalizer.js";
export { setCondition, getCondition, isTrue, type Condition } from "./status/conditions.js";
export {
  clientEventSink,
  EventRecorder,
  type EventInput,
  type EventSink,
} from "./status/events.js";
export {
  TemporaryError,
  PermanentError,
  HandlerTimeoutError,
  HandlerError,
  RuntimeError,
} from "./errors.js";
export {
  Operator,
  type OperatorOptions,
  type HealthOptions,
  type Startup,
  type Access,
  type Declarations,
  type Verb,
} from "./operator/operator.js";
export {
  defineOperator,
  isOperatorDefinition,
  type OperatorDefinition,
} from "./operator/define.js";
export { createLogger, type Logger } from "./log.js";
export type { KindRef } from "./kind.js";
export { listWatch, type ListWatchOptions, type WatchTuning } from "./watch/source.js";
export { installCrds, waitForCrd, CrdInstallError } from "./operator/crds.js";
export {
  migrateStorage,
  storageVersionHash,
  type MigratableResource,
  type MigrationResult,
} from "./operator/migrate.js";
export { LeaderElector, NotLeaderError, type LeaseOptions } from "./leader/lease.js";
export { LeadershipLostError, type LeaderElectionOptions } from "./leader/leadership.js";
export { OperatorMetrics } from "./operator/metrics.js";
export { serveHealth, type HealthServer, type HealthSource } from "./operator/health.js";
export type {
  Hook,
  HookArgs,
  HookOptions,
  StartupHookOptions,
  ProbeResult,
} from "./operator/activities.js";
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
export {
  Admission,
  deny,
  type Denial,
  type ValidateHandlers,
  type MutateHandler,
  type WebhookOptions,
  type FailurePolicy,
} from "./webhooks/admission.js";
export { WebhookServer } from "./webhooks/server.js";
export type { WebhookServeOptions } from "./webhooks/options.js";
export {
  convertReview,
  isConvertible,
  registerConversions,
  type ConversionReview,
  type ConvertibleResource,
} from "./webhooks/conversion.js";
export { DEFAULT_POLICY as DEFAULT_CERT_POLICY, type RotationPolicy } from "./webhooks/rotation.js";
