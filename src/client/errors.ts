/**
 * API failures as typed errors. The API server answers every failure with a `Status`
 * object; its `reason` picks the class, and every message names the verb, the object
 * (`Kind namespace/name`) and the server's own message.
 *
 * `ClientError` is for failures before or around a request (bad input, connection,
 * timeout): it names the same things, plus the step that failed.
 */
import { brand } from "../core/brand.js";

/** One field the API server refused, from a `Status` body's `details.causes`. */
export interface StatusCause {
  field?: string;
  reason?: string;
  message?: string;
}

/** The API server's `Status` body, which every failed request answers with. */
export interface ApiStatus {
  kind?: "Status";
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
}

export interface RequestDescription {
  verb: string;
  /** `Kind namespace/name` or `Kind in namespace`. */
  object: string;
}

/** A request the API server answered with a failure: its HTTP code, `reason`, verb, object and `Status`. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly code: number;
  readonly reason: string;
  readonly status: ApiStatus;
  readonly verb: string;
  readonly object: string;

  constructor(req: RequestDescription, code: number, status: ApiStatus) {
    const reason = status.reason || `HTTP${code}`;
    super(`${req.verb} ${req.object}: ${reason}: ${status.message ?? "no message"}`);
    this.code = code;
    this.reason = reason;
    this.status = status;
    this.verb = req.verb;
    this.object = req.object;
  }
}

/** 404 NotFound: the object (or its kind) does not exist. */
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}
/** 409 AlreadyExists: a create found an object of that name. */
export class AlreadyExistsError extends ApiError {
  override name = "AlreadyExistsError";
}
/** 409 Conflict: the object changed since the resourceVersion sent, or an apply hit another manager's field. */
export class ConflictError extends ApiError {
  override name = "ConflictError";
}
/** The RBAC permission a Forbidden answer says is missing. */
export interface MissingRule {
  verb: string;
  /** `pods`, or `printers/status` for a subresource. */
  resource: string;
  /** `""` is the core group. */
  apiGroup: string;
  /** Absent for cluster-scoped requests (the rule belongs in a ClusterRole). */
  namespace?: string;
  user?: string;
}

// The authorizer's wording (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters):
// User "u" cannot VERB resource "RES" in API group "G" [in the namespace "NS"]
const RBAC_DENIAL =
  /User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)")?/;

/**
 * Refused by authorization. When the server says which permission was missing, `rule` has
 * it and the message ends with the rule to grant, spelled as in a Role
 * (`missing RBAC rule: verb create on pods in API group "" (core) in namespace ns`).
 */
export class ForbiddenError extends ApiError {
  override name = "ForbiddenError";
  readonly rule?: MissingRule;

  constructor(req: RequestDescription, code: number, status: ApiStatus) {
    super(req, code, status);
    const m = RBAC_DENIAL.exec(status.message ?? "");
    if (!m) return;
    const [, user, verb, resource, apiGroup, namespace] = m as unknown as string[];
    this.rule = { verb: verb!, resource: resource!, apiGroup: apiGroup!, namespace, user };
    const group = apiGroup ? `"${apiGroup}"` : `"" (core)`;
    const where = namespace ? `in namespace ${namespace}` : "cluster-wide";
    this.message += ` — missing RBAC rule: verb ${verb} on ${resource} in API group ${group} ${where}`;
  }
}
/** 401 Unauthorized: the credentials were refused. */
export class UnauthorizedError extends ApiError {
  override name = "UnauthorizedError";
}
/** 410 Gone (or Expired): the resourceVersion is too old; relist. */
export class GoneError extends ApiError {
  override name = "GoneError";
}
/** 400 BadRequest: the request itself is malformed. */
export class BadRequestError extends ApiError {
  override name = "BadRequestError";
}
/** 5xx: the API server failed. */
export class ServerError extends ApiError {
  override name = "ServerError";
}
/** 429 TooManyRequests: throttled (API priority and fairness); `retryAfterSeconds` says when to retry. */
export class TooManyRequestsError extends ApiError {
  override name = "TooManyRequestsError";
  get retryAfterSeconds(): number | undefined {
    return this.status.details?.retryAfterSeconds;
  }
}
/** 422 Invalid: the object failed validation; `causes` names each field. */
export class InvalidError extends ApiError {
  override name = "InvalidError";
  /** One entry per field the server refused: `{ field, reason, message }`. */
  get causes(): StatusCause[] {
    return this.status.details?.causes ?? [];
  }
}

/** The typed error for an API failure. */
export function apiError(req: RequestDescription, code: number, status: ApiStatus): ApiError {
  const Class =
    {
      NotFound: NotFoundError,
      AlreadyExists: AlreadyExistsError,
      Conflict: ConflictError,
      Forbidden: ForbiddenError,
      Unauthorized: UnauthorizedError,
      Gone: GoneError,
      Expired: GoneError,
      Invalid: InvalidError,
      BadRequest: BadRequestError,
      TooManyRequests: TooManyRequestsError,
    }[status.reason ?? ""] ??
    (
      {
        404: NotFoundError,
        409: ConflictError,
        403: ForbiddenError,
        401: UnauthorizedError,
        410: GoneError,
        422: InvalidError,
        429: TooManyRequestsError,
        400: BadRequestError,
      } as Record<number, typeof ApiError>
    )[code] ??
    (code >= 500 ? ServerError : ApiError);
  return new Class(req, code, status);
}

export type ClientStep =
  "config" | "auth" | "input" | "discovery" | "connect" | "timeout" | "decode" | "watch";

/** A failure before or around a request (configuration, auth, input, connection, timeout, decoding), naming its `step`. */
export class ClientError extends Error {
  override name = "ClientError";
  constructor(
    readonly step: ClientStep,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
  }
}

brand({
  ApiError,
  NotFoundError,
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  UnauthorizedError,
  GoneError,
  BadRequestError,
  ServerError,
  TooManyRequestsError,
  InvalidError,
  ClientError,
});
