/**
 * The accounting of a retry budget: a token bucket in the style of the AWS SDKs' standard
 * retry mode. A retry takes tokens (more after a timeout); a call that succeeds gives back
 * what its retries took, or `successRefund` when it succeeded at the first try, never past
 * the capacity. When the bucket cannot pay, the retry is refused and counted. No metrics:
 * each line reports the tokens and the refusals through the hooks of `Bucket`.
 *
 * @since 0.3.0
 */

/**
 * A budget's numbers.
 *
 * @since 0.3.0
 * @category models
 */
export interface Settings {
  /** Tokens when full. */
  readonly capacity: number
  /** What a retry costs. */
  readonly retryCost: number
  /** What a retry after a timeout costs. */
  readonly timeoutRetryCost: number
  /** What a first-try success gives back. */
  readonly successRefund: number
}

/**
 * The defaults: capacity 500, a retry costs 5, a retry after a timeout 10, a first-try
 * success refunds 1.
 *
 * @since 0.3.0
 * @category models
 */
export const defaults: Settings = { capacity: 500, retryCost: 5, timeoutRetryCost: 10, successRefund: 1 }

const keys = ["capacity", "retryCost", "timeoutRetryCost", "successRefund"] as const

/**
 * The settings of `options`, defaults applied. A number that is negative or not finite throws
 * a `RangeError` that names it: `RetryBudget: capacity must be a finite number ≥ 0, got -1`.
 *
 * @since 0.3.0
 * @category constructors
 */
export const settings = (options: { readonly [K in keyof Settings]?: unknown }): Settings => {
  const resolved: { -readonly [K in keyof Settings]: number } = { ...defaults }
  for (const key of keys) {
    const v = options[key]
    if (v === undefined) continue
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(`RetryBudget: ${key} must be a finite number ≥ 0, got ${String(v)}`)
    }
    resolved[key] = v
  }
  return resolved
}

/**
 * The bucket. It starts full. A line extends it to report its tokens (`tokensChanged`) and
 * its refusals (`refused`); JavaScript runs one fiber step at a time, so plain fields are safe.
 *
 * @since 0.3.0
 * @category models
 */
export class Bucket {
  private current: number
  /** Retries refused because the bucket could not pay, since it was made. */
  refusals = 0
  constructor(readonly options: Settings) {
    this.current = options.capacity
  }
  /** Tokens left now. */
  get tokens(): number {
    return this.current
  }
  /** Sets the tokens (within `[0, capacity]` is the caller's care) and reports a change. */
  protected set(tokens: number): void {
    if (tokens === this.current) return
    const before = this.current
    this.current = tokens
    this.tokensChanged(tokens, before)
  }
  /** Called after each change of the tokens. Does nothing here. */
  protected tokensChanged(_tokens: number, _before: number): void {}
  /** Called after each refusal. Does nothing here. */
  protected refused(): void {}
  /** Takes the cost of one retry: the cost taken, or `undefined` (nothing taken, one more refusal) when it cannot pay. */
  acquire(afterTimeout: boolean): number | undefined {
    const cost = afterTimeout ? this.options.timeoutRetryCost : this.options.retryCost
    if (cost > this.current) {
      this.refusals++
      this.refused()
      return undefined
    }
    this.set(this.current - cost)
    return cost
  }
  /** A call succeeded after its retries took `spent` tokens: gives them back (or `successRefund`), up to the capacity. */
  release(spent: number): void {
    if (this.current === this.options.capacity) return
    const refund = spent > 0 ? spent : this.options.successRefund
    this.set(Math.min(this.options.capacity, this.current + refund))
  }
}
