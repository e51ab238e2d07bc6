/**
 * The retry budget: a token bucket in the style of the AWS SDKs' standard retry mode. A retry
 * takes tokens; a success gives back what its retries took, or `successRefund` when it
 * succeeded at the first try. When the bucket cannot pay, the call fails with its error
 * instead of retrying, so an outage is not multiplied by the retry count.
 *
 * JavaScript runs one fiber step at a time, so plain fields are safe here.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import type * as RetryBudget from "../RetryBudget.js"

/** @internal */
export const TypeId: typeof RetryBudget.TypeId = Symbol.for("@steady/client/RetryBudget") as typeof RetryBudget.TypeId

/** @internal */
export const defaults: RetryBudget.Settings = {
  capacity: 500,
  retryCost: 5,
  timeoutRetryCost: 10,
  successRefund: 1
}

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

class Bucket implements RetryBudget.RetryBudget {
  readonly [TypeId]: typeof TypeId = TypeId
  private current: number
  refusals = 0
  /** Only a named budget reports its tokens: a label per anonymous client would grow without bound. */
  private readonly gauge: typeof tokensGauge | undefined
  constructor(
    readonly name: string,
    named: boolean,
    readonly options: RetryBudget.Settings
  ) {
    this.current = options.capacity
    this.gauge = named ? Metric.withAttributes(tokensGauge, { budget: name }) : undefined
    this.gauge?.updateUnsafe(this.current, Context.empty())
  }
  get tokens(): number {
    return this.current
  }
  private set(tokens: number) {
    if (tokens === this.current) return
    this.current = tokens
    this.gauge?.updateUnsafe(tokens, Context.empty())
  }
  acquire(afterTimeout: boolean): number | undefined {
    const cost = afterTimeout ? this.options.timeoutRetryCost : this.options.retryCost
    if (cost > this.current) {
      this.refusals++
      refusalsTotal.updateUnsafe(1, Context.empty())
      return undefined
    }
    this.set(this.current - cost)
    return cost
  }
  release(spent: number): void {
    if (this.current === this.options.capacity) return
    const refund = spent > 0 ? spent : this.options.successRefund
    this.set(Math.min(this.options.capacity, this.current + refund))
  }
  toJSON() {
    return { _id: "RetryBudget", name: this.name, tokens: this.current, ...this.options }
  }
}

/** @internal */
export const unsafeMake = (options: RetryBudget.Options = {}): RetryBudget.RetryBudget => {
  const resolved: { -readonly [K in keyof RetryBudget.Settings]: number } = { ...defaults }
  for (const key of ["capacity", "retryCost", "timeoutRetryCost", "successRefund"] as const) {
    const v = options[key]
    if (v === undefined) continue
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(`RetryBudget: ${key} must be a finite number ≥ 0, got ${String(v)}`)
    }
    resolved[key] = v
  }
  return options.name !== undefined
    ? new Bucket(options.name, true, resolved)
    : new Bucket(`client-${++anonymous}`, false, resolved)
}

/** @internal */
export const isRetryBudget = (u: unknown): u is RetryBudget.RetryBudget =>
  typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const tag = Context.Service<RetryBudget.RetryBudget>("@steady/client/RetryBudget")

/** @internal */
export const layer = (options: RetryBudget.Options = {}) => Layer.sync(tag, () => unsafeMake(options))

/** @internal */
export const make = (options: RetryBudget.Options = {}) => Effect.sync(() => unsafeMake(options))
