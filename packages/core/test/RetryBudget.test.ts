import { describe, expect, it } from "vitest"
import * as RetryBudget from "../src/RetryBudget.js"

class Watched extends RetryBudget.Bucket {
  readonly changes: Array<[number, number]> = []
  refusedTimes = 0
  protected override tokensChanged(tokens: number, before: number): void {
    this.changes.push([before, tokens])
  }
  protected override refused(): void {
    this.refusedTimes++
  }
}

describe("RetryBudget", () => {
  it("a retry costs retryCost, after a timeout timeoutRetryCost; one it cannot pay is refused, counted, free", () => {
    const b = new RetryBudget.Bucket(RetryBudget.settings({ capacity: 20, retryCost: 5, timeoutRetryCost: 10 }))
    expect(b.tokens).toBe(20)
    expect(b.acquire(false)).toBe(5)
    expect(b.acquire(true)).toBe(10)
    expect(b.tokens).toBe(5)
    expect(b.acquire(true)).toBeUndefined()
    expect(b.tokens).toBe(5)
    expect(b.refusals).toBe(1)
    expect(b.acquire(false)).toBe(5)
    expect(b.tokens).toBe(0)
    expect(b.acquire(false)).toBeUndefined()
    expect(b.refusals).toBe(2)
  })

  it("a success gives back what its retries took, or successRefund, never past the capacity", () => {
    const b = new RetryBudget.Bucket(RetryBudget.settings({ capacity: 20, retryCost: 5, successRefund: 1 }))
    b.acquire(false)
    b.acquire(false)
    b.acquire(false)
    expect(b.tokens).toBe(5)
    b.release(10)
    expect(b.tokens).toBe(15)
    b.release(0)
    expect(b.tokens).toBe(16)
    b.release(10)
    expect(b.tokens).toBe(20)
    b.release(0)
    expect(b.tokens).toBe(20)
  })

  it("reports each change of its tokens and each refusal to the line's hooks, and nothing else", () => {
    const b = new Watched(RetryBudget.settings({ capacity: 6, retryCost: 5 }))
    b.acquire(false)
    b.acquire(false)
    b.release(5)
    b.release(5)
    expect(b.changes).toEqual([[6, 1], [1, 6]])
    expect(b.refusedTimes).toBe(1)
  })

  it("defaults 500 / 5 / 10 / 1; a number negative or not finite is refused with its name", () => {
    expect(RetryBudget.settings({})).toEqual({ capacity: 500, retryCost: 5, timeoutRetryCost: 10, successRefund: 1 })
    expect(RetryBudget.settings({ capacity: 0 }).capacity).toBe(0)
    for (const bad of [-1, NaN, Infinity, "5"]) {
      expect(() => RetryBudget.settings({ retryCost: bad })).toThrow(
        `RetryBudget: retryCost must be a finite number ≥ 0, got ${String(bad)}`
      )
    }
  })
})
