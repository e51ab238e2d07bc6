import { it } from "@effect/vitest"
import { ApiClient, Bulkhead } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Duration, Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it as test } from "vitest"
import { joinNow } from "./util.js"

describe("Bulkhead (the module)", () => {
  test("defaults: a name of its own, no queue, a second of queue timeout", () => {
    const a = Bulkhead.unsafeMake({ maxConcurrent: 2 })
    const b = Bulkhead.unsafeMake({ maxConcurrent: 2 })
    expect(a.options.name).toMatch(/^bulkhead-\d+$/)
    expect(b.options.name).not.toBe(a.options.name)
    expect(a.options.maxQueue).toBe(0)
    expect(Duration.toMillis(a.options.queueTimeout)).toBe(1000)
    expect([a.inFlight, a.queued]).toEqual([0, 0])
    expect(a.stage).toBe("call")
    expect(Bulkhead.isBulkhead(a)).toBe(true)
    expect(Bulkhead.isBulkhead({ maxConcurrent: 2 })).toBe(false)
    expect(Bulkhead.isBulkhead(null)).toBe(false)
  })

  test("options out of range are refused with the option's name", () => {
    expect(() => Bulkhead.unsafeMake({} as Bulkhead.Options)).toThrow(/maxConcurrent is required/)
    expect(() => Bulkhead.unsafeMake({ maxConcurrent: 0 })).toThrow(/maxConcurrent/)
    expect(() => Bulkhead.unsafeMake({ maxConcurrent: 1.5 })).toThrow(/maxConcurrent/)
    expect(() => Bulkhead.unsafeMake({ maxConcurrent: 1, maxQueue: -1 })).toThrow(/maxQueue/)
    expect(() => Bulkhead.unsafeMake({ maxConcurrent: 1, queueTimeout: 0 })).toThrow(/queueTimeout/)
  })

  it.effect("make: a bad option is a defect, not a typed failure", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Bulkhead.make({ maxConcurrent: 0 }))
      expect(Exit.isFailure(exit) && !Exit.hasFails(exit)).toBe(true)
    }))

  it.effect("layer: one bulkhead under the tag, shared by every client that names it", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.Bulkhead
      expect(yield* Bulkhead.Bulkhead).toBe(bulkhead)
      expect(bulkhead.options).toMatchObject({ name: "shared", maxConcurrent: 1, maxQueue: 0 })
      const a = yield* ApiClient.make({ baseUrl: "https://a.example", policies: [bulkhead] })
      const b = yield* ApiClient.make({ baseUrl: "https://b.example", policies: [bulkhead] })
      const first = yield* Effect.forkChild(a.get("/slow"))
      for (let i = 0; i < 100 && bulkhead.inFlight === 0; i++) yield* Effect.yieldNow
      expect(bulkhead.inFlight).toBe(1)
      // no queue by default: the other client's call is refused at once
      expect(yield* Effect.flip(b.get("/slow"))).toMatchObject({
        _tag: "BulkheadRejectedError",
        reason: "QueueFull",
        bulkhead: "shared"
      })
      yield* TestClock.adjust("1 second")
      expect((yield* joinNow(first, "the first call did not complete")).status).toBe(200)
      expect(bulkhead.inFlight).toBe(0)
      expect((yield* MockHttpClient.requests).map((r) => r.url)).toEqual(["https://a.example/slow"])
    }).pipe(
      Effect.provide(
        Layer.merge(
          Bulkhead.layer({ name: "shared", maxConcurrent: 1 }),
          MockHttpClient.layer(() => ({ status: 200, delay: "1 second" }))
        )
      )
    ))
})
