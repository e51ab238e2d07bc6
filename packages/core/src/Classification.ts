/**
 * What a failure is, and whether it may be retried: the status of each typed error, the
 * transient statuses and connection failures (allow-lists, which a user may extend), the
 * idempotent methods, and the retry gate that puts them together. The failures are described
 * by shape, so the `ApiError` classes of either Effect line are classified by the same code.
 *
 * @since 0.3.0
 */

/**
 * Why no response came (`ConnectionError.reason`).
 *
 * @since 0.3.0
 * @category models
 */
export type ConnectionReason =
  | "Refused"
  | "Dns"
  | "ConnectTimeout"
  | "Tls"
  | "Reset"
  | "Transport"
  | "InvalidUrl"
  | "InvalidRequest"
  | "OriginNotAllowed"
  | "PoolClosed"
  | "Proxy"

/**
 * The tag of the typed error for a non-2xx status.
 *
 * @since 0.3.0
 * @category models
 */
export type StatusTag =
  | "BadRequestError"
  | "AuthenticationError"
  | "PermissionDeniedError"
  | "NotFoundError"
  | "ConflictError"
  | "UnprocessableEntityError"
  | "RateLimitError"
  | "ClientError"
  | "ServerError"
  | "UnexpectedStatusError"

/**
 * A failure as the core sees it: the fields of an `ApiError` that decide what happens next.
 *
 * @since 0.3.0
 * @category models
 */
export type Failure =
  | { readonly _tag: "ConnectionError"; readonly reason: string; readonly sent: boolean }
  | { readonly _tag: "TimeoutError"; readonly scope: string }
  | { readonly _tag: "DecodeError"; readonly reason: string }
  | { readonly _tag: "CircuitOpenError"; readonly key: string }
  | { readonly _tag: "BulkheadRejectedError"; readonly reason: string }
  | { readonly _tag: "RateLimiterRejectedError"; readonly key: string }
  | {
    readonly _tag: StatusTag
    readonly status: number
    readonly headers: Readonly<Record<string, string | undefined>>
  }

/**
 * The typed error a status becomes: 404 is `NotFoundError`, 403 `PermissionDeniedError`, any
 * other 4xx `ClientError`, 5xx `ServerError`, anything else that is not 2xx
 * `UnexpectedStatusError`.
 *
 * @since 0.3.0
 * @category status
 */
export const statusTag = (status: number): StatusTag => {
  switch (status) {
    case 400:
      return "BadRequestError"
    case 401:
      return "AuthenticationError"
    case 403:
      return "PermissionDeniedError"
    case 404:
      return "NotFoundError"
    case 409:
      return "ConflictError"
    case 422:
      return "UnprocessableEntityError"
    case 429:
      return "RateLimitError"
  }
  if (status >= 400 && status <= 499) return "ClientError"
  if (status >= 500 && status <= 599) return "ServerError"
  return "UnexpectedStatusError"
}

/**
 * Statuses that are transient by default: 408, 429, 500, 502, 503, 504.
 *
 * @since 0.3.0
 * @category rules
 */
export const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * Connection failures that are transient by default: the request may succeed if sent again.
 * An allow-list: a reason not named here (an invalid URL, a closed pool, an origin not
 * allowed, a certificate that failed verification, a reason added later) is not retried
 * unless a user adds it. `Tls` is not here: sending again meets the same certificate.
 *
 * @since 0.3.0
 * @category rules
 */
export const transientReasons: ReadonlySet<string> = new Set<ConnectionReason>([
  "Refused",
  "Dns",
  "ConnectTimeout",
  "Reset",
  "Transport",
  "Proxy"
])

/**
 * Methods that are idempotent by definition (RFC 9110 §9.2.2).
 *
 * @since 0.3.0
 * @category rules
 */
export const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])

/**
 * What is transient: the default lists, or a user's extension of them.
 *
 * @since 0.3.0
 * @category rules
 */
export interface Rules {
  readonly statuses: ReadonlySet<number>
  readonly reasons: ReadonlySet<string>
}

/**
 * The default rules.
 *
 * @since 0.3.0
 * @category rules
 */
export const defaultRules: Rules = { statuses: transientStatuses, reasons: transientReasons }

/**
 * What a user adds to the default rules: more statuses, more connection failures.
 *
 * @since 0.3.0
 * @category rules
 */
export interface Extension {
  /** Statuses transient besides 408, 429, 500, 502, 503, 504 (say `[425]`). */
  readonly statuses?: Iterable<number> | undefined
  /** Connection failures (`ConnectionError.reason`) transient besides the default allow-list. */
  readonly reasons?: Iterable<ConnectionReason | (string & {})> | undefined
}

/**
 * The default rules with more statuses and reasons: `extend({ statuses: [425] })`. Unchecked:
 * see `rules` for an option a user gives.
 *
 * @since 0.3.0
 * @category rules
 */
