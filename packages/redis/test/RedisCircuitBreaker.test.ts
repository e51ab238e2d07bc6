/**
 * The fleet's circuit breaker on a real redis-server: Effect's `CircuitBreaker` on its Redis
 * store, as steady's policy, behind steady's fallback. Breakers on their own connections are
 * processes as far as Redis can tell; one test runs real worker processes.
 */
import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client"
import { RedisCircuitBreaker, type RedisCircuitBreaker as Breaker } from "@steady/redis"
import { TestServer } from "@steady/testing"
import { type Duration, Effect, Fiber, Layer, type Scope } from "effect"
import { CircuitBreaker } from "effect/persistence"
import { describe, expect } from "vitest"
import * as RedisServer from "./redisServer.js"
import { connect, fallbacksOf, logged } from "./util.js"
import { spawnWorker } from "./worker.process.js"

/**
 * The API: answers `status`, and records every request; while `hold` is set it holds its
 * answers until `release()` (a probe that is out for as long as the test needs, on any machine).
 */
const api = Effect.gen(function*() {
  const state = { status: 503, hold: false }
  const held: Array<() => void> = []
  const server = yield* TestServer.make((_, res) => {
    const reply = () => TestServer.json(res, state.status, { status: state.status })
    if (state.hold) held.push(reply)
    else reply()
  })
  const release = () => {
    state.hold = false
    for (const reply of held.splice(0)) reply()
  }
  return { server, state, release }
})

interface Process {
  readonly client: ApiClient.Client
  /** The call's error tag (or "ok"), and the breaker state a refusal names. */
  readonly call: Effect.Effect<string>
}

/** One "process": its own Redis connection, breaker and client. */
const process_ = (
  redisUrl: string,
  baseUrl: string,
  options: Partial<Breaker.Options> = {},
  commandTimeout: Duration.Input = "5 seconds"
): Effect.Effect<Process, never, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(Layer.merge(connect(redisUrl, commandTimeout), ConnectionPool.layer()))
    const breaker = yield* RedisCircuitBreaker.make({
      name: "fleet",
      tripPolicy: CircuitBreaker.consecutive(3),
      openDuration: "300 millis",
      ...options
    }).pipe(Effect.provide(context))
    const client = yield* ApiClient.make({ baseUrl, retry: false, policies: [breaker] }).pipe(Effect.provide(context))
    const call = Effect.match(client.get("/x"), {
      onSuccess: () => "ok",
      onFailure: (e) => e._tag === "CircuitOpenError" ? `open:${e.state}` : e._tag
    })
    return { client, call }
  })

describe.skipIf(!RedisServer.available)("RedisCircuitBreaker", () => {
  it.live(
    "a circuit one process opens is open in the others at their next attempt: no sync to wait for",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { server } = yield* api
        const options = { openDuration: "1 minute" } as const
        const [a, b, c] = yield* Effect.all([1, 2, 3].map(() => process_(redis.url, server.url, options)))
        for (let i = 0; i < 3; i++) expect(yield* a.call).toBe("ServerError")
        // the opening reached Redis with a's third outcome: b and c ask Redis on their next attempt
        expect(yield* b.call).toBe("open:open")
        expect(yield* c.call).toBe("open:open")
        expect(server.requests).toHaveLength(3)
      }),
    60_000
  )

  it.live(
    "when the open period is over, one process probes for the fleet, and its success closes it everywhere",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { release, server, state } = yield* api
        const [a, b, c] = yield* Effect.all([1, 2, 3].map(() => process_(redis.url, server.url)))
        for (let i = 0; i < 3; i++) expect(yield* a.call).toBe("ServerError")
        expect(yield* b.call).toBe("open:open")
        // the open period (300 ms) ends; the API recovers, and holds its answer to the probe
        yield* Effect.sleep("350 millis")
        state.status = 200
        state.hold = true
        const probe = yield* Effect.forkChild(c.call)
        for (let i = 0; i < 500 && server.requests.length < 4; i++) yield* Effect.sleep("10 millis")
        expect(server.requests).toHaveLength(4)
        // while c probes, the fleet is refused: half-open, nothing sent
        expect(yield* a.call).toBe("open:half-open")
        expect(yield* b.call).toBe("open:half-open")
        expect(server.requests).toHaveLength(4)
        release()
        expect(yield* Fiber.join(probe)).toBe("ok")
        // the probe's success closed the circuit in Redis: every process sends again
        expect(yield* a.call).toBe("ok")
        expect(yield* b.call).toBe("ok")
        expect(server.requests).toHaveLength(6)
      }),
    60_000
  )
})

