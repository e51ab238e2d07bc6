import { it } from "@effect/vitest"
import { ApiClient, ApiError, CircuitBreaker, Policy, Retry } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Cause, Duration, Effect, Exit, Logger, Option, Random, References, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { clocked, joinNow, type Seen, timed } from "./util.js"

const delays = (seen: ReadonlyArray<Seen>) => seen.slice(1).map((s, i) => s.at - seen[i].at)

const base = "https://api.example"

describe("retries", () => {
  it.effect("503, 503, 200 succeeds on the third attempt", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(MockHttpClient.sequence(503, 503, { json: { ok: true } }))
      const response = yield* clocked(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/pets")).pipe(Effect.provide(layer))
      )
      expect(response.status).toBe(200)
      expect(ApiClient.attempts(response)).toBe(3)
      expect(seen).toHaveLength(3)
    }))

  it.effect("gives up after times + 1 attempts with the last error, carrying attempts", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 503)
      const error = yield* clocked(
        Effect.flip(Effect.flatMap(ApiClient.make({ baseUrl: base, retry: { times: 3 } }), (c) => c.get("/pets")))
          .pipe(Effect.provide(layer))
      )
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, attempts: 4 })
      expect(error.message).toContain("4 attempts")
      expect(seen).toHaveLength(4)
    }))

  for (const status of [400, 401, 403, 404, 405, 409, 422, 501, 505]) {
    it.effect(`${status} is sent once`, () =>
      Effect.gen(function*() {
        const { layer, seen } = timed(() => status)
        const error = yield* clocked(
          Effect.flip(Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/x"))).pipe(Effect.provide(layer))
        )
        expect(error.attempts).toBe(1)
        expect(seen).toHaveLength(1)
      }))
  }

  for (const status of [408, 429, 500, 502, 503, 504]) {
    it.effect(`${status} is retried`, () =>
      Effect.gen(function*() {
        const { layer, seen } = timed(MockHttpClient.sequence(status, 200))
        yield* clocked(
          Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/x")).pipe(Effect.provide(layer))
        )
        expect(seen).toHaveLength(2)
      }))
  }

  it.effect("x-should-retry overrides the status rule", () =>
    Effect.gen(function*() {
      const yes = timed(MockHttpClient.sequence({ status: 400, headers: { "x-should-retry": "true" } }, 200))
      yield* clocked(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/x")).pipe(Effect.provide(yes.layer))
      )
      expect(yes.seen).toHaveLength(2)
      const no = timed(() => ({ status: 503, headers: { "x-should-retry": "false" } }))
      yield* clocked(
        Effect.flip(Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/x"))).pipe(
          Effect.provide(no.layer)
        )
      )
      expect(no.seen).toHaveLength(1)
    }))

  it.effect("a POST without an Idempotency-Key facing 503 is sent exactly once", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 503)
      const error = yield* clocked(
        Effect.flip(Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.post("/orders"))).pipe(
          Effect.provide(layer)
        )
      )
      expect(error).toMatchObject({ _tag: "ServerError", attempts: 1 })
      expect(seen).toHaveLength(1)
    }))

  it.effect("a POST or PATCH whose connection was reset is not retried; one refused (never sent) is", () =>
    Effect.gen(function*() {
      const reset = timed(() => MockHttpClient.reset)
      yield* clocked(
        Effect.flip(Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.patch("/orders/1"))).pipe(
          Effect.provide(reset.layer)
        )
      )
      expect(reset.seen).toHaveLength(1)
      const refused = timed(MockHttpClient.sequence(MockHttpClient.refused, MockHttpClient.dns, 201))
      const response = yield* clocked(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.post("/orders")).pipe(Effect.provide(refused.layer))
      )
      expect(response.status).toBe(201)
      expect(refused.seen).toHaveLength(3)
    }))

  it.effect("idempotencyKey: auto adds one key per call, the same on every attempt", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(MockHttpClient.sequence(503, 503, 201, 503, 201))
      yield* clocked(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: base, idempotencyKey: "auto" })
          yield* client.post("/orders")
          yield* client.post("/orders")
          yield* client.get("/orders")
        }).pipe(Effect.provide(layer))
      )
      const keys = seen.map((s) => s.request.headers["idempotency-key"])
      expect(seen).toHaveLength(6)
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
      expect(keys[1]).toBe(keys[0])
      expect(keys[2]).toBe(keys[0])
      expect(keys[3]).not.toBe(keys[0])
      expect(keys[4]).toBe(keys[3])
      expect(keys[5]).toBeUndefined() // GET needs none
    }))

  it.effect("a POST with its own Idempotency-Key is retried with that key", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(MockHttpClient.sequence(503, 201))
      yield* clocked(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) =>
          c.post("/orders", { headers: { "Idempotency-Key": "order-7" } })).pipe(Effect.provide(layer))
      )
      expect(seen.map((s) =>
        s.request.headers["idempotency-key"]
      )).toEqual(["order-7", "order-7"])
    }))

  it.effect("delays are full jitter inside U(0, min(cap, base·2ⁿ)) under a seeded Random", () =>
    Effect.gen(function*() {
      for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
        const { layer, seen } = timed(() => 503)
        yield* clocked(
          Effect.flip(
            Effect.flatMap(
              ApiClient.make({
                baseUrl: base,
                retry: { times: 5, base: "1 second", cap: "5 seconds" },
                timeout: { total: "1 minute" }
              }),
              (c) => c.get("/x")
            )
          ).pipe(Effect.provide(layer), Random.withSeed(seed))
        )
        const ds = delays(seen)
        expect(ds).toHaveLength(5)
        const ceilings = [1000, 2000, 4000, 5000, 5000]
        ds.forEach((d, i) => {
          expect(d).toBeGreaterThanOrEqual(0)
          expect(d).toBeLessThan(ceilings[i])
        })
      }
    }))

  it.effect("the same seed gives the same delays; another seed, others", () =>
    Effect.gen(function*() {
      const run = (seed: number) =>
        Effect.gen(function*() {
          const { layer, seen } = timed(() => 503)
          yield* clocked(
            Effect.flip(
              Effect.flatMap(
                ApiClient.make({
                  baseUrl: base,
                  retry: { times: 3, base: "10 seconds" },
                  timeout: { total: "5 minutes" }
                }),
                (c) => c.get("/x")
              )
            ).pipe(Effect.provide(layer), Random.withSeed(seed))
          )
          return delays(seen)
        })
      const a = yield* run(42)
      expect(yield* run(42)).toEqual(a)
      expect(yield* run(43)).not.toEqual(a)
    }))

  it.effect("a retry never starts if its delay would pass the total deadline; the error is the real one", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => ({ status: 503, headers: { "retry-after": "5" } }))
      const error = yield* clocked(
        Effect.flip(
          Effect.flatMap(ApiClient.make({ baseUrl: base, timeout: { total: "3 seconds" } }), (c) => c.get("/x"))
        ).pipe(Effect.provide(layer))
      )
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, attempts: 1 })
      expect(ApiError.retryAfterMillis(error)).toEqual(Option.some(5000))
      expect(seen).toHaveLength(1)
    }))

  it.effect("Retry-After is honoured exactly, without jitter", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(MockHttpClient.sequence({ status: 429, headers: { "retry-after": "2" } }, 200))
      const fiber = yield* Effect.forkChild(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/x")).pipe(Effect.provide(layer))
      )
      yield* TestClock.adjust("1999 millis")
      expect(seen).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      yield* joinNow(fiber)
      expect(delays(seen)).toEqual([2000])
    }))

  it.effect("retry-after-ms wins over Retry-After", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(
        MockHttpClient.sequence({ status: 503, headers: { "retry-after": "20", "retry-after-ms": "250" } }, 200)
      )
      const fiber = yield* Effect.forkChild(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/x")).pipe(Effect.provide(layer))
      )
      yield* TestClock.adjust("250 millis")
      yield* joinNow(fiber)
      expect(delays(seen)).toEqual([250])
    }))

  it.effect("a hint above maxRetryAfter fails at once with the RateLimitError carrying retryAfter", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => ({ status: 429, headers: { "retry-after": "120" } }))
      // at once: a loop that waited for the hint would sleep on the TestClock for ever
      const call = yield* Effect.forkChild(Effect.flip(
        Effect.flatMap(ApiClient.make({ baseUrl: base, timeout: { total: "10 minutes" } }), (c) => c.get("/x")).pipe(
          Effect.provide(layer)
        )
      ))
      const error = yield* joinNow(call, "the call did not fail at once: it waited for a hint above maxRetryAfter")
      expect(error._tag).toBe("RateLimitError")
      if (error._tag === "RateLimitError") {
        expect(Option.map(error.retryAfter, Duration.toSeconds)).toEqual(Option.some(120))
      }
      expect(error.message).toContain("retry after 2m")
      expect(seen).toHaveLength(1)
    }))

  it.effect("an attempt timeout is retried, then the call fails with it", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => MockHttpClient.hang)
      const error = yield* clocked(
        Effect.flip(
          Effect.flatMap(
            ApiClient.make({ baseUrl: base, timeout: { attempt: "1 second", total: "30 seconds" } }),
            (c) => c.get("/x")
          )
        ).pipe(Effect.provide(layer))
      )
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "attempt", attempts: 3 })
      expect(seen).toHaveLength(3)
    }))

  it.effect("per-call options override the client's", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 503)
      yield* clocked(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: base })
          yield* Effect.flip(client.get("/a").pipe(ApiClient.withCallOptions({ retry: false })))
          yield* Effect.flip(client.get("/b").pipe(ApiClient.withCallOptions({ retry: { times: 4 } })))
        }).pipe(Effect.provide(layer))
      )
      expect(seen.filter((s) => s.request.path === "/a")).toHaveLength(1)
      expect(seen.filter((s) => s.request.path === "/b")).toHaveLength(5)
    }))

  it.effect("the retry budget stops retries once spent and refills on success", () =>
    Effect.gen(function*() {
      let healthy = false
      const { layer, seen } = timed(() => (healthy ? 200 : 503))
      yield* clocked(
        Effect.gen(function*() {
          // capacity 20, cost 5: four retries in all
          const client = yield* ApiClient.make({ baseUrl: base, retry: { budget: { capacity: 20 } } })
          for (let i = 0; i < 10; i++) yield* Effect.flip(client.get("/x"))
          expect(seen).toHaveLength(10 + 4)
          healthy = true
          for (let i = 0; i < 10; i++) yield* client.get("/x")
          healthy = false
          const before = seen.length
          yield* Effect.flip(client.get("/x"))
          // ten first-try successes refunded 10 tokens: two retries
          expect(seen.length - before).toBe(3)
        }).pipe(Effect.provide(layer))
      )
    }))

  it.effect("each retry is logged at debug level with its reason and delay, without secrets", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ fiber, message }) => {
        const annotations = fiber.getRef(References.CurrentLogAnnotations)
        lines.push(JSON.stringify({ message: Array.isArray(message) ? message.join(" ") : message, annotations }))
      })
      const { layer } = timed(MockHttpClient.sequence(503, 200))
      yield* clocked(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/x?api_key=s3cr3t")).pipe(
          Effect.provide(layer),
          Effect.provide(Logger.layer([logger])),
          Effect.provideService(References.MinimumLogLevel, "Debug")
        )
      )
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain("retrying")
      expect(lines[0]).toContain("ServerError(503)")
      expect(lines[0]).toContain("delayMillis")
      expect(lines[0]).not.toContain("s3cr3t")
    }))
})

