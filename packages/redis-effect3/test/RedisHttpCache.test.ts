/**
 * The HTTP cache's Redis store on a real redis-server: two connections are two processes as
 * far as Redis can tell.
 */
import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool, HttpCache } from "@steady/client-effect3"
import { Redis, RedisHttpCache } from "@steady/redis-effect3"
import { TestServer } from "@steady/testing-effect3"
import { Duration, Effect, Layer, Redacted } from "effect"
import { describe, expect } from "vitest"
import * as RedisServer from "./redisServer.js"

const connect = (url: string) => Redis.layer({ url: Redacted.make(url), prefix: "t", commandTimeout: "2 seconds" })

const origin = (body: string, cacheControl = "max-age=60") =>
  TestServer.make((_, res) => {
    res.writeHead(200, { "cache-control": cacheControl, "content-type": "text/plain" })
    res.end(body)
  })

/** A process: its own Redis connection, its own cache and client on the shared store. */
const process_ = (redisUrl: string, baseUrl: string, options: RedisHttpCache.Options = {}) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(connect(redisUrl))
    const store = yield* RedisHttpCache.store(options).pipe(Effect.provide(context))
    const client = yield* ApiClient.make({
      baseUrl,
      retry: false,
      policies: [HttpCache.unsafeMake({ name: "fleet", store })]
    })
    return { client, store }
  })

const state = (client: ApiClient.Client, path: string) =>
  Effect.map(client.get(path), (r) => r.headers[HttpCache.header])

describe.skipIf(!RedisServer.available)("RedisHttpCache", () => {
  it.scopedLive(
    "one process's answer is another's hit; the key Redis sees is a hash; the TTL comes from freshness",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const server = yield* origin("shared", "max-age=60, stale-if-error=30")
        const a = yield* process_(redis.url, server.url)
        const b = yield* process_(redis.url, server.url)
        expect(yield* state(a.client, "/pets?token=s3cr3t")).toBe("miss")
        expect(yield* state(b.client, "/pets?token=s3cr3t")).toBe("hit")
        expect(server.requests).toHaveLength(1)
        const keys = (yield* Effect.promise(() => RedisServer.command(redis, "KEYS", "t:httpcache:*"))) as Array<string>
        expect(keys).toHaveLength(1)
        expect(keys[0]).not.toContain("s3cr3t")
        const ttl = Number(yield* Effect.promise(() => RedisServer.command(redis, "PTTL", keys[0])))
        expect(ttl).toBeGreaterThan(80_000)
        expect(ttl).toBeLessThanOrEqual(90_000)
      }).pipe(Effect.provide(ConnectionPool.layer())),
    30_000
  )

  it.scopedLive(
    "a body longer than maxResponseBytes is not stored; a stored value that is not an entry is a miss",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const server = yield* origin("x".repeat(100))
        const a = yield* process_(redis.url, server.url, { maxResponseBytes: 99 })
        yield* state(a.client, "/big")
        expect(yield* state(a.client, "/big")).toBe("miss")
        const keys = (yield* Effect.promise(() => RedisServer.command(redis, "KEYS", "t:httpcache:*"))) as Array<string>
        expect(keys).toHaveLength(0)
        const b = yield* process_(redis.url, server.url)
        yield* state(b.client, "/small")
        const [key] = (yield* Effect.promise(() => RedisServer.command(redis, "KEYS", "t:httpcache:*"))) as Array<
          string
        >
        yield* Effect.promise(() => RedisServer.command(redis, "SET", key, "{\"status\":\"not an entry\"}"))
        expect(yield* state(b.client, "/small")).toBe("miss")
      }).pipe(Effect.provide(ConnectionPool.layer())),
    30_000
  )

  it.scopedLive(
    "a stored value longer than the reader's bound is a miss before it is parsed (headers count, not only the body)",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const server = yield* origin("unused")
        const writer = yield* process_(redis.url, server.url)
        const reader = yield* process_(redis.url, server.url, { maxResponseBytes: 1000 })
        // a small body under headers far past the reader's bound (its body bound plus 64 KiB for the rest)
        const entry: HttpCache.Entry = {
          status: 200,
          headers: { "x-padding": "p".repeat(200_000) },
          body: new TextEncoder().encode("small"),
          requestTime: 0,
          responseTime: 0,
          vary: {}
        }
        yield* writer.store.set("GET http://api.test/padded", entry, Duration.hours(1))
        expect((yield* writer.store.get("GET http://api.test/padded"))?.headers["x-padding"]).toHaveLength(200_000)
        expect(yield* reader.store.get("GET http://api.test/padded")).toBeUndefined()
      }).pipe(Effect.provide(ConnectionPool.layer())),
    30_000
  )

  it.scopedLive("a Redis that is down is a miss, never a failed call", () =>
    Effect.gen(function*() {
      const redis = yield* RedisServer.make
      const server = yield* origin("up")
      const a = yield* process_(redis.url, server.url)
      yield* state(a.client, "/pets")
      yield* Effect.promise(() => redis.kill())
      const response = yield* a.client.get("/pets")
      expect(response.status).toBe(200)
      expect(response.headers[HttpCache.header]).toBe("miss")
      const failure = yield* Effect.flip(a.store.get("any"))
      expect(failure._tag).toBe("HttpCacheStoreError")
    }).pipe(Effect.provide(ConnectionPool.layer())), 30_000)
})