describe.skipIf(!RedisServer.available)("RedisCircuitBreaker when Redis is down", () => {
  it.live(
    "unreachable: the breaker works as a local one, and no call fails because of Redis",
    () =>
      Effect.gen(function*() {
        const { server, state } = yield* api
        const lines: Array<string> = []
        const before = yield* fallbacksOf("circuit breaker fleet")
        const outcomes = yield* logged(
          Effect.gen(function*() {
            // nothing listens on port 1; a short command timeout, as in production
            const p = yield* process_("redis://127.0.0.1:1", server.url, { retryAfter: "50 millis" }, "100 millis")
            const out: Array<string> = []
            for (let i = 0; i < 4; i++) out.push(yield* p.call)
            // the local circuit is open for 300 ms, then lets a probe through
            yield* Effect.sleep("350 millis")
            state.status = 200
            out.push(yield* p.call, yield* p.call)
            return out
          }),
          lines
        )
        // opened locally after 3 failures in a row; probed locally; closed
        expect(outcomes).toEqual(["ServerError", "ServerError", "ServerError", "open:open", "ok", "ok"])
        expect(server.requests).toHaveLength(5)
        expect((yield* fallbacksOf("circuit breaker fleet")) - before).toBeGreaterThan(0)
        expect(lines.filter((l) => l.includes("circuit breaker fleet is local until it answers"))).toHaveLength(1)
      }),
    60_000
  )

  it.live(
    "killed mid-run: no call fails because of it, and the circuits are shared again once it is back",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { server, state } = yield* api
        const lines: Array<string> = []
        yield* logged(
          Effect.gen(function*() {
            const options = { retryAfter: "50 millis" } as const
            const [a, b] = yield* Effect.all([1, 2].map(() => process_(redis.url, server.url, options, "100 millis")))
            state.status = 200
            yield* Effect.promise(() => redis.kill())
            for (let i = 0; i < 20; i++) {
              expect(yield* a.call).toBe("ok")
              expect(yield* b.call).toBe("ok")
            }
            yield* Effect.promise(() => redis.restart())
            for (let i = 0; i < 250 && lines.filter((l) => l.includes("is shared again")).length < 2; i++) {
              expect(yield* a.call).toBe("ok")
              expect(yield* b.call).toBe("ok")
              yield* Effect.sleep("20 millis")
            }
            expect(lines.filter((l) => l.includes("is shared again"))).toHaveLength(2)
            // shared again: a circuit a opens is open in b
            state.status = 503
            for (let i = 0; i < 3; i++) expect(yield* a.call).toBe("ServerError")
            expect(yield* b.call).toBe("open:open")
          }),
          lines
        )
        expect(lines.some((l) => l.includes("is local until it answers"))).toBe(true)
      }),
    60_000
  )
})

describe.skipIf(!RedisServer.available)("RedisCircuitBreaker across processes", () => {
  const spawnBreakerWorker = (redisUrl: string, apiUrl: string) =>
    spawnWorker<{ outcome: string; millis: number }>("breakerWorker.ts", [redisUrl, apiUrl], 60_000)

  it.live(
    "a circuit opened in this process is open in two worker processes at their next call",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { server, state } = yield* api
        state.status = 200
        const workers = [spawnBreakerWorker(redis.url, server.url), spawnBreakerWorker(redis.url, server.url)]
        yield* Effect.promise(() => Promise.all(workers.map((w) => w.ready)))
        state.status = 503
        const here = yield* process_(redis.url, server.url, { openDuration: "1 minute" })
        for (let i = 0; i < 3; i++) expect(yield* here.call).toBe("ServerError")
        for (const w of workers) w.signal("opened")
        const reports = yield* Effect.promise(() => Promise.all(workers.map((w) => w.done)))
        console.log(`breaker workers: ${JSON.stringify(reports)}`)
        for (const r of reports) expect(r.outcome).toBe("open:open")
        // the workers sent their warm-up call and nothing after: their one call was refused
        expect(server.requests.filter((r) => r.url === "/x")).toHaveLength(3)
        expect(server.requests.filter((r) => r.url === "/warm-up")).toHaveLength(2)
      }),
    90_000
  )
})
