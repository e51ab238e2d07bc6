import { it } from "@effect/vitest"
import { ApiClient, type ApiError, ConnectionPool, RateLimiter } from "@steady/client-effect3"
import { Redis, RedisRateLimiter } from "@steady/redis-effect3"
import { TestServer } from "@steady/testing-effect3"
import {
  Context,
  Duration,
  Effect,
  Either,
  Layer,
  Logger,
  Metric,
  MetricLabel,
  Option,
  Random,
  Redacted,
  type Scope
} from "effect"
import { execFile } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import * as RedisServer from "./redisServer.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const connect = (url: string, commandTimeout: Duration.DurationInput = "100 millis") =>
  Redis.layer({ url: Redacted.make(url), prefix: "t", commandTimeout })

const fallbacksOf = (store: string) =>
  Metric.value(Metric.taggedWithLabels(Redis.fallbacks, [MetricLabel.make("store", store)]))

describe.skipIf(!RedisServer.available)("RedisRateLimiter.store", () => {
  it.scopedLive(
    "property: the script grants what steady's GCRA grants, for random rates, bursts and waits",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make
        // the connection lives as long as the test (a layer provided to the store alone would
        // close with it, and every take would be the local fallback's, not the script's)
        const context = yield* Layer.build(connect(server.url, "5 seconds"))
        const store = yield* RedisRateLimiter.store({ name: "property", lease: 1 }).pipe(Effect.provide(context))
        const before = (yield* fallbacksOf("rate limiter property")).count
        for (let run = 0; run < 40; run++) {
          // emissions of seconds: the few milliseconds between two takes cannot change a verdict
          const rate = {
            emissionMillis: (yield* Random.nextIntBetween(1, 60)) * 1000,
            burst: yield* Random.nextIntBetween(1, 8)
          }
          const maxWait = (yield* Random.nextIntBetween(0, 5)) * rate.emissionMillis
          const model = RateLimiter.memoryStore()
          const key = `k${run}`
          for (let i = 0; i < 12; i++) {
            const now = Date.now()
            const expected = yield* model.take(key, rate, now, maxWait)
            const got = yield* store.take(key, rate, now, maxWait)
            expect(got.granted).toBe(expected.granted)
            if (got.granted) {
              expect(Math.abs(got.waitMillis - expected.waitMillis)).toBeLessThan(rate.emissionMillis / 10)
            }
          }
        }
        // every answer was the script's
        expect((yield* fallbacksOf("rate limiter property")).count - before).toBe(0)
      }).pipe(Effect.withRandom(Random.make(7))),
    60_000
  )

  it.scopedLive(
    "after a pause the server imposed, permits are spaced as steady's GCRA spaces them: no burst at its end",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make
        const context = yield* Layer.build(connect(server.url, "5 seconds"))
        // emissions of seconds: the few milliseconds between the model's clock and Redis's are noise
        const rate = { emissionMillis: 1000, burst: 3 }
        const maxWait = 60_000
        for (const lease of [1, 5]) {
          const store = yield* RedisRateLimiter.store({ name: `paused-${lease}`, lease }).pipe(Effect.provide(context))
          const model = RateLimiter.memoryStore()
          const now = Date.now()
          yield* model.pause("k", rate, now + 2000)
          yield* store.pause("k", rate, now + 2000)
          const waits: Array<number> = []
          for (let i = 0; i < 5; i++) {
            const at = Date.now()
            const expected = yield* model.take("k", rate, at, maxWait)
            const got = yield* store.take("k", rate, at, maxWait)
            expect(got.granted, `lease ${lease}, permit ${i}`).toBe(true)
            expect(Math.abs(got.waitMillis - expected.waitMillis), `lease ${lease}, permit ${i}`).toBeLessThan(100)
            waits.push(Math.round(got.waitMillis / 1000))
          }
          // the first permit when the pause ends, then one a second: the burst is not all there at once
          expect(waits, `lease ${lease}`).toEqual([2, 3, 4, 5, 6])
        }
      }),
    60_000
  )

  it.scopedLive("leases are kept for the keys in use, not for every key ever seen", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make
      const context = yield* Layer.build(connect(server.url, "5 seconds"))
      const store = (yield* RedisRateLimiter.store({ name: "leases", lease: 5, leaseTtl: "1 second" }).pipe(
        Effect.provide(context)
      )) as RateLimiter.Store & { readonly leasedKeys: number }
      const rate = { emissionMillis: 1, burst: 10 }
      // each key leases 5 permits and uses one; on the caller's clock, each lease has expired
      // by the next key's take (2 s later)
      const t0 = 1_700_000_000_000
      for (let i = 0; i < 1100; i++) yield* store.take(`k${i}`, rate, t0 + i * 2000, 0)
      expect(store.leasedKeys).toBeLessThan(1024)
      expect(store.leasedKeys).toBeGreaterThan(0)
    }), 60_000)

  it.scopedLive(
    "under contention, two processes on one key are granted no more than the bucket holds",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make
        const millis = 1500
        const hammer = () =>
          new Promise<{ granted: number; refused: number; start: number; end: number }>((resolve, reject) =>
            execFile(
              process.execPath,
              [
                "--import",
                "tsx",
                "--conditions=@steady/source",
                Path.join(here, "hammer.ts"),
                server.url,
                "10",
                "5",
                "5",
                String(millis)
              ],
              { timeout: 60_000 },
              (
                error,
                stdout,
                stderr
              ) => (error ? reject(new Error(stderr)) : resolve(JSON.parse(stdout.trim().split("\n").pop()!)))
            )
          )
        const [a, b] = yield* Effect.promise(() => Promise.all([hammer(), hammer()]))
        // from the first take of either to the last take of either
        const elapsed = Math.max(a.end, b.end) - Math.min(a.start, b.start)
        const granted = a.granted + b.granted
        // every 10 ms one permit, plus the burst of 5: never more, however the two interleave
        expect(granted).toBeLessThanOrEqual(5 + Math.ceil(elapsed / 10) + 1)
        // and the burst at least, however slow the machine (how much more depends on its speed:
        // the script's verdicts themselves are the property test's)
        expect(granted).toBeGreaterThanOrEqual(5)
      }),
    60_000
  )
})

