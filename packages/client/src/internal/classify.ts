/**
 * The retry classifier: pure functions that say whether a failure may be retried, and why.
 *
 * @internal
 */
import type * as ApiError from "../ApiError.js"

/** Statuses that are transient by default. @internal */
export const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/** Methods that are idempotent by definition (RFC 9110 §9.2.2). @internal */
export const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])

/**
 * Whether a status is transient, with the server's `x-should-retry` header taking
 * precedence when it says `true` or `false`.
 *
 * @internal
 */
export const isTransientStatus = (status: number, shouldRetryHeader: string | undefined): boolean => {
  if (shouldRetryHeader !== undefined) {
    const v = shouldRetryHeader.trim().toLowerCase()
    if (v === "true") return true
    if (v === "false") return false
  }
  return transientStatuses.has(status)
}

/**
 * Whether the failure is transient by its kind, whatever the method.
 *
 * @internal
 */
export const isTransient = (error: ApiError.ApiError): boolean => {
  switch (error._tag) {
    case "ConnectionError":
      return error.reason !== "InvalidUrl" && error.reason !== "InvalidRequest" &&
        error.reason !== "OriginNotAllowed" &&
        error.reason !== "PoolClosed"
    case "TimeoutError":
      return error.scope === "attempt"
    case "DecodeError":
    case "CircuitOpenError":
    case "BulkheadRejectedError":
    case "RateLimiterRejectedError":
      return false
    default:
      return isTransientStatus(error.status, error.headers["x-should-retry"])
  }
}

/**
 * Whether the failure proves the request never reached the server.
 *
 * @internal
 */
export const provedNotSent = (error: ApiError.ApiError): boolean => error._tag === "ConnectionError" && !error.sent

/** @internal */
export type Verdict =
  | { readonly retry: true; readonly reason: string }
  | { readonly retry: false; readonly reason: string }

/**
 * Whether a failed attempt may be retried: it must be transient, and the request must be
 * idempotent (by method or by an `Idempotency-Key`) unless it provably was never sent.
 *
 * @internal
 */
export const classify = (error: ApiError.ApiError, method: string, hasIdempotencyKey: boolean): Verdict => {
  if (!isTransient(error)) return { retry: false, reason: `${describe(error)} is not retryable` }
  if (idempotentMethods.has(method)) return { retry: true, reason: describe(error) }
  if (hasIdempotencyKey) return { retry: true, reason: `${describe(error)} (Idempotency-Key set)` }
  if (provedNotSent(error)) return { retry: true, reason: `${describe(error)} (request was not sent)` }
  return {
    retry: false,
    reason: `${describe(error)} on ${method} without an Idempotency-Key: the request may have reached the server`
  }
}

/** A short name for the failure, for logs. @internal */
export const describe = (error: ApiError.ApiError): string => {
  switch (error._tag) {
    case "ConnectionError":
      return `${error._tag}(${error.reason})`
    case "TimeoutError":
      return `${error._tag}(${error.scope})`
    case "DecodeError":
    case "BulkheadRejectedError":
      return `${error._tag}(${error.reason})`
    case "CircuitOpenError":
      return `${error._tag}(${error.key})`
    case "RateLimiterRejectedError":
      return `${error._tag}(${error.key})`
    default:
      return `${error._tag}(${error.status})`
  }
}
