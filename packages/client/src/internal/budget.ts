/**
 * A retry budget shared by all calls of one client: a token bucket in the style of the AWS
 * SDKs' standard retry mode. A retry takes tokens; a success gives back what its retries
 * took, or one token when it succeeded at the first try. When the bucket is empty, calls fail
 * with their error instead of retrying, so an outage is not multiplied by the retry count.
 *
 * JavaScript runs one fiber step at a time, so plain fields are safe here.
 *
 * @internal
 */

/** @internal */
export interface BudgetOptions {
  readonly capacity: number
  readonly retryCost: number
  readonly timeoutRetryCost: number
  readonly successRefund: number
}

/** @internal */
export const defaultBudget: { -readonly [K in keyof BudgetOptions]: number } = {
  capacity: 500,
  retryCost: 5,
  timeoutRetryCost: 10,
  successRefund: 1
}

/** @internal */
export class RetryBudget {
  private tokens: number
  /** Retries refused because the bucket was empty, since the client was made. */
  refusals = 0
  constructor(readonly options: BudgetOptions) {
    this.tokens = options.capacity
  }
  get available(): number {
    return this.tokens
  }
  /** Takes the cost of a retry; `false` (and nothing taken) when the bucket cannot pay. */
  acquire(afterTimeout: boolean): number | undefined {
    const cost = afterTimeout ? this.options.timeoutRetryCost : this.options.retryCost
    if (cost > this.tokens) {
      this.refusals++
      return undefined
    }
    this.tokens -= cost
    return cost
  }
  /** A call succeeded: give back what its retries took, or the first-try refund. */
  release(spent: number): void {
    const refund = spent > 0 ? spent : this.options.successRefund
    this.tokens = Math.min(this.options.capacity, this.tokens + refund)
  }
}