describe.skipIf(!RedisServer.available)("when Redis is down", () => {
  const api = TestServer.make((_, res) => TestServer.json(res, 200, { ok: true }))

  it.scopedLive("unreachable at start: calls go through on the local limit, one warning, each fallback counted", () =>
    Effect.gen(function*() {
      const server = yield* api
      const lines: Array<string> = []
      const before = (yield* fallbacksOf("rate limiter down")).count
      const limits = RedisRateLimiter.layer({ name: "down", limit: 1000, interval: "1 second" }).pipe(
        Layer.provide(connect("redis://127.0.0.1:1")) // nothing listens there
      )
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: server.url, policies: [yield* RateLimiter.RateLimiter] })
        for (let i = 0; i < 20; i++) yield* client.get("/x")
      }).pipe(
        Effect.provide(Layer.merge(limits, ConnectionPool.layer())),
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message)))))
      )
      expect(server.requests).toHaveLength(20)
      expect((yield* fallbacksOf("rate limiter down")).count - before).toBeGreaterThanOrEqual(20)
      expect(lines.filter((l) => l.includes("is local until it answers"))).toHaveLength(1)
      expect(lines.join("\n")).toContain("redis://127.0.0.1:1")
    }))

  it.scopedLive("down: Redis is asked again only once retryAfter has passed, not on every call", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(connect("redis://127.0.0.1:1")) // nothing listens there
      const store = yield* RedisRateLimiter.store({ name: "asks", lease: 1, retryAfter: "1 second" }).pipe(
        Effect.provide(context)
      )
      // count what reaches the connection (the store calls its script through the client)
      const client = Context.get(context, Redis.Redis).client as unknown as Record<string, unknown>
      const script = client.steadyTake as (...args: Array<unknown>) => Promise<unknown>
      let asked = 0
      client.steadyTake = (...args: Array<unknown>) => {
        asked++
        return script.apply(client, args)
      }
      const rate = { emissionMillis: 1, burst: 1000 }
      // the store's clock is the caller's: these instants are the limiter's, not the wall's
      const t0 = 1_700_000_000_000
      const asks: Array<number> = []
      for (const at of [0, 1, 500, 999, 1000, 1001, 1999, 2000]) {
        const permit = yield* store.take("k", rate, t0 + at, 0)
        expect(permit.granted).toBe(true) // the local limit answers
        asks.push(asked)
      }
      expect(asks).toEqual([1, 1, 1, 1, 2, 2, 2, 3])
    }))

  it.scopedLive(
    "killed mid-run: no call fails, limits fall back to local, and are shared again once it is back",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const server = yield* api
        const lines: Array<string> = []
        const limits = RedisRateLimiter.layer({
          name: "crash",
          limit: 200,
          interval: "1 second",
          retryAfter: "100 millis"
        }).pipe(Layer.provide(connect(redis.url)))
        const failures = yield* Effect.gen(function*() {
          const client = yield* ApiClient.make({
            baseUrl: server.url,
            policies: [yield* RateLimiter.RateLimiter],
            retry: false
          })
          let failed = 0
          const calls = (n: number) =>
            Effect.forEach(
              Array.from({ length: n }),
              () => Effect.catchAll(client.get("/x"), () => Effect.sync(() => void failed++)),
              { concurrency: 4, discard: true }
            )
          yield* calls(40)
          yield* Effect.promise(() => redis.kill())
          yield* calls(40)
          yield* Effect.promise(() => redis.restart())
          // the store asks Redis again within retryAfter, and ioredis reconnects: bounded in calls
          for (let i = 0; i < 200 && !lines.some((l) => l.includes("shared again")); i++) {
            yield* calls(4)
            yield* Effect.sleep("20 millis")
          }
          return failed
        }).pipe(
          Effect.provide(Layer.merge(limits, ConnectionPool.layer())),
          Effect.provide(
            Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))
          )
        )
        expect(failures).toBe(0)
        expect(lines.some((l) => l.includes("is local until it answers"))).toBe(true)
        expect(lines.some((l) => l.includes("shared again"))).toBe(true)
      }),
    60_000
  )
})

