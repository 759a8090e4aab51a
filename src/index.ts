/**
 * Capstan: Kubernetes operators in TypeScript.
 *
 * The data flow of an operator, and where each piece lives:
 *
 *   API server ──list+watch──► Informer (runtime/informer) ──► Cache (runtime/cache)
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
 *                                     finalizers, conditions, Events (runtime/events)
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
  CrdSchemaError,
  isResource,
  type Resource,
  type ResourceVersion,
  type ObjectOf,
  type InputOf,
  type FieldProblem,
  type CustomResourceDefinition,
} from "./core/crd/index.js";
export * from "./runtime/index.js";
