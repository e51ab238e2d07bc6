/**
 * steady on Effect 4's own effect/persistence services: a limiter whose state is in Effect's
 * RateLimiterStore, and a policy on Effect's CircuitBreaker. On the TestClock.
 */
import { it } from "@effect/vitest"
import { ApiClient, CircuitBreaker, RateLimiter } from "@steady/client"
import { Duration, Effect, Layer } from "effect"
import { CircuitBreaker as EffectCircuitBreaker, RateLimiter as EffectRateLimiter } from "effect/persistence"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { clocked, type Seen, timed } from "./util.js"

const base = "https://api.example"
const times = (seen: ReadonlyArray<Seen>) => seen.map((s) => s.at)

describe("RateLimiter.effectStore: steady's limiter on Effect's RateLimiterStore", () => {
  it.effect("holds the rate: a burst, then refusals without sending when the wait would pass maxWait", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 200)
      const store = yield* RateLimiter.effectStore
      const limiter = yield* RateLimiter.make({ limit: 2, interval: "1 second", maxWait: 0, store })
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [limiter] }), layer)
      yield* client.get("/a")
      yield* client.get("/b")
      // maxWait 0: refused at once (no clock to move: the store's own sweep sleeps in the background)
      const refused = yield* Effect.flip(client.get("/c"))
      expect(refused).toMatchObject({ _tag: "RateLimiterRejectedError" })
      expect(seen).toHaveLength(2)
      // one token comes back every 500 ms
      yield* TestClock.adjust("500 millis")
      yield* client.get("/d")
      expect(times(seen)).toEqual([0, 0, 500])
    }).pipe(Effect.provide(EffectRateLimiter.layerStoreMemory)))

  it.effect("a caller within maxWait waits for its token, on the clock", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 200)
      const store = yield* RateLimiter.effectStore
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second", maxWait: "2 seconds", store })
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [limiter] }), layer)
      yield* clocked(Effect.all([client.get("/a"), client.get("/b"), client.get("/c")], { concurrency: 3 }))
      expect(times(seen)).toEqual([0, 1000, 2000])
    }).pipe(Effect.provide(EffectRateLimiter.layerStoreMemory)))

  it.effect("two limiters on one store (two processes on one Redis) share one quota", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 200)
      const store = yield* RateLimiter.effectStore
      const key = () => "shared-quota"
      const one = yield* RateLimiter.make({ limit: 3, interval: "1 second", maxWait: 0, store, key })
      const two = yield* RateLimiter.make({ limit: 3, interval: "1 second", maxWait: 0, store, key })
      const a = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [one] }), layer)
      const b = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [two] }), layer)
      const outcomes = yield* Effect.all(
        [a.get("/1"), b.get("/2"), a.get("/3"), b.get("/4"), a.get("/5")].map((call) =>
          Effect.map(Effect.exit(call), (exit) => exit._tag)
        )
      )
      expect(outcomes.filter((o) => o === "Success")).toHaveLength(3)
      expect(seen).toHaveLength(3)
    }).pipe(Effect.provide(EffectRateLimiter.layerStoreMemory)))

  it.effect("a 429's Retry-After within maxPause pauses every caller of the store until it ends", () =>
    Effect.gen(function*() {
      let first = true
      const { layer, seen } = timed(() => {
        if (!first) return 200
        first = false
        return { status: 429, headers: { "retry-after": "5" } }
      })
      const store = yield* RateLimiter.effectStore
      const limiter = yield* RateLimiter.make({ limit: 100, interval: "1 second", maxWait: "10 seconds", store })
      const client = yield* Effect.provide(
        ApiClient.make({ baseUrl: base, retry: false, policies: [limiter] }),
        layer
      )
      expect(yield* Effect.flip(client.get("/a"))).toMatchObject({ _tag: "RateLimitError" })
      yield* clocked(client.get("/b"))
      const [, second] = times(seen)
      expect(second).toBeGreaterThanOrEqual(5000)
      expect(second).toBeLessThanOrEqual(5100)
    }).pipe(Effect.provide(EffectRateLimiter.layerStoreMemory)))

  it.effect("a store that fails lets the call through (steady's rule for every store)", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 200)
      const failing = Layer.succeed(
        EffectRateLimiter.RateLimiterStore,
        {
          fixedWindow: () => Effect.die("unused"),
          tokenBucket: () =>
            Effect.fail(
              new EffectRateLimiter.RateLimiterError({
                reason: new EffectRateLimiter.RateLimitStoreError({ message: "redis is down" })
              })
            ),
          adaptiveConsume: () => Effect.die("unused"),
          adaptiveFeedback: () => Effect.die("unused")
        } as unknown as EffectRateLimiter.RateLimiterStore["Service"]
      )
      const store = yield* Effect.provide(RateLimiter.effectStore, failing)
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 minute", maxWait: 0, store })
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [limiter] }), layer)
      yield* clocked(client.get("/a"))
      yield* clocked(client.get("/b"))
      expect(seen).toHaveLength(2)
    }))
})

describe("CircuitBreaker.fromEffect: a policy on Effect's CircuitBreaker", () => {
  const breakerLayer = EffectCircuitBreaker.layerStoreMemory()

  it.effect("opens on steady's failures (5xx), not on answers (404); refuses with CircuitOpenError, unsent", () =>
    Effect.gen(function*() {
      let status = 404
      const { layer, seen } = timed(() => status)
      const breaker = yield* EffectCircuitBreaker.make({
        tripPolicy: EffectCircuitBreaker.consecutive(2),
        openDuration: "30 seconds"
      })
      const client = yield* Effect.provide(
        ApiClient.make({
          baseUrl: base,
          retry: false,
          policies: [CircuitBreaker.fromEffect(breaker, { name: "api" })]
        }),
        layer
      )
      for (let i = 0; i < 3; i++) expect((yield* Effect.flip(client.get("/x")))._tag).toBe("NotFoundError")
      status = 503
      for (let i = 0; i < 2; i++) expect((yield* Effect.flip(client.get("/x")))._tag).toBe("ServerError")
      const refused = yield* Effect.flip(client.get("/x"))
      expect(refused).toMatchObject({ _tag: "CircuitOpenError", breaker: "api", state: "open" })
      if (refused._tag === "CircuitOpenError") expect(Duration.toMillis(refused.retryAfter)).toBe(30_000)
      expect(seen).toHaveLength(5)
      // after the open period a probe goes through, and a success closes the circuit
      status = 200
      yield* TestClock.adjust("30 seconds")
      yield* client.get("/x")
      yield* client.get("/x")
      expect(seen).toHaveLength(7)
    }).pipe(Effect.scoped, Effect.provide(breakerLayer)))
})