describe.skipIf(!RedisServer.available)("a pause the server asks for, across the fleet", () => {
  const day = 86_400
  /** The three styles a server says "stop for `seconds`" in. */
  const styles = (seconds: number) =>
    [
      { style: "429 Retry-After", status: 429, headers: { "retry-after": String(seconds) } },
      {
        style: "RateLimit-Remaining/Reset",
        status: 200,
        headers: { "ratelimit-remaining": "0", "ratelimit-reset": String(seconds) }
      },
      {
        style: "X-RateLimit-Remaining/Reset",
        status: 200,
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + seconds) }
      }
    ] as const
  const rate = { limit: 10, interval: "1 second", burst: 10 } as const
  const emission = 100

  /** One "process": its own connection, store and limiter (maxWait 0: a pause is a refusal). */
  const process_ = (redisUrl: string, baseUrl: string, name: string, retry = true): Effect.Effect<
    { readonly call: Effect.Effect<Either.Either<number, ApiError.ApiError>>; readonly redis: Redis.Redis },
    never,
    Scope.Scope
  > =>
    Effect.gen(function*() {
      const context = yield* Layer.build(Layer.merge(connect(redisUrl, "5 seconds"), ConnectionPool.layer()))
      const store = yield* RedisRateLimiter.store({ name }).pipe(Effect.provide(context))
      const limiter = yield* RateLimiter.make({ ...rate, name, key: "origin", maxWait: 0, store })
      const client = yield* ApiClient.make({ baseUrl, retry: retry ? undefined : false, policies: [limiter] }).pipe(
        Effect.provide(context)
      )
      return {
        call: Effect.either(Effect.map(client.get("/x"), (r) => r.status)),
        redis: Context.get(context, Redis.Redis)
      }
    })

  /** The limiter's key in Redis, and how long it lives (ms; -2 when there is none). */
  const ttl = (redis: Redis.Redis, name: string) =>
    Effect.promise(async () => {
      const keys = await redis.client.keys(`t:rate-limiter:${name}:*`)
      expect(keys.length).toBeLessThanOrEqual(1)
      return keys.length === 0 ? -2 : redis.client.pttl(keys[0])
    })

  it.scopedLive(
    "one asking for a day, in each header style: the other process is not blocked, and the key lives briefly",
    () =>
      Effect.gen(function*() {
        const redisServer = yield* RedisServer.make
        for (const [i, { headers, status, style }] of styles(day).entries()) {
          let n = 0
          const api = yield* TestServer.make((_, res) =>
            n++ === 0 ? TestServer.json(res, status, {}, headers) : TestServer.json(res, 200, {})
          )
          const name = `day-${i}`
          const [a, b] = yield* Effect.all([1, 2].map(() => process_(redisServer.url, api.url, name)))
          const first = yield* a.call
          if (status === 429) {
            // the caller gets the server's value, typed
            const error = Either.getLeft(first).pipe(Option.getOrThrow)
            expect(error._tag, style).toBe("RateLimitError")
            expect(Option.map((error as ApiError.RateLimitError).retryAfter, Duration.toSeconds), style).toEqual(
              Option.some(day)
            )
          } else {
            expect(first, style).toEqual(Either.right(200))
          }
          // the fleet was not paused: the other process is let through at once, and so is this one
          expect(yield* b.call, style).toEqual(Either.right(200))
          expect(yield* a.call, style).toEqual(Either.right(200))
          expect(api.requests, style).toHaveLength(3)
          // the key holds three permits' worth of state, not a day's: at most the burst's span and a second
          const left = yield* ttl(a.redis, name)
          expect(left, style).toBeGreaterThan(0)
          expect(left, style).toBeLessThanOrEqual(rate.burst * emission + 1000)
        }
      }),
    60_000
  )

  it.scopedLive(
    "one within maxPause is fleet-wide, and bounded by it: the other process is refused for no longer",
    () =>
      Effect.gen(function*() {
        const redisServer = yield* RedisServer.make
        for (const [i, { headers, status, style }] of styles(30).entries()) {
          let n = 0
          const api = yield* TestServer.make((_, res) =>
            n++ === 0 ? TestServer.json(res, status, {}, headers) : TestServer.json(res, 200, {})
          )
          const name = `half-minute-${i}`
          // no retries: the 429's caller would otherwise wait the 30 s itself
          const [a, b] = yield* Effect.all([1, 2].map(() => process_(redisServer.url, api.url, name, false)))
          yield* a.call
          const refused = Either.getLeft(yield* b.call).pipe(Option.getOrThrow)
          expect(refused._tag, style).toBe("RateLimiterRejectedError")
          const wait = Duration.toMillis((refused as ApiError.RateLimiterRejectedError).retryAfter)
          expect(wait, style).toBeGreaterThan(0)
          expect(wait, style).toBeLessThanOrEqual(30_000)
          expect(yield* ttl(a.redis, name), style).toBeLessThanOrEqual(30_000 + rate.burst * emission + 1000)
        }
      }),
    60_000
  )
})
