/**
 * An HTTP cache as a resilience policy: a private client cache that follows RFC 9111 (with
 * RFC 5861's `stale-while-revalidate` and `stale-if-error`), serves the last good answer
 * when the upstream fails or the client's own policies refuse, and lets identical requests
 * in flight share one answer.
 *
 * It is a per-call `Policy`: put it **first** in `policies` (`Resilience.standard({ cache })`
 * does), outside the rate limiter, the bulkhead, the retry stage and the circuit breaker, so
 * it sees their refusals (`RateLimiterRejectedError`, `BulkheadRejectedError`, a spent retry
 * budget's last error, `CircuitOpenError`) and can answer them with a stale entry. A hit
 * takes no permit, no slot and no breaker attempt.
 *
 * - **Stored:** answers to GET and HEAD with 200, 203 or 204 that RFC 9111 §3 lets a
 *   private cache store, bodies up to `maxEntryBytes`. Errors are never stored. A request
 *   the caller made conditional (`If-None-Match`, `Range`, …) or streams passes by.
 * - **Served:** fresh entries (`max-age`, `Expires`, heuristic freshness where §4.2.2 allows
 *   it), matched on `Vary` (`Vary: *` never matches); stale ones are revalidated with
 *   `If-None-Match` / `If-Modified-Since`, and a 304 refreshes the entry.
 * - **Credentials:** a request carrying credentials (`Authorization`, `Cookie`, or an `Auth`
 *   layer on the client) is stored only when the answer says `public`, `s-maxage` or
 *   `must-revalidate`, or with `storeAuthenticated: true`; such entries are keyed by the
 *   credentials (and by client, for an `Auth` layer), never shared between them.
 * - **Unsafe methods** (POST, PUT, PATCH, DELETE, …) answered with 2xx invalidate the URL, and
 *   the `Location` / `Content-Location` on the same origin.
 * - **Stale:** within `stale-while-revalidate` (the answer's, else the `staleWhileRevalidate`
 *   option) an entry is served and refreshed in the background, once at a time per entry;
 *   within `stale-if-error` (else `staleIfError`) it stands in for a `ServerError`,
 *   `TimeoutError`, transient `ConnectionError`, `RateLimitError` or one of the client's own
 *   refusals. `must-revalidate` forbids both.
 *
 * Every response that passes the cache says what it did in the `steady-cache` header:
 * `hit`, `miss`, `revalidated`, `stale; reason=stale-while-revalidate`, or
 * `stale; reason=stale-if-error; error=<tag>`; a response from the cache carries `age` (whole
 * seconds). Lookups are counted in `steady_http_cache_lookups_total` (labels `cache`,
 * `result`: hit, miss, revalidated, stale) and written as span events
 * (`steady.http_cache.hit`, …); calls that joined a request in flight in
 * `steady_http_cache_coalesced_total`; store failures in
 * `steady_http_cache_store_failures_total`. A store that fails is a miss, never a failed
 * call: the first failure is logged as a warning.
 *
 * @example
 * ```ts
 * import { ApiClient, HttpCache, Resilience } from "@steady/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const policies = yield* Resilience.standard({
 *     cache: { staleIfError: "1 hour", staleWhileRevalidate: "30 seconds" },
 *     circuitBreaker: { consecutiveFailures: 5 }
 *   })
 *   const client = yield* ApiClient.make({ baseUrl: "https://api.example", policies })
 *   const response = yield* client.get("/pets")
 *   return response.headers[HttpCache.header] // "miss", then "hit", …
 * })
 * ```
 *
 * @since 0.3.0
 */
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as internal from "./internal/httpCache.js"
import type * as Policy from "./Policy.js"

/**
 * @since 0.3.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.3.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The header that says what the cache did with a response (`hit`, `miss`, `revalidated`,
 * `stale; reason=…`).
 *
 * @since 0.3.0
 * @category constants
 */
export const header = "steady-cache" as const

/**
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /** Shown in logs and metric labels. Default: `cache-<n>`. */
  readonly name?: string | undefined
  /** Where entries live. Default: `memoryStore({ maxEntries, maxBytes })`. */
  readonly store?: Store | undefined
  /** Entries of the default memory store (a whole number ≥ 1). Default: 1000. */
  readonly maxEntries?: number | undefined
  /** Bytes (bodies, headers, keys) of the default memory store (≥ 1). Default: 64 MiB. */
  readonly maxBytes?: number | undefined
  /** A response whose body is longer is not stored (≥ 1). Default: 1 MiB. */
  readonly maxEntryBytes?: number | undefined
  /**
   * How long past its freshness an entry may stand in for a failure, when the response has
   * no `stale-if-error` of its own. Default: 0 (only the response's directive).
   */
  readonly staleIfError?: Duration.Input | undefined
  /**
   * How long past its freshness an entry is served while it is refreshed in the background,
   * when the response has no `stale-while-revalidate` of its own. Default: 0 (only the
   * response's directive).
   */
  readonly staleWhileRevalidate?: Duration.Input | undefined
  /** How long an entry with a validator is kept past its allowances, for a 304 to refresh. Default: 24 hours. */
  readonly validatorRetention?: Duration.Input | undefined
  /**
   * Store answers to requests that carry credentials even when they do not say `public`
   * (RFC 9111 §3.5). Such entries stay keyed by the credentials. Default: false.
   */
  readonly storeAuthenticated?: boolean | undefined
  /** Identical GET/HEAD requests in flight share one request. Default: true. */
  readonly coalesce?: boolean | undefined
  /** Requests coalesced, and entries refreshed in the background, at most at once (≥ 1). Default: 1024. */
  readonly maxInFlight?: number | undefined
}

