/**
 * The fleet's retry budget on a real redis-server: two budgets on their own connections are two
 * processes as far as Redis can tell.
 */
import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool, Retry } from "@steady/client-effect3"
import { Redis, RedisRetryBudget } from "@steady/redis-effect3"
import { TestServer } from "@steady/testing-effect3"
import { Cause, Effect, Exit, Layer, Logger, Redacted, type Scope } from "effect"
import { describe, expect } from "vitest"
import * as RedisServer from "./redisServer.js"

const connect = (url: string) => Redis.layer({ url: Redacted.make(url), prefix: "t", commandTimeout: "5 seconds" })

interface Process {
  readonly budget: RedisRetryBudget.SharedRetryBudget
  readonly client: ApiClient.Client
  /** Waits (bounded: 10 s) until this budget has synced `n` more times. */
  readonly syncs: (n: number) => Effect.Effect<void>
}

const process_ = (
  redisUrl: string,
  baseUrl: string,
  options: Partial<RedisRetryBudget.Options> = {}
): Effect.Effect<Process, never, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(Layer.merge(connect(redisUrl), ConnectionPool.layer()))
    const budget = yield* RedisRetryBudget.make({ name: "fleet", capacity: 20, retryCost: 5, ...options }).pipe(
      Effect.provide(context)
    )
    const client = yield* ApiClient.make({
      baseUrl,
      retry: Retry.standard({ times: 3, base: "1 millis", budget })
    }).pipe(Effect.provide(context))
    const syncs = (n: number) =>
      Effect.gen(function*() {
        const target = budget.syncs + n
        for (let i = 0; i < 1000 && budget.syncs < target; i++) yield* Effect.sleep("10 millis")
        expect(budget.syncs).toBeGreaterThanOrEqual(target)
      })
    return { budget, client, syncs }
  })

const failing = TestServer.make((_, res) => TestServer.json(res, 503, { down: true }))

describe.skipIf(!RedisServer.available)("RedisRetryBudget", () => {
  it.scopedLive(
    "the retries one process spent are spent for the others, from their next sync",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const server = yield* failing
        const [a, b] = yield* Effect.all([1, 2].map(() => process_(redis.url, server.url)))
        // a: two calls, three retries each at 5 tokens; the fourth retry finds 5 left, then 0
        yield* Effect.either(a.client.get("/x"))
        expect(a.budget.tokens).toBe(5)
        yield* Effect.either(a.client.get("/x"))
        expect(a.budget.tokens).toBe(0)
        expect(server.requests).toHaveLength(4 + 2)
        yield* a.syncs(2)
        yield* b.syncs(2)
        expect(b.budget.tokens).toBe(0)
        // b has not retried once, and may not: the fleet's budget is spent
        const error = yield* Effect.flip(b.client.get("/x"))
        expect(error).toMatchObject({ _tag: "ServerError", attempts: 1 })
        expect(server.requests).toHaveLength(7)
        expect(b.budget.refusals).toBe(1)
      }),
    60_000
  )

  it.scopedLive(
    "refunds reach the fleet too, and the balance stays within [0, capacity]",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const server = yield* failing
        const [a, b] = yield* Effect.all([1, 2].map(() => process_(redis.url, server.url)))
        // both spend at once, more than there is: the fleet's balance stops at 0
        for (const p of [a, b]) for (let i = 0; i < 4; i++) expect(p.budget.acquire(false)).toBe(5)
        yield* Effect.all([a.syncs(2), b.syncs(2)])
        expect([a.budget.tokens, b.budget.tokens]).toEqual([0, 0])
        // a refunds 15; b sees it
        a.budget.release(15)
        yield* a.syncs(2)
        yield* b.syncs(2)
        expect(b.budget.tokens).toBe(15)
        // refunds past the capacity are capped for the fleet
        a.budget.release(100)
        b.budget.release(100)
        yield* Effect.all([a.syncs(2), b.syncs(2)])
        yield* Effect.all([a.syncs(1), b.syncs(1)])
        expect([a.budget.tokens, b.budget.tokens]).toEqual([20, 20])
      }),
    60_000
  )

  it.scopedLive(
    "refunds never lift the fleet's balance past its capacity: the fleet then spends at most the capacity",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const server = yield* failing
        const [a, b] = yield* Effect.all([1, 2].map(() => process_(redis.url, server.url)))
        // each spends 5 of 20; the fleet has 10
        for (const p of [a, b]) expect(p.budget.acquire(false)).toBe(5)
        yield* Effect.all([a.syncs(2), b.syncs(2)])
        expect([a.budget.tokens, b.budget.tokens]).toEqual([10, 10])
        // each refunds far more than it spent: each is full here at once, never past it
        a.budget.release(100)
        b.budget.release(100)
        expect([a.budget.tokens, b.budget.tokens]).toEqual([20, 20])
        yield* Effect.all([a.syncs(2), b.syncs(2)])
        // both sent +10 to a balance of 10: Redis holds the capacity, not 30
        expect(Number(yield* Effect.promise(() => RedisServer.get(redis, "t:retry-budget:fleet")))).toBe(20)
        // so the fleet can spend 20, and no more: a spends it, b finds it spent
        for (let i = 0; i < 4; i++) expect(a.budget.acquire(false)).toBe(5)
        yield* a.syncs(2)
        yield* b.syncs(2)
        expect(b.budget.tokens).toBe(0)
        expect(b.budget.acquire(false)).toBeUndefined()
      }),
    60_000
  )

  it.scopedLive(
    "Redis unreachable: the budget is local, and no call fails because of Redis",
    () =>
      Effect.gen(function*() {
        const server = yield* failing
        const lines: Array<string> = []
        const a = yield* process_("redis://127.0.0.1:1", server.url).pipe(
          Effect.provide(
            Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))
          )
        )
        yield* Effect.either(a.client.get("/x"))
        yield* Effect.either(a.client.get("/x"))
        yield* Effect.either(a.client.get("/x"))
        // 20 tokens: four retries, then none; the calls fail with the server's error
        expect(server.requests).toHaveLength(4 + 2 + 1)
        expect(a.budget.tokens).toBe(0)
        expect(lines.filter((l) => l.includes("retry budget fleet is local until it answers"))).toHaveLength(1)
      }),
    60_000
  )

  it("bad numbers are defects that name the option", () => {
    const made = (options: RedisRetryBudget.Options) =>
      Effect.runSync(Effect.exit(
        Effect.scoped(RedisRetryBudget.make(options)).pipe(
          Effect.provideService(Redis.Redis, {} as Redis.Redis)
        )
      )).pipe((exit) => Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "made")
    expect(String(made({ name: "x", capacity: -1 }))).toMatch(/capacity/)
    expect(String(made({ name: "has space" }))).toMatch(/name/)
    expect(String(made({ name: "x", syncInterval: 0 }))).toMatch(/syncInterval/)
  })
})
