import { it } from "@effect/vitest"
import { ApiClient, ApiError, Auth, Policy, Retry, RetryBudget, Transport } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import {
  Cause,
  Clock,
  Context,
  Effect,
  Exit,
  Layer,
  Logger,
  Metric,
  Option,
  Random,
  Redacted,
  References,
  Schedule
} from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import { createHmac } from "node:crypto"
import { describe, expect } from "vitest"
import { clocked, joinNow, pendingSleeps, type Seen, timed } from "./util.js"

const base = "https://api.example"

const times = (seen: ReadonlyArray<Seen>) => seen.map((s) => s.at - seen[0].at)

/** The typed failure of an exit, as plain fields that a failed assertion can show. */
const failed = (exit: Exit.Exit<unknown, ApiError.ApiError>) => {
  const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined
  return error === undefined
    ? { tag: "none" }
    : { tag: error._tag, attempts: error.attempts, ...("scope" in error ? { scope: error.scope } : {}) }
}

/**
 * The TestClock as a wall clock that can jump ahead (NTP, a suspended machine): its timers
 * are the TestClock's, its time the TestClock's plus every `jump`.
 */
const wallClock = TestClock.testClockWith((test) =>
  Effect.sync(() => {
    let ahead = 0
    const now = () => test.currentTimeMillisUnsafe() + ahead
    const clock: Clock.Clock = Object.assign(Object.create(test) as Clock.Clock, {
      currentTimeMillisUnsafe: now,
      currentTimeMillis: Effect.sync(now),
      currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
      currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n)
    })
    return {
      clock,
      jump: (millis: number) => {
        ahead += millis
      }
    }
  })
)

