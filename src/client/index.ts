/**
 * `capstan/client`: typed, kubectl-familiar access to any Kubernetes resource. See docs/client.md.
 */
export {
  KubeClient,
  type ClientOptions,
  type ListOptions,
  type ListResult,
  type WriteOptions,
  type DeleteOptions,
  type WatchOptions,
  type PatchType,
} from "./client.js";
export type { KindMap, ObjectOf } from "./kinds.js";
export {
  isWrite,
  type Interceptor,
  type InterceptedRequest,
  type RequestOutcome,
} from "./intercept.js";
export type { WatchEvent, WatchEventType, WatchState } from "./watch.js";
export { WatchStalledError, INITIAL_EVENTS_END } from "./watch.js";
export { exponentialBackoff, TokenBucket, type Backoff, type RateLimit } from "./backoff.js";
export { systemClock, type Clock } from "./clock.js";
export {
  watcher,
  type WatcherState,
  type WatcherSource,
  type WatcherEvent,
  type WatcherOptions,
} from "./watcher.js";
export {
  ApiError,
  NotFoundError,
  AlreadyExistsError,
  ConflictError,
  InvalidError,
  ForbiddenError,
  UnauthorizedError,
  GoneError,
  BadRequestError,
  TooManyRequestsError,
  ServerError,
  ClientError,
  type ApiStatus,
  type StatusCause,
  type MissingRule,
} from "./errors.js";
export type { ResourceInfo } from "./discovery.js";
export type { KubeObject, ObjectRef, TypeRef } from "../core/object.js";