export const extend = (more: Extension): Rules => ({
  statuses: new Set([...transientStatuses, ...(more.statuses ?? [])]),
  reasons: new Set([...transientReasons, ...(more.reasons ?? [])])
})

/**
 * The rules of a user's option, checked once: the defaults themselves when it adds nothing
 * (so nothing is made per client), else `extend(extension)`. A status that is not a whole
 * number from 100 to 599, or a reason that is not a non-empty string, throws a `RangeError`
 * that names `name` (say `"retry.retryOn"`).
 *
 * @since 0.3.0
 * @category rules
 */
export const rules = (extension: Extension | undefined, name: string): Rules => {
  if (extension === undefined) return defaultRules
  if (typeof extension !== "object" || extension === null) {
    throw new RangeError(`${name} must be { statuses?, reasons? }, got ${String(extension)}`)
  }
  const statuses = extension.statuses === undefined ? [] : [...extension.statuses]
  const reasons = extension.reasons === undefined ? [] : [...extension.reasons]
  for (const s of statuses) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 100 || s > 599) {
      throw new RangeError(`${name}.statuses must hold whole numbers from 100 to 599, got ${String(s)}`)
    }
  }
  for (const r of reasons) {
    if (typeof r !== "string" || r === "") {
      throw new RangeError(`${name}.reasons must hold connection failure reasons (strings), got ${String(r)}`)
    }
  }
  if (statuses.every((s) => transientStatuses.has(s)) && reasons.every((r) => transientReasons.has(r))) {
    return defaultRules
  }
  return extend({ statuses, reasons })
}

/**
 * Whether a status is transient, with the server's `x-should-retry` header taking precedence
 * when it says `true` or `false`.
 *
 * @since 0.3.0
 * @category rules
 */
export const isTransientStatus = (
  status: number,
  shouldRetryHeader: string | undefined,
  rules: Rules = defaultRules
): boolean => {
  if (shouldRetryHeader !== undefined) {
    const v = shouldRetryHeader.trim().toLowerCase()
    if (v === "true") return true
    if (v === "false") return false
  }
  return rules.statuses.has(status)
}

/**
 * Whether the failure is transient by its kind, whatever the method.
 *
 * @since 0.3.0
 * @category rules
 */
export const isTransient = (failure: Failure, rules: Rules = defaultRules): boolean => {
  switch (failure._tag) {
    case "ConnectionError":
      return rules.reasons.has(failure.reason)
    case "TimeoutError":
      return failure.scope === "attempt"
    case "DecodeError":
    case "CircuitOpenError":
    case "BulkheadRejectedError":
    case "RateLimiterRejectedError":
      return false
    default:
      return isTransientStatus(failure.status, failure.headers["x-should-retry"], rules)
  }
}

/**
 * Whether the failure proves the request never reached the server.
 *
 * @since 0.3.0
 * @category rules
 */
export const provedNotSent = (failure: Failure): boolean => failure._tag === "ConnectionError" && !failure.sent

/**
 * The retry gate's answer, with the reason it gives in logs.
 *
 * @since 0.3.0
 * @category models
 */
export type Verdict =
  | { readonly retry: true; readonly reason: string }
  | { readonly retry: false; readonly reason: string }

/**
 * Whether a failed attempt may be retried: it must be transient, and the request must be
 * idempotent (by method or by an `Idempotency-Key`) unless it provably was never sent.
 *
 * @since 0.3.0
 * @category rules
 */
export const classify = (
  failure: Failure,
  method: string,
  hasIdempotencyKey: boolean,
  rules: Rules = defaultRules
): Verdict => {
  if (!isTransient(failure, rules)) return { retry: false, reason: `${describe(failure)} is not retryable` }
  if (idempotentMethods.has(method)) return { retry: true, reason: describe(failure) }
  if (hasIdempotencyKey) return { retry: true, reason: `${describe(failure)} (Idempotency-Key set)` }
  if (provedNotSent(failure)) return { retry: true, reason: `${describe(failure)} (request was not sent)` }
  return {
    retry: false,
    reason: `${describe(failure)} on ${method} without an Idempotency-Key: the request may have reached the server`
  }
}

/**
 * A short name for the failure, for logs: `ConnectionError(Reset)`, `ServerError(503)`.
 *
 * @since 0.3.0
 * @category rules
 */
export const describe = (failure: Failure): string => {
  switch (failure._tag) {
    case "ConnectionError":
    case "DecodeError":
    case "BulkheadRejectedError":
      return `${failure._tag}(${failure.reason})`
    case "TimeoutError":
      return `${failure._tag}(${failure.scope})`
    case "CircuitOpenError":
    case "RateLimiterRejectedError":
      return `${failure._tag}(${failure.key})`
    default:
      return `${failure._tag}(${failure.status})`
  }
}
