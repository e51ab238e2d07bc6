import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool, RateLimiter } from "@steady/client"
import { Redis, RedisRateLimiter } from "@steady/redis"
import { TestServer } from "@steady/testing"
import { type Duration, Effect, Layer, Logger, Metric, MetricLabel, Random, Redacted } from "effect"
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
        const store = yield* RedisRateLimiter.store({ name: "property", lease: 1 }).pipe(
          Effect.provide(connect(server.url))
        )
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
      }).pipe(Effect.withRandom(Random.make(7))),
    60_000
  )

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
        // and the quota is used: both ran at least `millis`, together granted most of it
        expect(granted).toBeGreaterThanOrEqual(Math.floor((millis / 10) * 0.8))
        expect(a.refused + b.refused).toBeGreaterThan(0)
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
