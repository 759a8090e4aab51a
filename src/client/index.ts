/**
 * `capstan/client`: typed, kubectl-familiar access to any Kubernetes resource. See docs/client.md.
 */
export { KubeClient } from "./client.js";
export type {
  ClientOptions,
  ListOptions,
  ListResult,
  WriteOptions,
  DeleteOptions,
  WatchOptions,
  PatchType,
} from "./options.js";
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