describe("policies", () => {
  it.effect("call policies wrap the whole call; attempt policies each attempt; list order is outermost first", () =>
    Effect.gen(function*() {
      const events: Array<string> = []
      const recorder = (name: string, stage: Policy.Stage) =>
        Policy.make({
          name,
          stage,
          wrap: (next) => (request) =>
            Effect.suspend(() => {
              events.push(`${name}>${request.attempt}`)
              return Effect.ensuring(next(request), Effect.sync(() => events.push(`${name}<${request.attempt}`)))
            })
        })
      const { layer, seen } = timed(MockHttpClient.sequence(503, 200))
      yield* clocked(
        Effect.flatMap(
          ApiClient.make({
            baseUrl: base,
            policies: [recorder("outer", "call"), recorder("a", "attempt"), recorder("b", "attempt")]
          }),
          (client) => client.get("/pets")
        ).pipe(Effect.provide(layer))
      )
      expect(seen).toHaveLength(2)
      expect(events).toEqual(["outer>0", "a>1", "b>1", "b<1", "a<1", "a>2", "b>2", "b<2", "a<2", "outer<0"])
    }))

  it.effect("an attempt policy sees the request as it is sent: request signing over the Auth layer's credentials", () =>
    Effect.gen(function*() {
      const key = "signing-key"
      const signature = (method: string, pathAndQuery: string, authorization: string) =>
        createHmac("sha256", key).update(`${method}\n${pathAndQuery}\n${authorization}`).digest("hex")
      const signing = Policy.make({
        name: "hmac-signature",
        stage: "attempt",
        wrap: (next) => (request) =>
          next(Policy.setHeaders(request, {
            "x-signature": signature(
              request.method,
              request.url.pathname + request.url.search,
              request.headers.authorization ?? ""
            )
          }))
      })
      const { layer, seen } = timed(() => 200)
      yield* Effect.flatMap(
        ApiClient.make({ baseUrl: base, policies: [signing] }),
        (client) => client.get("/pets", { urlParams: { page: 2 } })
      ).pipe(
        Effect.provide(layer),
        Effect.provide(Auth.layerBearer(Redacted.make("token-1")))
      )
      const [{ request }] = seen
      expect(request.headers.authorization).toBe("Bearer token-1")
      const url = new URL(request.url)
      expect(request.headers["x-signature"]).toBe(signature("GET", url.pathname + url.search, "Bearer token-1"))
    }))

  it.effect("a call policy's time includes every attempt and every delay", () =>
    Effect.gen(function*() {
      let elapsed = -1
      const stopwatch = Policy.make({
        name: "stopwatch",
        stage: "call",
        wrap: (next) => (request) =>
          Effect.flatMap(Clock.currentTimeMillis, (start) =>
            Effect.ensuring(
              next(request),
              Effect.map(Clock.currentTimeMillis, (end) => {
                elapsed = end - start
              })
            ))
      })
      const hinted = { status: 503, headers: { "retry-after": "2" } }
      const { layer } = timed(MockHttpClient.sequence(hinted, hinted, 200))
      yield* clocked(
        Effect.flatMap(ApiClient.make({ baseUrl: base, policies: [stopwatch] }), (c) => c.get("/x")).pipe(
          Effect.provide(layer)
        )
      )
      expect(elapsed).toBe(4_000)
    }))

  it("values that are not policies are defects that name the option", () => {
    const http = MockHttpClient.make(() => 200).pipe(Effect.runSync).client
    expect(() => ApiClient.makeWith(http, { policies: [{} as Policy.Policy] })).toThrow(/policies\[0\] is not a Policy/)
    expect(() => Policy.make({ name: "x", stage: "later" as Policy.Stage, wrap: (next) => next })).toThrow(/stage/)
  })

  it("ApiClient.stages lists the pipeline, outermost first", () => {
    const signing = Policy.make({ name: "signing", stage: "attempt", wrap: (next) => next })
    const limiter = Policy.make({ name: "limiter", stage: "call", wrap: (next) => next })
    expect(ApiClient.stages()).toEqual(["total-deadline", "retry", "attempt-timeout", "redirects", "classify-status"])
    const auth = Effect.runSync(Effect.scoped(Layer.build(Auth.layerStatic({ headers: { "x-key": "k" } }))))
    expect(ApiClient.stages({ policies: [signing, limiter], followRedirects: 2 }, Context.getUnsafe(auth, Auth.Auth)))
      .toEqual([
        "limiter",
        "total-deadline",
        "retry",
        "attempt-timeout",
        "redirects",
        "auth",
        "signing",
        "classify-status"
      ])
  })
})