describe("retryOn: what a user adds to the transient failures", () => {
  /** A GET against `handler`, with the client's retry policy `retry`: the outcome and the requests seen. */
  const call = (
    handler: MockHttpClient.Handler,
    retry: ApiClient.Options["retry"],
    policies: ReadonlyArray<Policy.Policy> = []
  ) =>
    Effect.gen(function*() {
      const { layer, seen } = timed(handler)
      const exit = yield* clocked(
        Effect.exit(Effect.flatMap(ApiClient.make({ baseUrl: base, retry, policies }), (c) => c.get("/x"))).pipe(
          Effect.provide(layer)
        )
      )
      return { exit, seen }
    })

  /** An attempt policy that fails the first attempt with a connection failure of `reason`, nothing sent. */
  const failsOnce = (reason: ApiError.ConnectionReason) => {
    let n = 0
    return Policy.make({
      name: "fails-once",
      stage: "attempt",
      wrap: (next) => (request) =>
        Effect.suspend(() =>
          ++n === 1
            ? Effect.fail(
              new ApiError.ConnectionError({
                request: Policy.requestInfo(request),
                attempts: 1,
                reason,
                sent: false,
                detail: ""
              })
            )
            : next(request)
        )
    })
  }

  it.effect("a status added (425) is retried by Retry.standard and Retry.fromSchedule; by default it is sent once", () =>
    Effect.gen(function*() {
      const plain = yield* call(MockHttpClient.sequence(425, 200), undefined)
      expect(plain.exit._tag).toBe("Failure")
      expect(plain.seen).toHaveLength(1)
      for (
        const retry of [
          Retry.standard({ retryOn: { statuses: [425] } }),
          Retry.fromSchedule(Schedule.recurs(2), { retryOn: { statuses: [425] } }),
          { retryOn: { statuses: [425] } }
        ]
      ) {
        const added = yield* call(MockHttpClient.sequence(425, 425, 200), retry)
        expect(added.exit._tag).toBe("Success")
        expect(added.seen).toHaveLength(3)
      }
    }))

  it.effect("a connection failure added is retried; by default it is not", () =>
    Effect.gen(function*() {
      const plain = yield* call(() => 200, undefined, [failsOnce("PoolClosed")])
      expect(plain.exit._tag).toBe("Failure")
      expect(Exit.isFailure(plain.exit) && Cause.squash(plain.exit.cause)).toMatchObject({
        reason: "PoolClosed",
        attempts: 1
      })
      expect(plain.seen).toHaveLength(0)
      for (
        const retry of [
          Retry.standard({ retryOn: { reasons: ["PoolClosed"] } }),
          Retry.fromSchedule(Schedule.recurs(2), { retryOn: { reasons: ["PoolClosed"] } })
        ]
      ) {
        const added = yield* call(() => 200, retry, [failsOnce("PoolClosed")])
        expect(added.exit._tag).toBe("Success")
        expect(added.seen).toHaveLength(1)
      }
    }))

  it.effect("the defaults still hold beside an addition: 503 retried, 404 sent once, a POST not replayed", () =>
    Effect.gen(function*() {
      const retry = Retry.standard({ retryOn: { statuses: [425], reasons: ["PoolClosed"] } })
      expect((yield* call(MockHttpClient.sequence(503, 200), retry)).seen).toHaveLength(2)
      expect((yield* call(() => 404, retry)).seen).toHaveLength(1)
      const { layer, seen } = timed(() => 425)
      yield* clocked(
        Effect.flip(Effect.flatMap(ApiClient.make({ baseUrl: base, retry }), (c) => c.post("/orders"))).pipe(
          Effect.provide(layer)
        )
      )
      expect(seen).toHaveLength(1)
    }))

  it.effect("per-call options keep the client's retryOn unless they give their own", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 425)
      yield* clocked(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: base, retry: { times: 1, retryOn: { statuses: [425] } } })
          yield* Effect.flip(client.get("/a").pipe(ApiClient.withCallOptions({ retry: { times: 2 } })))
          yield* Effect.flip(
            client.get("/b").pipe(ApiClient.withCallOptions({ retry: { retryOn: { statuses: [418] } } }))
          )
        }).pipe(Effect.provide(layer))
      )
      expect(seen.filter((s) => s.request.path === "/a")).toHaveLength(3)
      // its own retryOn replaces the client's: 425 is not in it
      expect(seen.filter((s) => s.request.path === "/b")).toHaveLength(1)
    }))

  it("isRetryable and isSafeToRetry answer as the retry stage with the same retryOn; the breaker keeps its own test", () => {
    const tooEarly = ApiError.fromStatus({
      request: { method: "GET", url: "https://api.example/x" },
      attempts: 1,
      status: 425,
      headers: {},
      body: "",
      requestId: Option.none(),
      retryAfter: Option.none()
    })
    const retryOn = { statuses: [425] }
    expect(ApiError.isRetryable(tooEarly)).toBe(false)
    expect(ApiError.isRetryable(tooEarly, retryOn)).toBe(true)
    expect(ApiError.isSafeToRetry(tooEarly, { method: "GET" }, retryOn)).toBe(true)
    expect(ApiError.isSafeToRetry(tooEarly, { method: "POST" }, retryOn)).toBe(false)
    expect(CircuitBreaker.isFailure(tooEarly)).toBe(false)
    const closed = new ApiError.ConnectionError({
      request: { method: "GET", url: "https://api.example/x" },
      attempts: 1,
      reason: "PoolClosed",
      sent: false,
      detail: ""
    })
    expect(ApiError.isRetryable(closed, { reasons: ["PoolClosed"] })).toBe(true)
    expect(CircuitBreaker.isFailure(closed)).toBe(false)
  })

  it("a retryOn that is not statuses and reasons is refused, naming it", () => {
    expect(() => Retry.standard({ retryOn: { statuses: [42] } })).toThrow(
      "retry.retryOn.statuses must hold whole numbers from 100 to 599, got 42"
    )
    expect(() => Retry.fromSchedule(Schedule.recurs(1), { retryOn: { reasons: [""] } })).toThrow(
      /retry\.retryOn\.reasons/
    )
    expect(Retry.standard().retryOn.statuses.has(425)).toBe(false)
  })
})
