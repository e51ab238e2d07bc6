/**
 * The one error union of a steady client. Every failure of a request made through
 * `ApiClient` is a member of `ApiError`, in the typed error channel, so callers use
 * `Effect.catchTag` / `Effect.catchTags` instead of parsing messages.
 *
 * Every member carries `request` (method and URL, with secrets in the URL redacted) and
 * `attempts` (how many attempts were made). Members that had a response also carry
 * `status`, `headers` (sensitive ones redacted), `body` (a bounded excerpt), `requestId` and
 * `retryAfter`.
 *
 * @since 0.1.0
 */
import * as classify from "@steady/core/Classification"
import type * as Messages from "@steady/core/Messages"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as internal from "./internal/errorMessage.js"
import type * as Retry from "./Retry.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@steady/client-effect3/ApiError")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * What an error says about the request that failed. `url` is absolute, with user info and
 * sensitive query parameters redacted.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestInfo {
  readonly method: string
  readonly url: string
}

/**
 * Fields every member carries.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommonFields {
  readonly request: RequestInfo
  /** How many attempts were made before this error was returned (1 when none was retried). */
  readonly attempts: number
}

/**
 * Fields of the members that had a response.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseFields extends CommonFields {
  readonly status: number
  /** Response headers, lower-cased, sensitive values redacted. */
  readonly headers: Readonly<Record<string, string>>
  /** The response body as text, cut to at most 8 KiB. */
  readonly body: string
  /** From `x-request-id` (or `request-id`, `x-amzn-requestid`, `cf-ray`, …) when the server sent one. */
  readonly requestId: Option.Option<string>
  /** The server's hint (`retry-after-ms`, `Retry-After`) when it sent one. */
  readonly retryAfter: Option.Option<Duration.Duration>
}

/**
 * Installs what every member shares on its prototype: its tag (and the `name` stack traces
 * show), the `TypeId`, a `message` built from its fields (method, URL, status, request id,
 * attempts; never a secret), and a `toJSON` that shows the same. Members differ only in their
 * tag and fields.
 */
const member = (ctor: { readonly prototype: object }, tag: string) => {
  Object.defineProperties(ctor.prototype, {
    _tag: { value: tag },
    name: { value: tag, writable: true },
    [TypeId]: { value: TypeId },
    message: {
      get(this: ApiError) {
        return internal.message(this)
      }
    },
    toJSON: {
      value(this: ApiError) {
        return internal.toJSON(this)
      },
      writable: true
    }
  })
}

/**
 * 400 Bad Request.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequestError extends Data.Error<ResponseFields> {
  /** @since 0.1.0 */
  declare readonly _tag: "BadRequestError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(BadRequestError, "BadRequestError")

/**
 * The token endpoint's error (RFC 6749 §5.2), when it sent one.
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuthError {
  readonly error: string
  readonly description: string | undefined
}

/**
 * 401 Unauthorized from the API (after at most one token refresh and replay), or
 * credentials could not be obtained. In the second case `source` is `"token-endpoint"`,
 * `status` and `body` are the token endpoint's, `oauthError` holds its `error` and
 * `error_description`, and `cause` the underlying failure.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationError extends Data.Error<
  ResponseFields & {
    readonly source?: "api" | "token-endpoint" | undefined
    readonly oauthError?: OAuthError | undefined
    /** What went wrong, in words (e.g. which endpoint refused). */
    readonly detail?: string | undefined
    readonly cause?: unknown
  }
