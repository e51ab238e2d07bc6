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
 * retried (transport errors, attempt timeouts, 408/429/500/502/503/504, `x-should-retry`, and
 * what you add with `retryOn`); a POST or PATCH that may have reached the server is never
 * replayed without an `Idempotency-Key`; a `Retry-After` (or `retry-after-ms`) hint replaces
 * the delay, and one above `maxRetryAfter` fails at once; no retry starts whose delay would
 * pass the total deadline; and every retry is paid from the retry budget.
 *
 * @since 0.2.0
 */
import type * as Classification from "@steady/core/Classification"
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
 * What a policy retries besides steady's defaults: the defaults are the statuses 408, 429,
 * 500, 502, 503, 504 and the connection failures `Refused`, `Dns`, `ConnectTimeout`, `Reset`,
 * `Transport`, `Proxy` (plus attempt timeouts, and `x-should-retry` from the server); these
 * are added to the defaults, never in place of them. The other safety rules still hold: a
 * POST that may have reached the server is not replayed without an `Idempotency-Key`.
 *
 * Only the retry stage reads it. `ApiError.isRetryable` and `ApiError.isSafeToRetry` take the
 * same value as their last argument; the circuit breaker keeps its own default test (5xx,
 * timeouts, the default connection failures): a status you retry is not one the breaker
 * counts unless its `isFailure` says so.
 *
 * @example
 * ```ts
 * import { Retry } from "@steady/client"
 *
 * // 425 Too Early is retried too
 * const retry = Retry.standard({ retryOn: { statuses: [425] } })
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface RetryOn {
  /** Statuses retried besides 408, 429, 500, 502, 503, 504. Default: none. */
  readonly statuses?: ReadonlyArray<number> | undefined
  /**
   * Connection failures (`ConnectionError.reason`) retried besides `Refused`, `Dns`,
   * `ConnectTimeout`, `Reset`, `Transport`, `Proxy` (`Tls` is not: add it here). Default: none.
   */
  readonly reasons?: ReadonlyArray<ApiError.ConnectionReason | (string & {})> | undefined
}

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
  /**
   * Statuses and connection failures retried besides the defaults (see `RetryOn`). Default:
   * none (408, 429, 500, 502, 503, 504; Refused, Dns, ConnectTimeout, Reset, Transport, Proxy).
   */
  readonly retryOn?: RetryOn | undefined
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
  /** As in `StandardOptions`: what is retried besides the defaults, whatever the schedule says. */
  readonly retryOn?: RetryOn | undefined
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
  /** What is transient for this policy: the defaults, plus `retryOn`. */
  readonly retryOn: Classification.Rules
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
  /** What is transient for this policy: the defaults, plus `retryOn`. */
  readonly retryOn: Classification.Rules
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
 * The defaults of `Retry.standard`: the same values as `ApiClient.defaults`' `times`, `base`,
 * `cap` and `maxRetryAfter`.
 *
 * @deprecated Use `ApiClient.defaults`, where every default is published once.
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
