/**
 * Policies: the steps a call goes through, as values you can see, swap and extend.
 *
 * A call flows one way:
 *
 * ```text
 * prepare (URL, origin lock, headers, idempotency key)
 *   → per-call policies (yours, in list order)
 *   → total deadline
 *   → retry (Retry.standard, Retry.fromSchedule, Retry.none; the retry budget)
 *   → per-attempt: attempt timeout → redirects → auth (one 401 replay)
 *                  → per-attempt policies (yours, in list order; they see the final request)
 *                  → status classification
 *   → transport (undici pool, or any HttpClient)
 * ```
 *
 * A policy wraps the handler below it: it receives the request, may change it, calls `next`
 * (once, several times or not at all) and sees the outcome: a 2xx `Response` or an
 * `ApiError`. Status classification sits just above the transport, so every policy sees
 * non-2xx answers as typed errors (`NotFoundError`, `ServerError`, …).
 *
 * @since 0.2.0
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as LogLevel from "effect/LogLevel"
import type * as Stream from "effect/Stream"
import type * as ApiError from "./ApiError.js"
import * as internal from "./internal/policy.js"
import type * as Retry from "./Retry.js"
import type * as RetryBudget from "./RetryBudget.js"

/**
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Where a policy runs: `"call"` wraps the whole call, every attempt and every delay between
 * them; `"attempt"` wraps each attempt and sees the request exactly as it will be sent
 * (credentials applied), which is what request signing needs.
 *
 * @since 0.2.0
 * @category models
 */
export type Stage = "call" | "attempt"

/**
 * The limit the transport enforces for one attempt: an instant on the call's `clock`, and
 * which limit it stands for (the attempt timeout, or the total deadline when that comes
 * first).
 *
 * @since 0.2.0
 * @category models
 */
export interface Timeout {
  /** The instant (epoch milliseconds on `Request.clock`) at which the attempt is abandoned. */
  readonly deadline: number
  readonly scope: "attempt" | "total"
  /** The configured limit this deadline comes from, for the `TimeoutError`. */
  readonly limit: Duration.Duration
}

/**
 * The settings of one call: the client's options, with any per-call override applied.
 *
 * @since 0.2.0
 * @category models
 */
export interface Settings {
  readonly attemptTimeout: Duration.Duration
  readonly totalTimeout: Duration.Duration
  readonly retry: Retry.Retry
  readonly maxResponseBytes: number
  /** The level of the client's retry and failure log lines (`None`: off). */
  readonly logLevel: LogLevel.LogLevel
  /** Whether compressed bodies are asked for and decompressed (the pool's transport). */
  readonly compression: boolean
  /** The longest wait for the next chunk of a streamed body (`Duration.infinity`: none). */
  readonly idleTimeout: Duration.Duration
  /**
   * How many redirects the redirect stage follows within one attempt (absent: `0`, none).
   *
   * @since 0.3.0
   */
  readonly followRedirects?: number | undefined
}

/**
 * Set on a request whose caller reads the body as it arrives (`ApiClient.stream`, `sse`,
 * `ndjson`): a transport then hands a 2xx body over unread, as `Response.stream`, and
 * registers how to abandon it. A transport that does not stream returns the body read, which
 * the caller gets as one chunk.
 *
 * @since 0.2.0
 * @category models
 */
export interface Streaming {
  /**
   * Called by the transport for each body it hands over unread: `release` aborts the request
   * (closing its connection) if the body has not ended. The caller's stream releases every
   * body when it ends, also one a policy dropped (a hedge that lost).
   */
  readonly opened: (release: () => void) => void
}

/**
 * A request as the pipeline carries it. The URL is absolute and final; header names are
 * lower case. Derive a changed request with `setHeaders` or a spread (`{ ...request, url }`),
 * so the fields the pipeline adds travel with it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Request {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: HttpBody.HttpBody
  /** The request as the caller built it. */
  readonly source: HttpClientRequest.HttpClientRequest
  /** 0 in the per-call stage; 1, 2, … in the per-attempt stage. */
  readonly attempt: number
  /** Redirects followed so far in this attempt. */
  readonly hop: number
  /** Whether credentials may be added (false once a redirect has left the origin). */
  readonly credentials: boolean
  /** The total deadline of the call (epoch milliseconds on `clock`). */
  readonly deadline: number
  /** The attempt's limit, set by the retry stage and the attempt timeout. */
  readonly timeout: Timeout
  /** The clock every deadline is measured on (Effect's `Clock`: `TestClock` in tests). */
  readonly clock: Clock.Clock
  readonly settings: Settings
  /** Query parameter names whose values are hidden wherever the URL is shown. */
  readonly redactQuery: ReadonlySet<string> | undefined
  /**
   * Credential values hidden wherever this request is shown, when its URL came from a
   * response (a redirect's `Location`, a next-page link) that may echo them: those of the
   * request that got the response. Optional; redaction by value of the request's own
   * credentials in errors needs nothing here.
   *
   * @since 0.3.0
   */
  readonly redactValues?: ReadonlyArray<string> | undefined
  /** Set when the caller streams the response body (see `Streaming`). */
  readonly streaming?: Streaming | undefined
}