describe("Retry.fromSchedule", () => {
  const run = (
    handler: MockHttpClient.Handler,
    options: ApiClient.Options,
    call: (client: ApiClient.Client) => Effect.Effect<unknown, ApiError.ApiError> = (c) => c.get("/x")
  ) =>
    Effect.gen(function*() {
      const { layer, seen } = timed(handler)
      const exit = yield* clocked(
        Effect.exit(Effect.flatMap(ApiClient.make({ baseUrl: base, ...options }), call).pipe(Effect.provide(layer)))
      )
      return { exit, seen }
    })

  it.effect("waits as the schedule says and stops when it stops, with the last error and its attempts", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* run(() => 503, {
        retry: Retry.fromSchedule(Schedule.spaced("1 second").pipe(Schedule.upTo({ times: 3 })))
      })
      expect(times(seen)).toEqual([0, 1_000, 2_000, 3_000])
      expect(failed(exit)).toEqual({ tag: "ServerError", attempts: 4 })
    }))

  it.effect("the safety rules hold around any schedule", () =>
    Effect.gen(function*() {
      const eager = Retry.fromSchedule(Schedule.recurs(5))
      // an unsafe method that may have reached the server is never replayed
      const post = yield* run(() => 503, { retry: eager }, (c) => c.post("/orders"))
      expect(post.seen).toHaveLength(1)
      // a non-transient failure is never retried
      const notFound = yield* run(() => 404, { retry: eager })
      expect(notFound.seen).toHaveLength(1)
      // Retry-After replaces the schedule's delay
      const hinted = yield* run(MockHttpClient.sequence({ status: 429, headers: { "retry-after": "7" } }, 200), {
        retry: eager
      })
      expect(times(hinted.seen)).toEqual([0, 7_000])
      // …and one above maxRetryAfter fails at once
      const tooLong = yield* run(() => ({ status: 429, headers: { "retry-after": "90" } }), { retry: eager })
      expect(tooLong.seen).toHaveLength(1)
      // no retry starts past the total deadline: the error is the real one
      const slow = yield* run(() => 503, {
        retry: Retry.fromSchedule(Schedule.spaced("10 seconds")),
        timeout: { total: "15 seconds" }
      })
      expect(times(slow.seen)).toEqual([0, 10_000])
      expect(failed(slow.exit)).toEqual({ tag: "ServerError", attempts: 2 })
      // the budget pays for every retry
      const poor = yield* run(() => 503, {
        retry: Retry.fromSchedule(Schedule.recurs(5), { budget: { capacity: 10, retryCost: 5 } })
      })
      expect(poor.seen).toHaveLength(3)
    }))

  const late = {
    fromSchedule: Retry.fromSchedule(Schedule.spaced("1 second")),
    standard: Retry.standard({ base: "1 second", cap: "1 second" })
  }
  for (const [name, retry] of Object.entries(late)) {
    it.effect(`${name}: a wait that ends past the total deadline is a TimeoutError(total) counting the attempts made`, () =>
      Effect.gen(function*() {
        const { clock, jump } = yield* wallClock
        const { layer, seen } = timed(() => 503)
        const fiber = yield* Effect.forkChild(
          Effect.flatMap(
            ApiClient.make({ baseUrl: base, retry, timeout: { total: "1500 millis" } }),
            (c) => c.get("/x")
          )
            .pipe(Effect.provide(layer), Effect.provideService(Clock.Clock, clock), Random.withSeed(7))
        )
        // the first attempt fails at once, and its retry waits (less than the 1.5 s left; the
        // attempt's own timer is the total deadline's, at 1.5 s)
        const retrying = Effect.map(pendingSleeps, (sleeps) => sleeps.some((at) => at < 1500))
        for (let i = 0; i < 100 && !(yield* retrying); i++) yield* Effect.yieldNow
        expect(yield* retrying, "a retry waits").toBe(true)
        // the wall clock jumps a minute while it waits: when the wait ends, the deadline is past
        jump(60_000)
        yield* TestClock.adjust("1 second")
        const error = yield* joinNow(fiber).pipe(Effect.flip)
        expect(failed(Exit.fail(error))).toEqual({ tag: "TimeoutError", attempts: 1, scope: "total" })
        expect(seen).toHaveLength(1)
      }))
  }

  it.effect("Retry.standard waits exactly as the schedule it optimises, under the same seed", () =>
    Effect.gen(function*() {
      const options = { times: 5, base: "1 second", cap: "5 seconds" } as const
      const total = { total: "1 minute" } as const
      for (const seed of [1, 2, 3]) {
        const fused = yield* run(() => 503, {
          retry: Retry.standard({ times: 5, base: "1 second", cap: "5 seconds" }),
          timeout: total
        })
          .pipe(Random.withSeed(seed))
        const scheduled = yield* run(() => 503, {
          retry: Retry.fromSchedule(Retry.standardSchedule(options)),
          timeout: total
        })
          .pipe(Random.withSeed(seed))
        expect(times(fused.seen)).toHaveLength(6)
        // the ceilings double up to the cap: each delay below its own
        const delays = times(fused.seen).slice(1).map((t, i, all) => t - (i === 0 ? 0 : all[i - 1]))
        delays.forEach((d, i) => expect(d).toBeLessThan([1_000, 2_000, 4_000, 5_000, 5_000][i]))
        expect(times(scheduled.seen)).toEqual(times(fused.seen))
      }
    }))

  it.effect("Retry.none makes one attempt; retry: false is its alias", () =>
    Effect.gen(function*() {
      expect((yield* run(() => 503, { retry: Retry.none })).seen).toHaveLength(1)
      expect((yield* run(() => 503, { retry: false })).seen).toHaveLength(1)
    }))

  it("invalid retry options are defects that name the option", () => {
    expect(() => Retry.standard({ times: 1.5 })).toThrow(/retry.times/)
    expect(() => Retry.standard({ base: "-1 seconds" })).toThrow(/retry.base/)
    expect(() => Retry.standard({ cap: "soon" as never })).toThrow(/retry.cap/)
    expect(() => Retry.fromSchedule({} as never)).toThrow(/not a Schedule/)
    expect(() => RetryBudget.unsafeMake({ capacity: -1 })).toThrow(/capacity/)
  })
})