/**
 * The options with their defaults applied.
 *
 * @since 0.3.0
 * @category models
 */
export interface Settings {
  readonly name: string
  readonly store: Store
  readonly maxEntryBytes: number
  readonly staleIfError: Duration.Duration
  readonly staleWhileRevalidate: Duration.Duration
  readonly validatorRetention: Duration.Duration
  readonly storeAuthenticated: boolean
  readonly coalesce: boolean
  readonly maxInFlight: number
}

/**
 * A stored response: the answer with its body, when it was asked for and received (epoch ms
 * on the client's clock), and the request's values of the fields its `Vary` names (`null`:
 * absent).
 *
 * @since 0.3.0
 * @category models
 */
export interface Entry {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Uint8Array
  readonly requestTime: number
  readonly responseTime: number
  readonly vary: Readonly<Record<string, string | null>>
}

/**
 * A store failed. The cache never fails a call with it: the call goes to the origin.
 *
 * @since 0.3.0
 * @category errors
 */
export class StoreError extends internal.StoreError {}

/**
 * Where a cache keeps its entries. Keys hold the method, the URL and the credentials a
 * request carries: a store that keeps them outside the process should hash them. `ttl` is
 * how long the entry is worth keeping (its freshness plus the stale allowances, longer with
 * a validator).
 *
 * @since 0.3.0
 * @category models
 */
export interface Store {
  readonly get: (key: string) => Effect.Effect<Entry | undefined, StoreError>
  readonly set: (key: string, entry: Entry, ttl: Duration.Duration) => Effect.Effect<void, StoreError>
  readonly delete: (key: string) => Effect.Effect<void, StoreError>
}

/**
 * @since 0.3.0
 * @category models
 */
export interface MemoryStoreOptions {
  /** At most this many entries (a whole number ≥ 1); the least recently used go first. Default: 1000. */
  readonly maxEntries?: number | undefined
  /** At most this many bytes of bodies, headers and keys (≥ 1). Default: 64 MiB. */
  readonly maxBytes?: number | undefined
}

/**
 * An HTTP cache. It is a per-call `Policy`.
 *
 * @since 0.3.0
 * @category models
 */
export interface HttpCache extends Policy.Policy {
  readonly [TypeId]: TypeId
  readonly stage: "call"
  readonly options: Settings
  readonly store: Store
}

/**
 * The cache that `layer` provides, for clients to share.
 *
 * @since 0.3.0
 * @category tags
 */
export const HttpCache: Context.Service<HttpCache, HttpCache> = internal.tag

/**
 * An in-memory store, least recently used first out, bounded by entries and bytes; each
 * entry is dropped at its TTL.
 *
 * @since 0.3.0
 * @category constructors
 */
export const memoryStore = (options: MemoryStoreOptions = {}): Store => internal.memoryStore(options)

/**
 * Makes a cache. Options out of range are defects whose message names the option.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpCache> => Effect.sync(() => internal.unsafeMake(options))

/**
 * Makes a cache outside of Effect (throws on bad options).
 *
 * @since 0.3.0
 * @category constructors
 */
export const unsafeMake = (options: Options = {}): HttpCache => internal.unsafeMake(options)

/**
 * Provides one cache under the `HttpCache` tag.
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpCache> =>
  Layer.sync(internal.tag, () => internal.unsafeMake(options))

/**
 * @since 0.3.0
 * @category guards
 */
export const isHttpCache = (u: unknown): u is HttpCache => internal.isHttpCache(u)

/**
 * The cache metrics (process-wide, labelled `cache`): lookups by `result`, calls that joined
 * a request in flight, store failures by `operation`.
 *
 * @since 0.3.0
 * @category metrics
 */
export const metrics: {
  readonly lookups: Metric.Counter<number>
  readonly coalesced: Metric.Counter<number>
  readonly storeFailures: Metric.Counter<number>
} = {
  lookups: internal.lookupsTotal,
  coalesced: internal.coalescedTotal,
  storeFailures: internal.storeFailuresTotal
}
