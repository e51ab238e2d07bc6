/**
 * A client-side rate limiter: keeps a client inside an API's quota instead of finding the
 * quota with 429s.
 *
 * A limiter is a per-call `Policy`: a call takes one permit before its first attempt (the
 * limiter is outermost in `Resilience.standard`). Permits flow at `limit` per `interval`,
 * with bursts of up to `burst` (GCRA, a token bucket kept as one timestamp per key). A call
 * that would wait longer than `maxWait` fails at once with `RateLimiterRejectedError` (the
 * client's own limit, not the server's `RateLimitError`), carrying `retryAfter`; a shorter
 * wait is slept on Effect's `Clock`.
 *
 * It learns from every attempt's answer: a 429 with `Retry-After`, or a quota the server
 * says is exhausted (`RateLimit-Remaining: 0` with `RateLimit-Reset`, the structured
 * `RateLimit: remaining=0, reset=…`, GitHub's `X-RateLimit-Remaining` /
 * `X-RateLimit-Reset`), pauses the key for every caller, not only the one that was told; a
 * pause longer than `maxPause` (default 60 seconds) is not taken.
 *
 * State is kept per client by default (`key: "client"`), per origin, or per any key, in a
 * `Store`: in memory by default; a shared store (Redis) plugs in without changing the
 * policy. A store that fails lets calls through, logs a warning at most once a minute and
 * counts `steady_rate_limiter_store_failures_total`: the limiter never fails a call on its
 * own account.
 *
 * @example
 * ```ts
 * import { ApiClient, RateLimiter } from "@steady/client-effect3"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   // 10 requests a second, bursts of 20; wait up to 2 seconds for a permit
 *   const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second", burst: 20, maxWait: "2 seconds" })
 *   const client = yield* ApiClient.make({ baseUrl: "https://api.example", policies: [limiter] })
 *   return yield* client.get("/pets").pipe(
 *     Effect.catchTag("RateLimiterRejectedError", (e) => Effect.succeed(`over our quota, try in ${e.retryAfter}`))
 *   )
 * })
 * ```
 *
 * @since 0.2.0
 */
import type * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/rateLimiter.js"
import type * as Policy from "./Policy.js"

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
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Shown in logs, errors and metric labels. Default: `limiter-<n>`. */
  readonly name?: string | undefined
  /** `"client"` (default), `"origin"`, or a function of the request: which bucket a call uses. */
  readonly key?: "client" | "origin" | ((request: Policy.Request) => string) | undefined
  /** Permits per `interval` (a number > 0). Required. */
  readonly limit: number
  /** Required, positive. */
  readonly interval: Duration.DurationInput
  /** Permits that may be taken at once after a quiet spell (whole, ≥ 1). Default: `limit`. */
  readonly burst?: number | undefined
  /** The longest a call waits for a permit; `0` fails at once. Default: 5 seconds. */
  readonly maxWait?: Duration.DurationInput | undefined
  /** Where the state lives. Default: `memoryStore()`, one per limiter. */
  readonly store?: Store | undefined
  /** Pause on a 429's `Retry-After` and on an exhausted `RateLimit-*` quota. Default: true. */
  readonly learn?: boolean | undefined
  /**
   * The longest pause the server may impose on every caller of a key. A 429's `Retry-After`
   * or a quota reset further away than this is not taken: the call that got the 429 fails with
   * the server's `RateLimitError` (its `retryAfter` says the server's value), and later calls go
   * on at the limiter's own rate, so that one response (a hostile or broken server, a proxy's
   * stray header) cannot stop every caller, and with a shared store every process, for hours.
   * Raise it for APIs whose quota windows are long (GitHub's reset is up to an hour away);
   * `0` takes no pause. Default: 60 seconds (the retry loop's default `maxRetryAfter`).
   */
  readonly maxPause?: Duration.DurationInput | undefined
}

/**
 * The options with their defaults applied.
 *
 * @since 0.2.0
 * @category models
 */
export interface Settings {
  readonly name: string
  readonly key: "client" | "origin" | ((request: Policy.Request) => string)
  readonly limit: number
  readonly interval: Duration.Duration
  readonly burst: number
  readonly maxWait: Duration.Duration
  readonly store: Store
  readonly learn: boolean
  readonly maxPause: Duration.Duration
}

/**
 * A rate as a store sees it: one permit every `emissionMillis`, bursts of `burst`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Rate {
  readonly emissionMillis: number
  readonly burst: number
}

/**
 * A store's answer: whether a permit was taken, and the wait before it may be used (for a
 * refusal, the wait that would have been needed).
 *
 * @since 0.2.0
 * @category models
 */
export interface Permit {
  readonly granted: boolean
  readonly waitMillis: number
}

/**
 * A store failed (in future, a Redis that is down). The limiter lets the call through.
 *
 * @since 0.2.0
 * @category errors
 */
export class StoreError extends Data.TaggedError("RateLimiterStoreError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * Where a limiter keeps its state, one entry per key. `now` and `until` are epoch
 * milliseconds on the caller's `Clock`. A store must make `take` atomic per key.
 *
 * @since 0.2.0
 * @category models
 */
export interface Store {
  /** Takes a permit for `key` unless the wait would exceed `maxWaitMillis` (then takes nothing). */
  readonly take: (key: string, rate: Rate, now: number, maxWaitMillis: number) => Effect.Effect<Permit, StoreError>
  /** Holds every caller of `key` until `until`; permits resume at the configured rate. */
  readonly pause: (key: string, rate: Rate, until: number) => Effect.Effect<void, StoreError>
  /**
   * `take`, answered at once, for a store whose state is in this process and that cannot
   * fail (`memoryStore` offers it). When a store has it, the limiter calls it instead of
   * `take`, so a call that gets its permit allocates no `Effect`. It must answer as `take`
   * would. Optional; default: absent (the limiter uses `take`).
   *
   * @since 0.3.0
   */
  readonly takeNow?: ((key: string, rate: Rate, now: number, maxWaitMillis: number) => Permit) | undefined
}

/**
 * A client-side rate limiter. It is a per-call `Policy` that also watches every attempt.
 *
 * @since 0.2.0
 * @category models
 */
export interface RateLimiter extends Policy.Policy {
  readonly [TypeId]: TypeId
  readonly stage: "call"
  readonly options: Settings
  readonly rate: Rate
}

/**
 * The limiter that `layer` provides, for clients to share.
 *
 * @since 0.2.0
 * @category tags
 */
export const RateLimiter: Context.Tag<RateLimiter, RateLimiter> = internal.tag

/**
 * An in-memory store (one process).
 *
 * @since 0.2.0
 * @category constructors
 */
export const memoryStore = (): Store => internal.memoryStore()

/**
 * Makes a limiter. Options out of range are defects whose message names the option.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<RateLimiter> => Effect.sync(() => internal.unsafeMake(options))

/**
 * Makes a limiter outside of Effect (throws on bad options).
 *
 * @since 0.2.0
 * @category constructors
 */
export const unsafeMake = (options: Options): RateLimiter => internal.unsafeMake(options)

/**
 * Provides one limiter under the `RateLimiter` tag.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<RateLimiter> =>
  Layer.sync(internal.tag, () => internal.unsafeMake(options))

/**
 * @since 0.2.0
 * @category guards
 */
export const isRateLimiter = (u: unknown): u is RateLimiter => internal.isRateLimiter(u)
