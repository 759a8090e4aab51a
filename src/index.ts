/**
 * Capstan: Kubernetes operators in TypeScript.
 *
 * The data flow of an operator, and where each piece lives:
 *
 *   API server ──list+watch──► Informer (runtime/watch) ───► Cache (runtime/watch)
 *        ▲                        paginated list, bookmarks,        one writer,
 *        │                        410 → relist, stall → resume      read-only views
 *        │                                                               │ key
 *        │                                                               ▼
 *        │                                         WorkQueue (runtime/queue): dedup by key,
 *        │                                         one run per key at a time, backoff,
 *        │                                         fresh changes before backlog
 *        │                                                               │
 *        │    one write per change,                                      ▼
 *        └─── none when converged ◄── reconcile(latest object) or kopf-style handlers
 *                                     (runtime/controller, runtime/handlers), with
 *                                     finalizers, conditions, Events (runtime/status)
 *
 * This root holds what an operator author needs every day; the parts à la carte (informer,
 * cache, queue, controller, lease, health, metrics…) are in `capstan/runtime`.
 *
 * Custom resources are defined once with `defineResource` (core/crd): the TypeScript type,
 * runtime validation and the CRD manifest come from one zod schema. The client
 * (`capstan/client`) speaks to any cluster; `capstan/controlplane` runs a real local one;
 * `capstan/testing` runs operators inside tests against it. See docs/architecture.md.
 */
export {
  defineResource,
  z,
  k8s,
  crdsToYaml,
  type Resource,
  type ObjectOf,
  type InputOf,
  type FieldProblem,
} from "./core/crd/index.js";
export {
  defineOperator,
  Operator,
  type OperatorOptions,
  type OperatorDefinition,
  done,
  requeueAfter,
  type ApiObject,
  type ReconcileContext,
  type ReconcileResult,
  type HandlerArgs,
  referencedBy,
  PRESENT,
  ABSENT,
  TemporaryError,
  PermanentError,
  setCondition,
  getCondition,
  isTrue,
  type Condition,
  ownerReference,
  childName,
  ownerLabelValue,
  ensureChild,
  OwnershipConflictError,
  type Child,
  claimExternal,
  mayDropExternal,
  refuseReserved,
  ownerMark,
  type Ledger,
  deny,
} from "./runtime/index.js";
export { isDns1123Label, isDns1123Subdomain } from "./core/names.js";
export { truncateUtf8, utf8Length } from "./core/text.js";