describe("RetryBudget", () => {
  it.effect("one budget shared by two clients bounds their retries together, and is readable", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 503)
      const budget = yield* RetryBudget.make({ name: "shared-test", capacity: 10, retryCost: 5 })
      const retry = Retry.standard({ times: 5, budget })
      yield* clocked(
        Effect.gen(function*() {
          const a = yield* ApiClient.make({ baseUrl: base, retry })
          const b = yield* ApiClient.make({ baseUrl: base, retry })
          yield* Effect.flip(a.get("/a"))
          yield* Effect.flip(b.get("/b"))
        }).pipe(Effect.provide(layer))
      )
      expect(seen.map((s) => s.request.path)).toEqual(["/a", "/a", "/a", "/b"])
      expect(RetryBudget.tokens(budget)).toBe(0)
      expect(budget.refusals).toBe(2)
      const gauge = yield* Metric.value(
        ApiClient.metrics.budgetTokens.pipe(Metric.withAttributes({ budget: "shared-test" }))
      )
      expect(gauge.value).toBe(0)
    }))

  it.effect("RetryBudget.layer gives every client made in its scope the same budget", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 503)
      yield* clocked(
        Effect.gen(function*() {
          const a = yield* ApiClient.make({ baseUrl: base })
          const b = yield* ApiClient.make({ baseUrl: base })
          yield* Effect.flip(a.get("/a"))
          yield* Effect.flip(b.get("/b"))
        }).pipe(Effect.provide(Layer.merge(layer, RetryBudget.layer({ capacity: 5, retryCost: 5 }))))
      )
      expect(seen.map((s) => s.request.path)).toEqual(["/a", "/a", "/b"])
    }))

  it.effect("a success refunds what its retries took, never past the capacity", () =>
    Effect.gen(function*() {
      const budget = RetryBudget.unsafeMake({ capacity: 20, retryCost: 5, successRefund: 1 })
      const { layer } = timed(MockHttpClient.sequence(503, 200, 200))
      yield* clocked(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: base, retry: { budget } })
          yield* client.get("/x")
          expect(budget.tokens).toBe(20) // took 5, gave 5 back
          yield* client.get("/x")
          expect(budget.tokens).toBe(20) // a first-try success refunds 1, capped
        }).pipe(Effect.provide(layer))
      )
    }))
})