/**
 * A response with its body read (bounded by `maxResponseBytes`) inside the attempt, or, for a
 * `streaming` request answered with a 2xx, handed over unread as `stream` (`body` is then
 * empty).
 *
 * @since 0.2.0
 * @category models
 */
export interface Response {
  readonly status: number
  /** Lower-case names; a repeated header is an array. */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Uint8Array
  /** How many attempts the call took, once the retry stage has returned it. */
  readonly attempts?: number | undefined
  /**
   * The request exactly as the transport sent it (credentials applied), when the transport
   * says: a decode error on this body masks any credential the body echoes.
   */
  readonly request?: Request | undefined
  /**
   * The body as it arrives, read once, when the request was `streaming` and the status is a
   * 2xx; it fails with a `ConnectionError` (the connection broke) or a `DecodeError` (it does
   * not decompress).
   */
  readonly stream?: Stream.Stream<Uint8Array, ApiError.ApiError> | undefined
  /**
   * Set on a non-2xx response whose body did not decode (a broken or unknown content
   * coding): the coding; `body` holds only what could be decoded. Its status still speaks.
   *
   * @since 0.3.0
   */
  readonly undecoded?: string | undefined
}

/**
 * What a stage does with a request.
 *
 * @since 0.2.0
 * @category models
 */
export type Handler = (request: Request) => Effect.Effect<Response, ApiError.ApiError>

/**
 * What a policy learns about the client it is installed on, once, when the client is made.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClientInfo {
  readonly baseUrl: URL | undefined
  /** The client's retry budget, for policies that send extra requests (hedging). */
  readonly retryBudget?: RetryBudget.RetryBudget | undefined
  /**
   * Whether the client adds credentials from an `Auth` service to its requests (after the
   * per-call policies: they do not see them). A cache keeps such answers apart.
   *
   * @since 0.3.0
   */
  readonly authenticated?: boolean | undefined
}

/**
 * A step of the pipeline.
 *
 * @since 0.2.0
 * @category models
 */
export interface Policy {
  readonly [TypeId]: TypeId
  /** A short name, listed by `ApiClient.stages` and in docs. */
  readonly name: string
  readonly stage: Stage
  /** Called once per client: returns the handler that runs this policy in front of `next`. */
  readonly wrap: (next: Handler, client: ClientInfo) => Handler
  /**
   * A `"call"` policy may also wrap every attempt of the call: just inside the retry stage,
   * outside the attempt timeout (so a wait here does not eat into the attempt's time). A
   * rate limiter learns from each response, and takes a permit for each retry, this way.
   * `client` is the same object `wrap` got, so the two can share per-client state.
   */
  readonly eachAttempt?: ((next: Handler, client: ClientInfo) => Handler) | undefined
}

/**
 * Makes a policy.
 *
 * @example
 * ```ts
 * import { ApiClient, Policy } from "@steady/client-effect3"
 * import { Effect } from "effect"
 *
 * // Adds a header with the attempt number to every attempt.
 * const attemptHeader = Policy.make({
 *   name: "attempt-header",
 *   stage: "attempt",
 *   wrap: (next) => (request) => next(Policy.setHeaders(request, { "x-attempt": String(request.attempt) }))
 * })
 *
 * const client = ApiClient.make({ baseUrl: "https://api.example", policies: [attemptHeader] })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: {
  readonly name: string
  readonly stage: Stage
  readonly wrap: (next: Handler, client: ClientInfo) => Handler
  readonly eachAttempt?: ((next: Handler, client: ClientInfo) => Handler) | undefined
}): Policy => internal.make(options)

/**
 * @since 0.2.0
 * @category guards
 */
export const isPolicy = (u: unknown): u is Policy => internal.isPolicy(u)

/**
 * A copy of the request with headers set (names are lower-cased; a value replaces the one
 * that was there).
 *
 * @since 0.2.0
 * @category combinators
 */
export const setHeaders = (request: Request, headers: Readonly<Record<string, string>>): Request =>
  internal.setHeaders(request, headers)

/**
 * The method and URL of a request as errors and logs show them: user info and sensitive
 * query values redacted.
 *
 * @since 0.2.0
 * @category getters
 */
export const requestInfo = (request: Request): ApiError.RequestInfo => internal.requestInfo(request)
