/**
 * API failures as typed errors. The API server answers every failure with a `Status`
 * object; its `reason` picks the class, and every message names the verb, the object
 * (`Kind namespace/name`) and the server's own message.
 *
 * `ClientError` is for failures before or around a request (bad input, connection,
 * timeout): it names the same things, plus the step that failed.
 */

export interface StatusCause {
  field?: string;
  reason?: string;
  message?: string;
}

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

export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}
export class AlreadyExistsError extends ApiError {
  override name = "AlreadyExistsError";
}
export class ConflictError extends ApiError {
  override name = "ConflictError";
}
export class ForbiddenError extends ApiError {
  override name = "ForbiddenError";
}
export class UnauthorizedError extends ApiError {
  override name = "UnauthorizedError";
}
export class GoneError extends ApiError {
  override name = "GoneError";
}
export class BadRequestError extends ApiError {
  override name = "BadRequestError";
}
export class ServerError extends ApiError {
  override name = "ServerError";
}
export class TooManyRequestsError extends ApiError {
  override name = "TooManyRequestsError";
  get retryAfterSeconds(): number | undefined {
    return this.status.details?.retryAfterSeconds;
  }
}
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
  "config" | "input" | "discovery" | "connect" | "timeout" | "decode" | "watch";

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
