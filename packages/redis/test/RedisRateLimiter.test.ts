/**
 * The fleet's rate limiter on a real redis-server: Effect's Redis `RateLimiterStore` under
 * steady's limiter, with leases and a local fallback. Stores on their own connections are
 * processes as far as Redis can tell; one test runs real processes.
 */
import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool, RateLimiter } from "@steady/client"
import { RedisRateLimiter } from "@steady/redis"
import { TestServer } from "@steady/testing"
import { Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import * as RedisServer from "./redisServer.js"
import { connect, counted, fallbacksOf, logged } from "./util.js"

const here = Path.dirname(fileURLToPath(import.meta.url))

describe.skipIf(!RedisServer.available)("RedisRateLimiter.store", () => {
  it.live("a lease takes `lease` permits in one round-trip, and the fleet is never granted more than the bucket holds", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make
      const a = yield* counted(server.url)
      const b = yield* counted(server.url)
      const storeA = yield* RedisRateLimiter.store({ name: "leases", lease: 5 }).pipe(Effect.provide(a.context))
      const storeB = yield* RedisRateLimiter.store({ name: "leases", lease: 5 }).pipe(Effect.provide(b.context))
      // a minute per permit: nothing comes back during the test; 10 in the bucket
      const rate = { emissionMillis: 60_000, burst: 10 }
      const grants = (store: RateLimiter.Store, n: number) =>
        Effect.gen(function*() {
          let granted = 0
          for (let i = 0; i < n; i++) if ((yield* store.take("k", rate, Date.now(), 0)).granted) granted++
          return granted
        })
      // a: two leases of 5, two round-trips for its 7 permits (3 stay leased here)
      expect(yield* grants(storeA, 7)).toBe(7)
      expect(a.calls()).toBe(2)
      // b finds the bucket empty: the lease it asks for is not there, nor is one permit
      expect(yield* grants(storeB, 4)).toBe(0)
      // a's leased permits are still a's, and they are the last
      expect(yield* grants(storeA, 4)).toBe(3)
      // a lease asked for once in vain is not asked for again before the bucket could hold one
      const before = b.calls()
      expect(yield* grants(storeB, 3)).toBe(0)
      expect(b.calls() - before).toBe(3)
    }))

  it.live("callers that waited for a refill in vain are served by the next one: 20 at once in two round-trips, none left over", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make
      const a = yield* counted(server.url)
      const b = yield* counted(server.url)
      const storeA = yield* RedisRateLimiter.store({ name: "waiters", lease: 5 }).pipe(Effect.provide(a.context))
      const storeB = yield* RedisRateLimiter.store({ name: "waiters", lease: 5 }).pipe(Effect.provide(b.context))
      const rate = { emissionMillis: 60_000, burst: 30 }
      const take = (store: RateLimiter.Store) => Effect.map(store.take("k", rate, Date.now(), 0), (p) => p.granted)
      // the first refill (a lease of 5) has 19 callers waiting for it, 4 of whom its lease serves:
      // the next asks for the other 15
      const granted = yield* Effect.all(Array.from({ length: 20 }, () => take(storeA)), { concurrency: "unbounded" })
      expect(granted.filter(Boolean)).toHaveLength(20)
      expect(a.calls()).toBe(2)
      // a took 20 of the 30, none of them left idle here; b gets the other 10, and no more
      const other = yield* Effect.all(Array.from({ length: 12 }, () => take(storeB)))
      expect(other.filter(Boolean)).toHaveLength(10)
    }))

  it.live("a lease the bucket cannot hold takes nothing from it: its permits are still granted one at a time", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make
      const a = yield* counted(server.url)
      const b = yield* counted(server.url)
      const storeA = yield* RedisRateLimiter.store({ name: "short", lease: 5 }).pipe(Effect.provide(a.context))
      const storeB = yield* RedisRateLimiter.store({ name: "short", lease: 5 }).pipe(Effect.provide(b.context))
      const rate = { emissionMillis: 60_000, burst: 8 }
      const take = (store: RateLimiter.Store) => Effect.map(store.take("k", rate, Date.now(), 0), (p) => p.granted)
      // a leases 5 of the 8: 3 are left, fewer than a lease
      expect(yield* take(storeA)).toBe(true)
      // b is refused the lease, and is granted the 3 one at a time, and no more
      const granted = yield* Effect.all(Array.from({ length: 4 }, () => take(storeB)))
      expect(granted).toEqual([true, true, true, false])
      // a's 4 leased permits are still a's
      const leased = yield* Effect.all(Array.from({ length: 5 }, () => take(storeA)))
      expect(leased).toEqual([true, true, true, true, false])
    }))

  it.live("lease 1: every take is one round-trip on Effect's store", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make
      const a = yield* counted(server.url)
      const store = yield* RedisRateLimiter.store({ name: "no-lease", lease: 1 }).pipe(Effect.provide(a.context))
      const rate = { emissionMillis: 60_000, burst: 10 }
      for (let i = 0; i < 6; i++) expect((yield* store.take("k", rate, Date.now(), 0)).granted).toBe(true)
      expect(a.calls()).toBe(6)
      expect(store.leasedKeys).toBe(0)
    }))

  it.live("leases are kept for the keys in use, not for every key ever seen", () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.make
      const context = yield* Layer.build(connect(server.url))
      const store = yield* RedisRateLimiter.store({ name: "swept", lease: 5, leaseTtl: "1 second" }).pipe(
        Effect.provide(context)
      )
      const rate = { emissionMillis: 1, burst: 10 }
      // each key leases 5 permits and uses one; on the caller's clock, each lease has expired
      // by the next key's take (2 s later)
      const t0 = 1_700_000_000_000
      for (let i = 0; i < 1100; i++) yield* store.take(`k${i}`, rate, t0 + i * 2000, 0)
      expect(store.leasedKeys).toBeLessThan(1024)
      expect(store.leasedKeys).toBeGreaterThan(0)
    }), 60_000)

  it.live(
    "keys refused a lease are remembered until the bucket could hold one, not for every key ever seen",
    () =>
      Effect.gen(function*() {
        const server = yield* RedisServer.make
        const drain = yield* RedisRateLimiter.store({ name: "refused", lease: 10 }).pipe(
          Effect.provide(yield* Layer.build(connect(server.url)))
        )
        const store = yield* RedisRateLimiter.store({ name: "refused", lease: 5 }).pipe(
          Effect.provide(yield* Layer.build(connect(server.url)))
        )
        const rate = { emissionMillis: 1, burst: 10 }
        // another process leases each key's whole bucket first: this one is refused its lease,
        // and learns when the bucket could hold one (5 ms later); on the caller's clock, that has
        // passed by the next key's take (2 s later)
        const t0 = 1_700_000_000_000
        for (let i = 0; i < 1100; i++) {
          yield* drain.take(`k${i}`, rate, t0 + i * 2000, 0)
          yield* store.take(`k${i}`, rate, t0 + i * 2000, 0)
        }
        expect(store.leasedKeys).toBeLessThan(1024)
        expect(store.leasedKeys).toBeGreaterThan(0)
      }),
    60_000
  )

  it.live(
    "under contention, two processes with leases on one key are granted no more than the bucket holds",
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
              (error, stdout, stderr) =>
                error ? reject(new Error(stderr)) : resolve(JSON.parse(stdout.trim().split("\n").pop()!))
            )
          )
        const [a, b] = yield* Effect.promise(() => Promise.all([hammer(), hammer()]))
        // from the first take of either to the last take of either
        const elapsed = Math.max(a.end, b.end) - Math.min(a.start, b.start)
        const granted = a.granted + b.granted
        // every 10 ms one permit, plus the burst of 5: never more, however the two interleave
        expect(granted).toBeLessThanOrEqual(5 + Math.ceil(elapsed / 10) + 1)
        // and the burst at least, however slow the machine
        expect(granted).toBeGreaterThanOrEqual(5)
      }),
    60_000
  )
})

