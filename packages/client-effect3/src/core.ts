/**
 * steady's core: everything but the Node connection pool, with no import of `node:*`,
 * undici or `@effect/platform-node`, for browsers, Deno, Bun and edge workers (on
 * `FetchHttpClient`). Bundlers resolve `@steady/client-effect3` here under the `browser` and `worker`
 * conditions; `@steady/client-effect3/core` names it anywhere. See docs/runtimes.md.
 *
 * @since 0.2.0
 */

/**
 * The client of one API: base URL, default headers, timeouts, safe retries, typed errors.
 *
 * @since 0.1.0
 */
export * as ApiClient from "./ApiClient.js"

/**
 * The one error union of a steady client.
 *
 * @since 0.1.0
 */
export * as ApiError from "./ApiError.js"

/**
 * A bulkhead: at most N calls in flight, a bounded queue, typed refusals.
 *
 * @since 0.2.0
 */
export * as Bulkhead from "./Bulkhead.js"

/**
 * A circuit breaker that stops calling a failing upstream and probes it back.
 *
 * @since 0.2.0
 */
export * as CircuitBreaker from "./CircuitBreaker.js"

/**
 * An HTTP cache (RFC 9111) as a policy: stale-if-error, stale-while-revalidate, coalescing.
 *
 * @since 0.3.0
 */
export * as HttpCache from "./HttpCache.js"

/**
 * Hedging: a second copy of a slow idempotent attempt; the first success wins.
 *
 * @since 0.2.0
 */
export * as Hedging from "./Hedging.js"

/**
 * Credentials as layers: bearer, API key, basic, OAuth2 client credentials.
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"

/**
 * Policies: the steps of a call as values (per call, per attempt), and how to write your own.
 *
 * @since 0.2.0
 */
export * as Policy from "./Policy.js"

/**
 * A client-side rate limiter that learns from the server's 429s and quota headers.
 *
 * @since 0.2.0
 */
export * as RateLimiter from "./RateLimiter.js"

/**
 * The standard resilience preset, in the trusted order.
 *
 * @since 0.2.0
 */
export * as Resilience from "./Resilience.js"

/**
 * Retry policies: `Retry.standard`, `Retry.fromSchedule`, `Retry.none`.
 *
 * @since 0.2.0
 */
export * as Retry from "./Retry.js"

/**
 * The retry budget, shareable between clients.
 *
 * @since 0.2.0
 */
export * as RetryBudget from "./RetryBudget.js"

/**
 * The transport: the pool's fast path or any `HttpClient`.
 *
 * @since 0.2.0
 */
export * as Transport from "./Transport.js"

/**
 * Pagination: a listing endpoint as a lazy stream (`paginate`, `pages`), and the strategies
 * that find its next page: the `Link` header, a cursor, page and offset numbers.
 *
 * @since 0.2.0
 */
export * as Pagination from "./Pagination.js"

/**
 * Reading a response body whole: `Body.json(schema)`.
 *
 * @since 0.3.0
 */
export * as Body from "./Body.js"

/**
 * Response bodies read as they arrive: bytes, NDJSON, Server-Sent Events.
 *
 * @since 0.3.0
 */
export * as Streaming from "./Streaming.js"

/**
 * An `HttpApi` definition's typed client, every call through steady.
 *
 * @since 0.3.0
 */
export * as TypedApi from "./TypedApi.js"

/**
 * OpenAPI's parameter styles (`simple`, `form`, `deepObject`, …), as generated clients write
 * their parameters and form bodies: `@steady/core`'s `ParamStyle`.
 *
 * @since 0.3.0
 */
export * as ParamStyle from "@steady/core/ParamStyle"
