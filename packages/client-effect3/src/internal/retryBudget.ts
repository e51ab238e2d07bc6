/**
 * The retry budget: the core's bucket (`@steady/core/RetryBudget`: what a retry takes, what a
 * success gives back), with this line's metrics, type id and service tag around it.
 *
 * @internal
 */
import * as Budget from "@steady/core/RetryBudget"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import type * as RetryBudget from "../RetryBudget.js"

/** @internal */
export const TypeId: typeof RetryBudget.TypeId = Symbol.for(
  "@steady/client-effect3/RetryBudget"
) as typeof RetryBudget.TypeId

/** @internal */
export const defaults: RetryBudget.Settings = Budget.defaults

/** Tokens left in each budget, by its `budget` label. @internal */
export const tokensGauge = Metric.gauge("steady_retry_budget_tokens", {
  description: "Tokens left in a steady retry budget"
})

/** Retries refused because a budget was spent. @internal */
export const refusalsTotal = Metric.counter("steady_retry_budget_refusals_total", {
  description: "Retries refused because the retry budget was spent",
  incremental: true
})

let anonymous = 0

class Bucket extends Budget.Bucket implements RetryBudget.RetryBudget {
  readonly [TypeId]: typeof TypeId = TypeId
  /** Only a named budget reports its tokens: a label per anonymous client would grow without bound. */
  private readonly labels: ReadonlyArray<MetricLabel.MetricLabel> | undefined
  constructor(
    readonly name: string,
    named: boolean,
    options: RetryBudget.Settings
  ) {
    super(options)
    this.labels = named ? [MetricLabel.make("budget", name)] : undefined
    if (this.labels !== undefined) tokensGauge.unsafeUpdate(this.tokens, this.labels)
  }
  protected override tokensChanged(tokens: number): void {
    if (this.labels !== undefined) tokensGauge.unsafeUpdate(tokens, this.labels)
  }
  protected override refused(): void {
    refusalsTotal.unsafeUpdate(1, [])
  }
  toJSON() {
    return { _id: "RetryBudget", name: this.name, tokens: this.tokens, ...this.options }
  }
}

/** @internal */
export const unsafeMake = (options: RetryBudget.Options = {}): RetryBudget.RetryBudget => {
  const resolved = Budget.settings(options)
  return options.name !== undefined
    ? new Bucket(options.name, true, resolved)
    : new Bucket(`client-${++anonymous}`, false, resolved)
}

/** @internal */
export const isRetryBudget = (u: unknown): u is RetryBudget.RetryBudget =>
  typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const tag = Context.GenericTag<RetryBudget.RetryBudget>("@steady/client-effect3/RetryBudget")

/** @internal */
export const layer = (options: RetryBudget.Options = {}) => Layer.sync(tag, () => unsafeMake(options))

/** @internal */
export const make = (options: RetryBudget.Options = {}) => Effect.sync(() => unsafeMake(options))