describe("RetryBudget accounting", () => {
  it.effect("a refund never lifts the budget past its capacity, even when another call refunded meanwhile", () =>
    Effect.gen(function*() {
      const budget = RetryBudget.unsafeMake({ capacity: 10, retryCost: 4, successRefund: 1 })
      const { layer } = timed(
        MockHttpClient.routes({ "/slow": MockHttpClient.sequence(503, 200), "/quick": () => 200 })
      )
      yield* clocked(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: base, retry: { budget, base: "1 second", cap: "1 second" } })
          // /slow takes 4 tokens and waits; /quick gives 1 back meanwhile; /slow then gives its 4 back
          yield* Effect.all([client.get("/slow"), Effect.andThen(Effect.sleep("1 millis"), client.get("/quick"))], {
            concurrency: "unbounded"
          })
        }).pipe(Effect.provide(layer), Random.withSeed(7))
      )
      expect(budget.tokens).toBe(10)
    }))

  it.effect("a retry after a timeout costs timeoutRetryCost, other retries retryCost", () =>
    Effect.gen(function*() {
      const run = (handler: MockHttpClient.Handler) =>
        Effect.gen(function*() {
          const budget = RetryBudget.unsafeMake({ capacity: 15, retryCost: 5, timeoutRetryCost: 10 })
          const { layer, seen } = timed(handler)
          yield* clocked(
            Effect.exit(
              Effect.flatMap(
                ApiClient.make({
                  baseUrl: base,
                  retry: { times: 5, budget, base: "1 millis", cap: "1 millis" },
                  timeout: { attempt: "1 second", total: "1 minute" }
                }),
                (c) => c.get("/x")
              ).pipe(Effect.provide(layer))
            )
          )
          return { attempts: seen.length, tokens: budget.tokens }
        })
      // timeouts: 15 pays one retry at 10, not a second
      expect(yield* run(() => MockHttpClient.hang)).toEqual({ attempts: 2, tokens: 5 })
      // 503s: 15 pays three retries at 5
      expect(yield* run(() => 503)).toEqual({ attempts: 4, tokens: 0 })
    }))

  it.effect("full jitter: delays reach from near 0 to near the ceiling", () =>
    Effect.gen(function*() {
      const first: Array<number> = []
      for (let seed = 1; seed <= 40; seed++) {
        const { layer, seen } = timed(MockHttpClient.sequence(503, 200))
        yield* clocked(
          Effect.flatMap(ApiClient.make({ baseUrl: base, retry: { base: "1 second", cap: "8 seconds" } }), (c) =>
            c.get("/x"))
            .pipe(Effect.provide(layer), Random.withSeed(seed))
        )
        first.push(times(seen)[1])
      }
      // U(0, 1000): over 40 draws some fall in the lower quarter and some in the upper one
      expect(first.every((d) =>
        d >= 0 && d < 1_000
      )).toBe(true)
      expect(first.some((d) => d < 250)).toBe(true)
      expect(first.some((d) => d > 750)).toBe(true)
    }))
})

describe("ApiClient.withOptions", () => {
  it.effect("changes the calls of one client only, not those another client makes inside its pipeline", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => 503)
      yield* clocked(
        Effect.gen(function*() {
          const audit = yield* ApiClient.make({ baseUrl: base })
          // a per-call policy of the payments client that calls the audit client
          const audited = Policy.make({
            name: "audit",
            stage: "call",
            wrap: (next) => (request) => Effect.andThen(Effect.ignore(audit.get("/audit")), next(request))
          })
          const payments = ApiClient.withOptions(yield* ApiClient.make({ baseUrl: base, policies: [audited] }), {
            retry: false
          })
          yield* Effect.flip(payments.get("/pay"))
          yield* Effect.flip(audit.get("/audit-alone"))
        }).pipe(Effect.provide(layer))
      )
      expect(seen.map((s) => s.request.path)).toEqual([
        "/audit",
        "/audit",
        "/audit",
        "/pay",
        "/audit-alone",
        "/audit-alone",
        "/audit-alone"
      ])
    }))

  it.effect("applied twice, the outer options win; timeouts and idempotency take effect", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(MockHttpClient.sequence(503, 503, { status: 201, delay: "3 seconds" }))
      const exit = yield* clocked(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: base })
          const inner = ApiClient.withOptions(client, { retry: false })
          const outer = ApiClient.withOptions(inner, {
            retry: { times: 2, base: "1 millis", cap: "1 millis" },
            idempotencyKey: "auto",
            timeout: { attempt: "2 seconds" }
          })
          return yield* Effect.exit(outer.post("/orders"))
        }).pipe(Effect.provide(layer))
      )
      expect(seen).toHaveLength(3)
      const keys = new Set(seen.map((s) => s.request.headers["idempotency-key"]))
      expect(keys.size).toBe(1)
      expect(failed(exit)).toEqual({ tag: "TimeoutError", scope: "attempt", attempts: 3 })
    }))

  it("invalid options are defects when the client is derived, naming the option", () => {
    const client = ApiClient.makeWith(MockHttpClient.make(() => 200).pipe(Effect.runSync).client, { baseUrl: base })
    expect(() => ApiClient.withOptions(client, { timeout: { total: "0 millis" } })).toThrow(/timeout.total/)
  })
})

