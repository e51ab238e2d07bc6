/**
 * Retry policies. A client retries through exactly one of them:
 *
 * - `Retry.standard(options)`: the default. Full jitter over a capped exponential backoff,
 *   `U(0, min(cap, base·2ⁿ))` (`Schedule.exponential` stepped by the client), on a fused loop
 *   that costs nothing when the first attempt succeeds.
 * - `Retry.fromSchedule(schedule)`: any `Schedule<unknown, ApiError>` of yours, run with
 *   `Effect.retry`.
 * - `Retry.none`: one attempt.
 *
 * Whatever the policy, steady's safety rules hold around it: only transient failures are
 * retried (transport errors, attempt timeouts, 408/429/500/502/503/504, `x-should-retry`); a
 * POST or PATCH that may have reached the server is never replayed without an
 * `Idempotency-Key`; a `Retry-After` (or `retry-after-ms`) hint replaces the delay, and one
 * above `maxRetryAfter` fails at once; no retry starts whose delay would pass the total
 * deadline; and every retry is paid from the retry budget.
 *
 * @since 0.2.0
 */
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import type * as ApiError from "./ApiError.js"
import * as internal from "./internal/retry.js"
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
 * Which budget pays for retries: `false` for none, options for a budget of the client's own,
 * or a `RetryBudget` to share. Default: the `RetryBudget` in context, else one of the
 * client's own with the default options.
 *
 * @since 0.2.0
 * @category models
 */
export type BudgetOption = false | RetryBudget.Options | RetryBudget.RetryBudget

/**
 * Options of `Retry.standard` (and of the `retry: { … }` shorthand on `ApiClient.make`).
 *
 * @since 0.2.0
 * @category models
 */
export interface StandardOptions {
  /** How many retries after the first attempt. Default `2` (3 attempts). `0` turns retries off. Env: `<PREFIX>_MAX_RETRIES`. */
  readonly times?: number | undefined
  /** The first backoff ceiling; doubles each retry. Default `500 millis`. */
  readonly base?: Duration.Input | undefined
  /** The largest backoff ceiling. Default `8 seconds`. */
  readonly cap?: Duration.Input | undefined
  /**
   * The longest server hint (`Retry-After`, `retry-after-ms`) the client waits for. A longer
   * hint fails at once with the error carrying `retryAfter`. Default `60 seconds`.
   */
  readonly maxRetryAfter?: Duration.Input | undefined
  /** The retry budget (see `BudgetOption`). Per client: ignored in per-call options. */
  readonly budget?: BudgetOption | undefined
}

/**
 * Options of `Retry.fromSchedule`.
 *
 * @since 0.2.0
 * @category models
 */
export interface ScheduleOptions {
  /** As in `StandardOptions`. Default `60 seconds`. */
  readonly maxRetryAfter?: Duration.Input | undefined
  /** As in `StandardOptions`. */
  readonly budget?: BudgetOption | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Standard {
  readonly [TypeId]: TypeId
  readonly _tag: "Standard"
  readonly times: number
  readonly base: Duration.Duration
  readonly cap: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
  readonly budget: BudgetOption | undefined
  /** `base` and `cap` in milliseconds, resolved once. */
  readonly baseMillis: number
  readonly capMillis: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface FromSchedule {
  readonly [TypeId]: TypeId
  readonly _tag: "FromSchedule"
  readonly schedule: Schedule.Schedule<unknown, ApiError.ApiError>
  readonly maxRetryAfter: Duration.Duration
  readonly budget: BudgetOption | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface None {
  readonly [TypeId]: TypeId
  readonly _tag: "None"
}

/**
 * A retry policy.
 *
 * @since 0.2.0
 * @category models
 */
export type Retry = Standard | FromSchedule | None

/**
 * The standard policy: today's defaults (2 retries, base 500 ms, cap 8 s, `Retry-After` up to
 * 60 s). Invalid options are defects that name the option.
 *
 * @example
 * ```ts
 * import { ApiClient, Retry } from "@steady/client"
 *
 * const client = ApiClient.make({
 *   baseUrl: "https://api.example",
 *   retry: Retry.standard({ times: 4, base: "200 millis", cap: "5 seconds" })
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const standard = (options: StandardOptions = {}): Standard => internal.standard(options)

/**
 * Retries on your own schedule, fed with each `ApiError`, through `Effect.retry`. The safety
 * rules still hold around it (see the module's description); the schedule decides only how
 * long to wait and when to stop. Its delays run on Effect's `Clock`, so `TestClock` drives them.
 *
 * @example
 * ```ts
 * import { ApiClient, Retry } from "@steady/client"
 * import { Schedule } from "effect"
 *
 * const client = ApiClient.make({
 *   baseUrl: "https://api.example",
 *   retry: Retry.fromSchedule(
 *     Schedule.exponential("100 millis").pipe(Schedule.jittered, Schedule.upTo({ times: 5 }))
 *   )
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromSchedule = <Out>(
  schedule: Schedule.Schedule<Out, ApiError.ApiError>,
  options: ScheduleOptions = {}
): FromSchedule => internal.fromSchedule(schedule, options)

/**
 * The schedule `Retry.standard` runs as a fused loop: `Schedule.exponential(base)`, each delay
 * drawn uniformly from `[0, min(cap, delay))` in whole milliseconds (full jitter), at most
 * `times` retries. Under the same seeded `Random`, `Retry.fromSchedule(standardSchedule(o))`
 * waits exactly as `Retry.standard(o)`; start from it to build a schedule of your own.
 *
 * @example
 * ```ts
 * import { Retry } from "@steady/client"
 * import { Schedule } from "effect"
 *
 * // the standard backoff with 4 retries, none of them starting a minute after the first
 * const policy = Retry.fromSchedule(
 *   Retry.standardSchedule({ times: 4 }).pipe(Schedule.upTo({ duration: "1 minute" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const standardSchedule = (options: StandardOptions = {}): Schedule.Schedule<unknown, ApiError.ApiError> =>
  internal.standardSchedule(options)

/**
 * No retries: one attempt.
 *
 * @since 0.2.0
 * @category constructors
 */
export const none: None = internal.none

/**
 * @since 0.2.0
 * @category guards
 */
export const isRetry = (u: unknown): u is Retry => internal.isRetry(u)

/**
 * The defaults of `Retry.standard`.
 *
 * @since 0.2.0
 * @category models
 */
export const defaults: {
  readonly times: number
  readonly base: Duration.Duration
  readonly cap: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
} = internal.defaults