> {
  /** @since 0.1.0 */
  declare readonly _tag: "AuthenticationError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(AuthenticationError, "AuthenticationError")

/**
 * 403 Forbidden: the credentials are valid but not allowed to do this. Not a 404.
 *
 * @since 0.1.0
 * @category errors
 */
export class PermissionDeniedError extends Data.Error<ResponseFields> {
  /** @since 0.1.0 */
  declare readonly _tag: "PermissionDeniedError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(PermissionDeniedError, "PermissionDeniedError")

/**
 * 404 Not Found. `ApiError.optional("NotFoundError")` turns it into `Option.none()`.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFoundError extends Data.Error<ResponseFields> {
  /** @since 0.1.0 */
  declare readonly _tag: "NotFoundError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(NotFoundError, "NotFoundError")

/**
 * 409 Conflict.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConflictError extends Data.Error<ResponseFields> {
  /** @since 0.1.0 */
  declare readonly _tag: "ConflictError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(ConflictError, "ConflictError")

/**
 * 422 Unprocessable Entity.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnprocessableEntityError extends Data.Error<ResponseFields> {
  /** @since 0.1.0 */
  declare readonly _tag: "UnprocessableEntityError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(UnprocessableEntityError, "UnprocessableEntityError")

/**
 * 429 Too Many Requests. `retryAfter` holds the server's hint.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimitError extends Data.Error<ResponseFields> {
  /** @since 0.1.0 */
  declare readonly _tag: "RateLimitError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(RateLimitError, "RateLimitError")

/**
 * Any other 4xx (405, 408, 410, 413, …).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClientError extends Data.Error<ResponseFields> {
  /** @since 0.1.0 */
  declare readonly _tag: "ClientError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(ClientError, "ClientError")

/**
 * Any 5xx.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Data.Error<ResponseFields> {
  /** @since 0.1.0 */
  declare readonly _tag: "ServerError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(ServerError, "ServerError")

/**
 * What a redirect stage followed before it stopped at a redirect: the URLs requested, first
 * to last (redacted), the `followRedirects` in force, and why it stopped (`Limit`,
 * `OneShotBody`, `NoLocation`).
 *
 * @since 0.3.0
 * @category models
 */
export type Redirects = Messages.Redirects

/**
 * Any other status that is not 2xx (1xx, 3xx, or outside 100–599). A redirect (301, 302,
 * 303, 307, 308) says in its message how to follow it; when the client or the call follows
 * redirects and stopped at this one, `redirects` holds the chain and why.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedStatusError extends Data.Error<
  ResponseFields & {
    /**
     * Set when a redirect stage stopped at this redirect: the chain followed, from the first URL.
     *
     * @since 0.3.0
     */
    readonly redirects?: Redirects | undefined
  }
> {
  /** @since 0.1.0 */
  declare readonly _tag: "UnexpectedStatusError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(UnexpectedStatusError, "UnexpectedStatusError")

/**
 * Why no response arrived.
 *
 * - `Refused`: the connection was refused or could not be opened (nothing was sent).
 * - `Dns`: the host name did not resolve (nothing was sent).
 * - `ConnectTimeout`: the connection was not established in time (nothing was sent).
 * - `Tls`: the TLS handshake failed: the server's certificate failed verification (expired,
 *   an unknown CA, another host name), or the server refused ours (nothing was sent; never
 *   retried: `code` says why, e.g. `CERT_HAS_EXPIRED`).
 * - `Reset`: the connection was closed or reset after the request was written, or the body
 *   was cut short (the request may have reached the server).
 * - `Transport`: any other transport failure.
 * - `InvalidUrl`: the request URL could not be built (nothing was sent; never retried).
 * - `InvalidRequest`: the transport refused the request as malformed, e.g. a header value
 *   with a line break (nothing was sent; never retried).
 * - `OriginNotAllowed`: the request targets an origin other than the client's `baseUrl`
 *   and `allowOtherOrigins` is off (nothing was sent; never retried).
 * - `PoolClosed`: the undici dispatcher under the transport was destroyed (nothing was sent;
 *   never retried). A steady `ConnectionPool` whose scope has closed does not fail so: it
 *   reopens, with a warning (see docs/connection-pooling.md).
 * - `Proxy`: the proxy refused the request: it answered the tunnel with 407 (credentials
 *   missing or wrong) or another status, or the connection to it was refused, reset or timed
 *   out (nothing was sent; retried like `Refused`).
 *
 * @since 0.1.0
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
 * No response: refused, reset, DNS, TLS, or a request that could not be sent at all.
 * `sent` says whether the request may have reached the server: when it is `false`, even a
 * POST is safe to retry.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionError extends Data.Error<
  CommonFields & {
    readonly reason: ConnectionReason
    readonly sent: boolean
    /** A description of the underlying failure (never the request's headers). */
    readonly detail: string
    readonly cause?: unknown
    /** The error code that decided `reason` (`CERT_HAS_EXPIRED`, `ECONNREFUSED`), when there was one. */
    readonly code?: string | undefined
  }
> {
  /** @since 0.1.0 */
  declare readonly _tag: "ConnectionError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(ConnectionError, "ConnectionError")

/**
 * The request took too long. `scope: "attempt"` when one attempt passed the attempt timeout
 * (retried like a transport error); `scope: "total"` when the whole call, retries
 * included, passed its deadline (never retried); `scope: "idle"` when a streamed body
 * (`ApiClient.stream`) brought nothing for `timeout.idle` (not retried: part of the body was
 * already handed over). `duration` is the limit that was passed.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Data.Error<
  CommonFields & {
    readonly scope: "attempt" | "total" | "idle"
    readonly duration: Duration.Duration
  }
> {
  /** @since 0.1.0 */
  declare readonly _tag: "TimeoutError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(TimeoutError, "TimeoutError")

/**
 * A 2xx response whose body could not be turned into the expected value.
 *
 * - `InvalidJson`: the body is not JSON.
 * - `SchemaMismatch`: the JSON does not match the schema; `issue` holds the Schema issue.
 * - `TooLarge`: the body is larger than the client's `maxResponseBytes`; it was not buffered.
 * - `Read`: the body could not be read.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Data.Error<
  CommonFields & {
    readonly reason: "InvalidJson" | "SchemaMismatch" | "TooLarge" | "Read"
    readonly status: number
    /** The response body, cut to at most 8 KiB. */
    readonly body: string
    readonly issue: Option.Option<ParseResult.ParseIssue>
    readonly detail: string
  }
> {
  /** @since 0.1.0 */
  declare readonly _tag: "DecodeError"
  /** @since 0.1.0 */
  declare readonly [TypeId]: TypeId
}
member(DecodeError, "DecodeError")

/**
 * The circuit breaker is open: the upstream failed too often, so the call was refused at once
 * and nothing was sent. `retryAfter` is the time until the breaker lets a probe through
 * (zero when it is half-open and its probes are all in flight). The retry stage does not
 * retry it: calling again inside the same call would only wait out the open period.
 *
 * @since 0.2.0
 * @category errors
 */
export class CircuitOpenError extends Data.Error<
  CommonFields & {
    /** The breaker's name. */
    readonly breaker: string
    /** The circuit that refused: the client's, an origin, or your own key. */
    readonly key: string
    readonly state: "open" | "half-open"
    readonly retryAfter: Duration.Duration
  }
> {
  /** @since 0.2.0 */
  declare readonly _tag: "CircuitOpenError"
  /** @since 0.2.0 */
  declare readonly [TypeId]: TypeId
}
member(CircuitOpenError, "CircuitOpenError")

/**
 * The bulkhead refused the call: `QueueFull` when every slot was busy and the queue full,
 * `QueueTimeout` when the call waited `queueTimeout` in the queue without a slot. Nothing was
 * sent.
 *
 * @since 0.2.0
 * @category errors
 */
export class BulkheadRejectedError extends Data.Error<
  CommonFields & {
    /** The bulkhead's name. */
    readonly bulkhead: string
    readonly reason: "QueueFull" | "QueueTimeout"
    readonly maxConcurrent: number
    readonly maxQueue: number
  }
> {
  /** @since 0.2.0 */
  declare readonly _tag: "BulkheadRejectedError"
  /** @since 0.2.0 */
  declare readonly [TypeId]: TypeId
}
member(BulkheadRejectedError, "BulkheadRejectedError")

/**
 * The client's own rate limiter refused the call: a permit would have meant waiting
 * `retryAfter`, longer than its `maxWait` (its rate, or a pause the server asked for with
 * `Retry-After` or `RateLimit-*` headers). Nothing was sent; this is not the server's 429
 * (that is `RateLimitError`).
 *
 * @since 0.2.0
 * @category errors
 */
export class RateLimiterRejectedError extends Data.Error<
  CommonFields & {
    /** The limiter's name. */
    readonly limiter: string
    /** The bucket that refused: the client's, an origin, or your own key. */
    readonly key: string
    readonly retryAfter: Duration.Duration
  }
> {
  /** @since 0.2.0 */
  declare readonly _tag: "RateLimiterRejectedError"
  /** @since 0.2.0 */
  declare readonly [TypeId]: TypeId
}
member(RateLimiterRejectedError, "RateLimiterRejectedError")

/**
 * The members a client's own resilience policies fail with: the call was refused before
 * anything was sent (an open circuit, a full bulkhead, the client-side rate limit).
 *
 * @since 0.2.0
 * @category models
 */
export type RejectedError = CircuitOpenError | BulkheadRejectedError | RateLimiterRejectedError

/**
 * The members that stand for an HTTP status.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusError =
  | BadRequestError
  | AuthenticationError
  | PermissionDeniedError
  | NotFoundError
  | ConflictError
  | UnprocessableEntityError
  | RateLimitError
  | ClientError
  | ServerError
  | UnexpectedStatusError

/**
 * Every failure of a steady client.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiError = StatusError | ConnectionError | TimeoutError | DecodeError | RejectedError

/**
 * The tags of `ApiError`.
 *
 * @since 0.1.0
 * @category models
 */
export type Tag = ApiError["_tag"]

/**
 * @since 0.1.0
 * @category guards
 */
export const isApiError = (u: unknown): u is ApiError => Predicate.hasProperty(u, TypeId)

const statusTags: ReadonlySet<string> = new Set([
  "BadRequestError",
  "AuthenticationError",
  "PermissionDeniedError",
  "NotFoundError",
  "ConflictError",
  "UnprocessableEntityError",
  "RateLimitError",
  "ClientError",
  "ServerError",
  "UnexpectedStatusError"
])

/**
 * @since 0.1.0
 * @category guards
 */
export const isStatusError = (u: unknown): u is StatusError => isApiError(u) && statusTags.has(u._tag)

const rejectedTags: ReadonlySet<string> = new Set([
  "CircuitOpenError",
  "BulkheadRejectedError",
  "RateLimiterRejectedError"
])

/**
 * Whether the call was refused by the client's own policies (breaker, bulkhead, rate
 * limiter) before anything was sent.
 *
 * @since 0.2.0
 * @category guards
 */
export const isRejectedError = (u: unknown): u is RejectedError => isApiError(u) && rejectedTags.has(u._tag)

/**
 * Whether the failure is transient by its kind: a transport error, an attempt timeout, or
 * 408, 429, 500, 502, 503, 504 (a response header `x-should-retry: true|false` overrides the
 * status). It does not look at the method: use `isSafeToRetry` to decide whether to send a
 * request again. `retryOn` adds statuses and connection failures to the defaults, as the
 * option of `Retry.standard` does: pass the same value to get the same answer as the retry
 * stage of a client configured with it.
 *
 * The client's own refusals (`CircuitOpenError`, `BulkheadRejectedError`,
 * `RateLimiterRejectedError`) are not retryable: they exist to shed load, and retrying them
 * inside the same call would defeat that. Their `retryAfter` says when calling again may
 * succeed.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryable = (error: ApiError, retryOn?: Retry.RetryOn): boolean =>
  retryOn === undefined ? classify.isTransient(error) : classify.isTransient(error, classify.rules(retryOn, "retryOn"))

/**
 * Whether `request` may be sent again after `error`, by steady's rules: the failure must be
 * transient (`isRetryable`), and the request idempotent (GET, HEAD, OPTIONS, PUT, DELETE,
 * TRACE, or any method with an `Idempotency-Key` header) unless the error proves it never
 * reached the server (`ConnectionError` with `sent: false`). This is the test to use in a
 * retry of your own; `Retry.fromSchedule` applies it for you. `retryOn` adds to what is
 * transient, as the option of `Retry.standard` does.
 *
 * @example
 * ```ts
 * import { ApiError } from "@steady/client-effect3"
 * import { Effect, Schedule } from "effect"
 * import { HttpClientRequest } from "@effect/platform"
 *
 * declare const send: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<string, ApiError.ApiError>
 *
 * const request = HttpClientRequest.post("/orders")
 * const withRetry = send(request).pipe(
 *   Effect.retry({
 *     schedule: Schedule.exponential("200 millis"),
 *     times: 2,
 *     while: (error) => ApiError.isSafeToRetry(error, request)
 *   })
 * )
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isSafeToRetry = (
  error: ApiError,
  request: { readonly method: string; readonly headers?: Readonly<Record<string, string>> | undefined },
  retryOn?: Retry.RetryOn
): boolean => {
  const headers = request.headers
  let keyed = false
  if (headers !== undefined) {
    for (const name in headers) {
      if (name.toLowerCase() === "idempotency-key") {
        keyed = true
        break
      }
    }
  }
  const rules = retryOn === undefined ? classify.defaultRules : classify.rules(retryOn, "retryOn")
  return classify.classify(error, request.method.toUpperCase(), keyed, rules).retry
}

/**
 * Builds the member for a non-2xx status.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStatus = (fields: ResponseFields): StatusError => {
  const s = fields.status
  switch (s) {
    case 400:
      return new BadRequestError(fields)
    case 401:
      return new AuthenticationError({ ...fields, source: "api" })
    case 403:
      return new PermissionDeniedError(fields)
    case 404:
      return new NotFoundError(fields)
    case 409:
      return new ConflictError(fields)
    case 422:
      return new UnprocessableEntityError(fields)
    case 429:
      return new RateLimitError(fields)
  }
  if (s >= 400 && s <= 499) return new ClientError(fields)
  if (s >= 500 && s <= 599) return new ServerError(fields)
  return new UnexpectedStatusError(fields)
}

/**
 * A copy of `error` with `attempts` set.
 *
 * @since 0.1.0
 * @category constructors
 */
export const withAttempts = <E extends ApiError>(error: E, attempts: number): E => {
  if (error.attempts === attempts) return error
  const Ctor = error.constructor as new(args: object) => E
  return new Ctor({ ...error, attempts })
}

/**
 * Turns the named failures into `Option.none()` and a success into `Option.some(value)`;
 * every other failure stays in the error channel with its type narrowed. A declared error of a
 * client steady-openapi generated matches by the name of steady's member for its status (its
 * `statusTag`): `optional("NotFoundError")` also turns the generated `NotFound` into `None`.
 *
 * @example
 * ```ts
 * import { ApiError } from "@steady/client-effect3"
 * import { Effect, Option } from "effect"
 *
 * declare const getPet: (id: number) => Effect.Effect<{ name: string }, ApiError.ApiError>
 *
 * // Effect<Option<{ name: string }>, Exclude<ApiError, NotFoundError>>
 * const findPet = (id: number) => getPet(id).pipe(ApiError.optional("NotFoundError"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const optional = <const Tags extends ReadonlyArray<Tag>>(...tags: Tags) => {
  const set: ReadonlySet<string> = new Set(tags)
  const matches = (e: unknown): boolean =>
    isApiError(e)
      ? set.has(e._tag)
      : Predicate.hasProperty(e, "statusTag") && typeof e.statusTag === "string" && set.has(e.statusTag)
  return <A, E, R>(
    self: Effect.Effect<A, E, R>
  ): Effect.Effect<
    Option.Option<A>,
    Exclude<E, { readonly _tag: Tags[number] } | { readonly statusTag: Tags[number] }>,
    R
  > => Effect.catchIf(Effect.map(self, Option.some), matches, () => Effect.succeedNone) as any
}

/**
 * How long the server asked to wait, in milliseconds, when it sent a hint.
 *
 * @since 0.1.0
 * @category getters
 */
export const retryAfterMillis = (error: ApiError): Option.Option<number> => {
  if (!("retryAfter" in error)) return Option.none()
  const hint = error.retryAfter
  return Duration.isDuration(hint) ? Option.some(Duration.toMillis(hint)) : Option.map(hint, Duration.toMillis)
}