describe.skipIf(!RedisServer.available)("RedisRateLimiter when Redis is down", () => {
  const api = TestServer.make((_, res) => TestServer.json(res, 200, { ok: true }))

  it.live("unreachable at start: calls go through on the local limit, one warning, each fallback counted", () =>
    Effect.gen(function*() {
      const server = yield* api
      const lines: Array<string> = []
      const before = yield* fallbacksOf("rate limiter down")
      // nothing listens on port 1; the default command timeout
      const limits = RedisRateLimiter.layer({ name: "down", limit: 1000, interval: "1 second" }).pipe(
        Layer.provide(connect("redis://127.0.0.1:1", "100 millis"))
      )
      yield* logged(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: server.url, policies: [yield* RateLimiter.RateLimiter] })
          for (let i = 0; i < 20; i++) yield* client.get("/x")
        }).pipe(Effect.provide(Layer.merge(limits, ConnectionPool.layer()))),
        lines
      )
      expect(server.requests).toHaveLength(20)
      expect((yield* fallbacksOf("rate limiter down")) - before).toBeGreaterThanOrEqual(20)
      expect(lines.filter((l) => l.includes("is local until it answers"))).toHaveLength(1)
      expect(lines.join("\n")).toContain("redis://127.0.0.1:1")
    }))

  it.live("down: Redis is asked again only once retryAfter has passed, not on every call", () =>
    Effect.gen(function*() {
      const down = yield* counted("redis://127.0.0.1:1", "100 millis") // nothing listens there
      const store = yield* RedisRateLimiter.store({ name: "asks", lease: 1, retryAfter: "1 second" }).pipe(
        Effect.provide(down.context)
      )
      const rate = { emissionMillis: 1, burst: 1000 }
      // the store's clock is the caller's: these instants are the limiter's, not the wall's
      const t0 = 1_700_000_000_000
      const asks: Array<number> = []
      for (const at of [0, 1, 500, 999, 1000, 1001, 1999, 2000]) {
        const permit = yield* store.take("k", rate, t0 + at, 0)
        expect(permit.granted).toBe(true) // the local limit answers
        asks.push(down.calls())
      }
      expect(asks).toEqual([1, 1, 1, 1, 2, 2, 2, 3])
    }))

  it.live(
    "stalled: a take falls back once the command timeout has passed, and is shared again once Redis answers",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const a = yield* counted(redis.url, "100 millis")
        const store = yield* RedisRateLimiter.store({ name: "stalled", lease: 5, retryAfter: "1 millis" }).pipe(
          Effect.provide(a.context)
        )
        const rate = { emissionMillis: 1, burst: 1000 }
        const before = yield* fallbacksOf("rate limiter stalled")
        // connected, then the server stops answering (its connections stay open)
        expect((yield* store.take("k", rate, Date.now(), 0)).granted).toBe(true)
        redis.freeze()
        // each take is answered locally once its command timed out: bounded here so that a take
        // left waiting for the stalled server fails with this message, not by vitest's timeout
        for (let i = 0; i < 3; i++) {
          const permit = yield* store.take(`stalled-${i}`, rate, Date.now(), 0).pipe(
            Effect.timeoutOrElse({
              duration: "2 seconds", // 20 command timeouts: node-redis's own default is 5 s
              orElse: () => Effect.die(new Error("a take waited for a stalled Redis past its command timeout"))
            })
          )
          expect(permit.granted).toBe(true)
        }
        expect((yield* fallbacksOf("rate limiter stalled")) - before).toBe(3)
        redis.thaw()
        // once it answers, a take is Redis's again, not a fallback (bounded in attempts)
        let shared = false
        for (let i = 0; i < 100 && !shared; i++) {
          yield* Effect.sleep("10 millis")
          const fallbacks = yield* fallbacksOf("rate limiter stalled")
          expect((yield* store.take(`again-${i}`, rate, Date.now(), 0)).granted).toBe(true)
          shared = (yield* fallbacksOf("rate limiter stalled")) === fallbacks
        }
        expect(shared).toBe(true)
      }),
    30_000
  )

  it.live(
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
        }).pipe(Layer.provide(connect(redis.url, "100 millis")))
        const failures = yield* logged(
          Effect.gen(function*() {
            const client = yield* ApiClient.make({
              baseUrl: server.url,
              policies: [yield* RateLimiter.RateLimiter],
              retry: false
            })
            let failed = 0
            const calls = (n: number) =>
              Effect.forEach(
                Array.from({ length: n }),
                () => Effect.catch(client.get("/x"), () => Effect.sync(() => void failed++)),
                { concurrency: 4, discard: true }
              )
            yield* calls(40)
            yield* Effect.promise(() => redis.kill())
            yield* calls(40)
            yield* Effect.promise(() => redis.restart())
            // the store asks Redis again within retryAfter, and the client reconnects: bounded in calls
            for (let i = 0; i < 200 && !lines.some((l) => l.includes("shared again")); i++) {
              yield* calls(4)
              yield* Effect.sleep("20 millis")
            }
            return failed
          }).pipe(Effect.provide(Layer.merge(limits, ConnectionPool.layer()))),
          lines
        )
        expect(failures).toBe(0)
        expect(lines.some((l) => l.includes("is local until it answers"))).toBe(true)
        expect(lines.some((l) => l.includes("shared again"))).toBe(true)
      }),
    60_000
  )
})
