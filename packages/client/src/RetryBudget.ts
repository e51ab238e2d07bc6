/**
 * The retry budget: a token bucket that bounds how many retries a client (or several clients
 * of one upstream) may make, in the style of the AWS SDKs' standard retry mode. A retry costs
 * `retryCost` tokens (`timeoutRetryCost` after a timeout); a call that succeeds gives back what
 * its retries took, or `successRefund` when it succeeded at the first try. When the bucket
 * cannot pay, the call fails with its error instead of retrying: an outage is not multiplied
 * by the retry count.
 *
 * Every client has its own budget unless you give it one: pass a budget in the retry options
 * (`Retry.standard({ budget })`) or provide `RetryBudget.layer(...)`, and every client made in
 * its scope shares it. Its tokens are readable at any time, and a named budget exports them
 * as the gauge `steady_retry_budget_tokens{budget=<name>}`.
 *
 * @since 0.2.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as internal from "./internal/retryBudget.js"

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
  /**
   * The name in metrics (the `budget` label of `steady_retry_budget_tokens`). A budget without
   * a name is not exported as a gauge. Default: `client-<n>`.
   */
  readonly name?: string | undefined
  /** Tokens when full. Default `500`. */
  readonly capacity?: number | undefined
  /** What a retry costs. Default `5`. */
  readonly retryCost?: number | undefined
  /** What a retry after a timeout costs. Default `10`. */
  readonly timeoutRetryCost?: number | undefined
  /** What a first-try success gives back. Default `1`. */
  readonly successRefund?: number | undefined
}

/**
 * A budget's numbers, defaults applied.
 *
 * @since 0.2.0
 * @category models
 */
export interface Settings {
  readonly capacity: number
  readonly retryCost: number
  readonly timeoutRetryCost: number
  readonly successRefund: number
}

/**
 * A retry budget. Share one value between clients to bound their retries together.
 *
 * @since 0.2.0
 * @category models
 */
export interface RetryBudget {
  readonly [TypeId]: TypeId
  readonly name: string
  readonly options: Settings
  /** Tokens left now. */
  readonly tokens: number
  /** Retries refused because the bucket could not pay, since it was made. */
  readonly refusals: number
  /** Takes the cost of one retry: the cost taken, or `undefined` (nothing taken) when it cannot pay. */
  acquire(afterTimeout: boolean): number | undefined
  /** A call succeeded after its retries took `spent` tokens: gives them back (or `successRefund`). */
  release(spent: number): void
}

/**
 * The budget every client made in its scope shares (see `layer`).
 *
 * @since 0.2.0
 * @category tags
 */
export const RetryBudget: Context.Service<RetryBudget, RetryBudget> = internal.tag

/**
 * The defaults: capacity 500, a retry costs 5, a retry after a timeout 10, a first-try
 * success refunds 1.
 *
 * @since 0.2.0
 * @category models
 */
export const defaults: Settings = internal.defaults

/**
 * Makes a budget. Invalid numbers (negative, not finite) are defects that name the option.
 *
 * @example
 * ```ts
 * import { ApiClient, Retry, RetryBudget } from "@steady/client"
 * import { Effect } from "effect"
 *
 * const clients = Effect.gen(function*() {
 *   const budget = yield* RetryBudget.make({ name: "payments", capacity: 100 })
 *   const charges = yield* ApiClient.make({ baseUrl: "https://pay.example", retry: Retry.standard({ budget }) })
 *   const refunds = yield* ApiClient.make({ baseUrl: "https://pay.example", retry: Retry.standard({ budget }) })
 *   return { charges, refunds, budget }
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<RetryBudget> => internal.make(options)

/**
 * Makes a budget outside an effect.
 *
 * @since 0.2.0
 * @category constructors
 */
export const unsafeMake = (options: Options = {}): RetryBudget => internal.unsafeMake(options)

/**
 * Provides one budget that every client made in its scope shares (unless a client's retry
 * options name another, or `budget: false`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<RetryBudget> => internal.layer(options)

/**
 * @since 0.2.0
 * @category guards
 */
export const isRetryBudget = (u: unknown): u is RetryBudget => internal.isRetryBudget(u)

/**
 * Tokens left now.
 *
 * @since 0.2.0
 * @category getters
 */
export const tokens = (budget: RetryBudget): number => budget.tokens

/**
 * The budget metrics: tokens left in each named budget (the gauge
 * `steady_retry_budget_tokens`, labelled `budget`), and retries refused because a budget
 * could not pay (`steady_retry_budget_refusals_total`). A budget of your own making (a shared
 * one, say) reports through them too.
 *
 * @since 0.2.0
 * @category metrics
 */
export const metrics: {
  readonly tokens: Metric.Gauge<number>
  readonly refusals: Metric.Counter<number>
} = {
  tokens: internal.tokensGauge,
  refusals: internal.refusalsTotal
}