describe("ApiError.isSafeToRetry", () => {
  const fields = {
    request: { method: "POST", url: `${base}/orders` },
    attempts: 1,
    headers: {},
    body: "",
    requestId: Option.none(),
    retryAfter: Option.none()
  }
  it("is method-aware, honours an Idempotency-Key, and proof that nothing was sent", () => {
    const unavailable = new ApiError.ServerError({ ...fields, status: 503 })
    const notFound = new ApiError.NotFoundError({ ...fields, status: 404 })
    const refused = new ApiError.ConnectionError({
      request: fields.request,
      attempts: 1,
      reason: "Refused",
      sent: false,
      detail: ""
    })
    const reset = new ApiError.ConnectionError({ ...refused, reason: "Reset", sent: true })
    expect(ApiError.isSafeToRetry(unavailable, { method: "GET" })).toBe(true)
    expect(ApiError.isSafeToRetry(unavailable, { method: "post" })).toBe(false)
    expect(ApiError.isSafeToRetry(unavailable, HttpClientRequest.post("/orders"))).toBe(false)
    expect(
      ApiError.isSafeToRetry(
        unavailable,
        HttpClientRequest.post("/o").pipe(HttpClientRequest.setHeader("Idempotency-Key", "k"))
      )
    ).toBe(true)
    expect(ApiError.isSafeToRetry(notFound, { method: "GET" })).toBe(false)
    expect(ApiError.isSafeToRetry(refused, { method: "POST" })).toBe(true)
    expect(ApiError.isSafeToRetry(reset, { method: "PATCH" })).toBe(false)
    expect(ApiError.isSafeToRetry(reset, { method: "PUT" })).toBe(true)
  })
})

describe("transport choice", () => {
  const spy = (http: HttpClient.HttpClient | undefined) => {
    const sent: Array<string> = []
    const transport: Transport.Transport = {
      name: "spy",
      httpClient: http,
      send: (request) =>
        Effect.sync(() => {
          sent.push(request.url.pathname)
          return { status: 200, headers: {}, body: new Uint8Array() }
        })
    }
    return { sent, transport }
  }

  it.effect("the Transport in context is used for the HttpClient it serves, and bypassed for another", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.make(() => 200)
      const own = spy(mock.client)
      yield* Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/own")).pipe(
        Effect.provideService(HttpClient.HttpClient, mock.client),
        Effect.provideService(Transport.Transport, own.transport)
      )
      expect(own.sent).toEqual(["/own"])
      expect(yield* mock.requests).toHaveLength(0)

      // a platform transform makes another HttpClient: the spy's does not serve it
      const transformed = mock.client.pipe(HttpClient.mapRequest(HttpClientRequest.setHeader("x-tenant", "acme")))
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(String(message)))
      yield* Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/transformed")).pipe(
        Effect.provideService(HttpClient.HttpClient, transformed),
        Effect.provideService(Transport.Transport, own.transport),
        Effect.provide(Logger.layer([logger])),
        Effect.provideService(References.MinimumLogLevel, "Debug")
      )
      expect(own.sent).toEqual(["/own"])
      const [seen] = yield* mock.requests
      expect(seen.headers["x-tenant"]).toBe("acme")
      expect(logs.join("\n")).toContain("generic transport")
    }))

  it.effect("options.transport wins over the context", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.make(() => 200)
      const chosen = spy(undefined)
      yield* ApiClient.makeWith(mock.client, { baseUrl: base, transport: chosen.transport }).get("/x")
      expect(chosen.sent).toEqual(["/x"])
      expect(yield* mock.requests).toHaveLength(0)
    }))
})
