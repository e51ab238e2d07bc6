/**
 * The fleet's circuit breaker on a real redis-server: several stores on their own connections
 * are several processes as far as Redis can tell (each its own cache, counts and probe token);
 * one test runs real worker processes for the bound on how late a process learns of an open
 * circuit.
 */
import { it } from "@effect/vitest"
import { ApiClient, type ApiError, CircuitBreaker, ConnectionPool } from "@steady/client-effect3"
import { Redis, RedisCircuitBreaker } from "@steady/redis-effect3"
import { TestServer } from "@steady/testing-effect3"
import { Duration, Effect, Either, Fiber, Layer, Logger, Metric, MetricLabel, Redacted, type Scope } from "effect"
import { describe, expect } from "vitest"
import * as RedisServer from "./redisServer.js"
import { spawnWorker } from "./worker.process.js"

const connect = (url: string, commandTimeout: Duration.DurationInput = "5 seconds") =>
  Redis.layer({ url: Redacted.make(url), prefix: "t", commandTimeout })

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
  readonly store: RedisCircuitBreaker.Store
  readonly breaker: CircuitBreaker.CircuitBreaker
  readonly client: ApiClient.Client
  /** The call's error tag (or "ok"), and the breaker state a refusal names. */
  readonly call: Effect.Effect<string>
  /** Waits (bounded: 10 s) until this process has synced `n` more times. */
  readonly syncs: (n: number) => Effect.Effect<void>
}

/** One "process": its own Redis connection, store, breaker and client. */
const process_ = (
  redisUrl: string,
  baseUrl: string,
  options: Partial<CircuitBreaker.Options> & Partial<RedisCircuitBreaker.StoreOptions> = {}
): Effect.Effect<Process, never, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(Layer.merge(connect(redisUrl), ConnectionPool.layer()))
    const store = yield* RedisCircuitBreaker.store({ name: "fleet", ...options }).pipe(Effect.provide(context))
    const breaker = yield* CircuitBreaker.make({
      key: "origin",
      consecutiveFailures: 3,
      openDuration: "300 millis",
      ...options,
      store
    })
    const client = yield* ApiClient.make({ baseUrl, retry: false, policies: [breaker] }).pipe(Effect.provide(context))
    const call = Effect.map(
      Effect.either(client.get("/x")),
      Either.match({
        onRight: () => "ok",
        onLeft: (e) => e._tag === "CircuitOpenError" ? `open:${(e as ApiError.CircuitOpenError).state}` : e._tag
      })
    )
    const syncs = (n: number) =>
      Effect.gen(function*() {
        const target = store.syncs + n
        for (let i = 0; i < 1000 && store.syncs < target; i++) yield* Effect.sleep("10 millis")
        expect(store.syncs).toBeGreaterThanOrEqual(target)
      })
    return { store, breaker, client, call, syncs }
  })

/**
 * Each process calls once while the API is up: a process learns of a circuit it has not used
 * yet at its first sync after the first call, so that one call is not refused.
 */
const warmUp = (state: { status: number }, processes: ReadonlyArray<Process>) =>
  Effect.gen(function*() {
    state.status = 200
    for (const p of processes) expect(yield* p.call).toBe("ok")
    state.status = 503
  })

describe.skipIf(!RedisServer.available)("RedisCircuitBreaker", () => {
  it.scopedLive(
    "a circuit one process opens is open in the others by their second sync after it",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { server, state } = yield* api
        const options = { openDuration: "1 minute" } as const
        const [a, b, c] = yield* Effect.all([1, 2, 3].map(() => process_(redis.url, server.url, options)))
        yield* warmUp(state, [a, b, c])
        for (let i = 0; i < 3; i++) expect(yield* a.call).toBe("ServerError")
        // the opening has reached Redis (it is awaited): the others' next sync that starts
        // after it brings it in, so two completed syncs are enough, however slow the machine
        yield* Effect.all([b.syncs(2), c.syncs(2)])
        expect(yield* b.call).toBe("open:open")
        expect(yield* c.call).toBe("open:open")
        expect(server.requests).toHaveLength(6)
      }),
    60_000
  )

  it.scopedLive(
    "when the open period is over, one process probes for the fleet, and its success closes it everywhere",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { release, server, state } = yield* api
        const [a, b, c] = yield* Effect.all([1, 2, 3].map(() => process_(redis.url, server.url)))
        yield* warmUp(state, [a, b, c])
        for (let i = 0; i < 3; i++) expect(yield* a.call).toBe("ServerError")
        // every process knows of the circuit (open, or over and waiting for its probe)
        yield* Effect.all([b.syncs(2), c.syncs(2)])
        // the open period (300 ms on Redis's clock) runs out for every process (each reckons it
        // from the reply that told it, so none of them ends before Redis's); then the three ask
        const ends = [a, b, c].map((p) => p.store.view(server.url, p.breaker.options)?.openUntil ?? 0)
        expect(Math.min(...ends)).toBeGreaterThan(0)
        yield* Effect.sleep(Math.max(...ends) - Date.now() + 1)
        state.status = 200
        state.hold = true // the probe stays out until the other two have been answered
        const sent = server.requests.length
        const processes = [a, b, c]
        const calls = yield* Effect.all(processes.map((p) => Effect.fork(p.call)))
        const refused = () => processes.filter((_, i) => calls[i].unsafePoll() !== null)
        const waiting = () =>
          server.requests.length - sent <= 1 && (refused().length < 2 || server.requests.length === sent)
        for (let i = 0; i < 1000 && waiting(); i++) {
          yield* Effect.sleep("10 millis")
        }
        // one probe reached the server, the others were refused while it was out
        expect(server.requests.length - sent).toBe(1)
        expect(refused()).toHaveLength(2)
        for (const [i, f] of calls.entries()) {
          if (f.unsafePoll() !== null) expect(yield* Fiber.join(f), `process ${i}`).toMatch(/^open:/)
        }
        // each of them asks the fleet (one whose own reckoning of the open period ran a few ms past
        // Redis's asks on its next call), and is told a probe is out: one process probes at a time
        for (const p of refused()) {
          let outcome = ""
          for (let i = 0; i < 100 && outcome !== "open:half-open"; i++) {
            outcome = yield* p.call
            if (outcome !== "open:half-open") yield* Effect.sleep("20 millis")
          }
          expect(outcome).toBe("open:half-open")
        }
        expect(server.requests.length - sent).toBe(1)
        release()
        const prober = calls.find((f) => f.unsafePoll() === null)!
        const probed = yield* Fiber.join(prober).pipe(
          Effect.timeoutFail({
            duration: "10 seconds",
            onTimeout: () => new Error("the probe was not answered once released")
          })
        )
        expect(probed).toBe("ok")

        // its success closed the circuit in Redis: the others ask again and find it closed
        for (const p of [a, b, c]) {
          let outcome = ""
          for (let i = 0; i < 100 && outcome !== "ok"; i++) {
            outcome = yield* p.call
            if (outcome !== "ok") yield* Effect.sleep("20 millis")
          }
          expect(outcome).toBe("ok")
        }
      }),
    60_000
  )

  it.scopedLive(
    "the fleet's window opens a circuit that no process alone saw enough attempts to open",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { server, state } = yield* api
        const options = {
          consecutiveFailures: 100,
          minimumThroughput: 10,
          failureRatio: 0.5,
          window: "1 minute",
          openDuration: "1 minute"
        } as const
        const [a, b] = yield* Effect.all([1, 2].map(() => process_(redis.url, server.url, options)))
        for (let i = 0; i < 6; i++) {
          state.status = i % 2 === 0 ? 503 : 200
          yield* a.call
          yield* b.call
        }
        // each has 6 attempts, 3 failed: below its own minimum of 10; the fleet has 12, 6 failed
        for (const p of [a, b]) expect((yield* CircuitBreaker.circuits(p.breaker))[0].state).toBe("closed")
        yield* Effect.all([a.syncs(2), b.syncs(2)])
        expect(yield* a.call).toBe("open:open")
        expect(yield* b.call).toBe("open:open")
        expect(server.requests).toHaveLength(12)
      }),
    60_000
  )

  it.scopedLive(
    "the fleet's window drops outcomes exactly at its end: nine buckets back count, ten do not",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { server } = yield* api
        // buckets of a day (a tenth of the window): no test run straddles one but at midnight, and
        // then it tries again
        const day = 86_400_000
        const options = {
          consecutiveFailures: 100,
          minimumThroughput: 4,
          failureRatio: 0.5,
          window: "10 days",
          openDuration: "1 minute"
        } as const
        /** Redis's clock (the scripts' one), in buckets. */
        const bucket = Effect.map(
          Effect.promise(() => RedisServer.command(redis, "TIME") as Promise<[string, string]>),
          ([seconds, micros]) => Math.floor((Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)) / day)
        )
        /** Three failures `age` buckets ago in the fleet's window, and one now: is the circuit open? */
        const withFailuresAgo = (age: number) =>
          Effect.gen(function*() {
            for (let run = 0; run < 3; run++) {
              const name = `window-${age}-${run}`
              const p = yield* process_(redis.url, server.url, { ...options, name })
              const key = `t:circuit-breaker:${name}:${server.url}`
              const now = yield* bucket
              yield* Effect.promise(() => RedisServer.command(redis, "HSET", key, `b${now - age}`, "3"))
              expect(yield* p.call).toBe("ServerError")
              yield* p.syncs(2)
              const next = yield* p.call
              if ((yield* bucket) === now) return next
            }
            throw new Error("three runs straddled a bucket's end")
          })
        // 3 + 1 failures of 4 attempts: it opens
        expect(yield* withFailuresAgo(9)).toBe("open:open")
        // the old ones have left the window: 1 attempt, under the minimum throughput
        expect(yield* withFailuresAgo(10)).toBe("ServerError")
      }),
    60_000
  )

  it.scopedLive(
    "a probe that fails reopens the circuit for the fleet, for twice as long",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { server, state } = yield* api
        const options = { openDuration: "1 second" } as const
        const [a, b] = yield* Effect.all([1, 2].map(() => process_(redis.url, server.url, options)))
        yield* warmUp(state, [a, b])
        for (let i = 0; i < 3; i++) yield* a.call
        yield* b.syncs(2)
        const [first] = yield* CircuitBreaker.circuits(a.breaker)
        yield* Effect.sleep(first.retryAfter)
        let outcome = ""
        for (let i = 0; i < 100 && outcome !== "ServerError"; i++) {
          outcome = yield* b.call // b is the one to probe, and the server still fails
          if (outcome !== "ServerError") yield* Effect.sleep("20 millis")
        }
        expect(outcome).toBe("ServerError")
        yield* a.syncs(2)
        // opened twice since it last closed, for the fleet: 2 s, less what has passed since
        expect(a.store.view(server.url, a.breaker.options)?.opens).toBe(2)
        expect(
          yield* Effect.promise(() =>
            RedisServer.command(redis, "HGET", `t:circuit-breaker:fleet:${server.url}`, "opens")
          )
        )
          .toBe("2")
        const refused = yield* Effect.flip(a.client.get("/x"))
        expect(refused).toMatchObject({ _tag: "CircuitOpenError", state: "open" })
        const left = (refused as ApiError.CircuitOpenError).retryAfter
        expect(Duration.toMillis(left)).toBeGreaterThan(0)
        expect(Duration.toMillis(left)).toBeLessThanOrEqual(2000)
      }),
    60_000
  )
})

describe.skipIf(!RedisServer.available)("RedisCircuitBreaker when Redis is down", () => {
  const fallbacksOf = (store: string) =>
    Metric.value(Metric.taggedWithLabels(Redis.fallbacks, [MetricLabel.make("store", store)]))

  it.scopedLive(
    "unreachable: the breaker works as a local one, and no call fails because of Redis",
    () =>
      Effect.gen(function*() {
        const { server, state } = yield* api
        const lines: Array<string> = []
        const before = (yield* fallbacksOf("circuit breaker fleet")).count
        const outcomes = yield* Effect.gen(function*() {
          // nothing listens on port 1; a short command timeout, as in production
          const p = yield* process_("redis://127.0.0.1:1", server.url, { retryAfter: "50 millis" as const })
          const out: Array<string> = []
          for (let i = 0; i < 4; i++) out.push(yield* p.call)
          const [circuit] = yield* CircuitBreaker.circuits(p.breaker)
          yield* Effect.sleep(circuit.retryAfter)
          state.status = 200
          out.push(yield* p.call, yield* p.call)
          return out
        }).pipe(
          Effect.provide(
            Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))
          )
        )
        // opened locally after 3 failures in a row; probed locally; closed
        expect(outcomes).toEqual(["ServerError", "ServerError", "ServerError", "open:open", "ok", "ok"])
        expect(server.requests).toHaveLength(5)
        expect((yield* fallbacksOf("circuit breaker fleet")).count - before).toBeGreaterThan(0)
        expect(lines.filter((l) => l.includes("circuit breaker fleet is local until it answers"))).toHaveLength(1)
      }),
    60_000
  )

  it.scopedLive(
    "killed mid-run: no call fails because of it, and the circuits are shared again once it is back",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { server, state } = yield* api
        const lines: Array<string> = []
        yield* Effect.gen(function*() {
          const options = { retryAfter: "50 millis" } as const
          const [a, b] = yield* Effect.all([1, 2].map(() => process_(redis.url, server.url, options)))
          state.status = 200
          yield* Effect.promise(() => redis.kill())
          for (let i = 0; i < 20; i++) {
            expect(yield* a.call).toBe("ok")
            expect(yield* b.call).toBe("ok")
          }
          yield* Effect.promise(() => redis.restart())
          for (let i = 0; i < 250 && !lines.some((l) => l.includes("is shared again")); i++) {
            expect(yield* a.call).toBe("ok")
            yield* Effect.sleep("20 millis")
          }
          expect(lines.some((l) => l.includes("is shared again"))).toBe(true)
          // shared again: a circuit a opens is open in b
          state.status = 503
          for (let i = 0; i < 3; i++) yield* a.call
          yield* b.syncs(2)
          expect(yield* b.call).toBe("open:open")
        }).pipe(
          Effect.provide(
            Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))
          )
        )
        expect(lines.some((l) => l.includes("is local until it answers"))).toBe(true)
      }),
    60_000
  )
})

describe.skipIf(!RedisServer.available)("RedisCircuitBreaker across processes", () => {
  const spawnBreakerWorker = (redisUrl: string, apiUrl: string) =>
    spawnWorker<{ outcome: string; syncs: number; millis: number }>("breakerWorker.ts", [redisUrl, apiUrl], 60_000)

  it.scopedLive(
    "a circuit opened in this process is open in two worker processes by their second sync after it",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { server } = yield* api
        const workers = [spawnBreakerWorker(redis.url, server.url), spawnBreakerWorker(redis.url, server.url)]
        yield* Effect.promise(() => Promise.all(workers.map((w) => w.ready)))
        const here_ = yield* process_(redis.url, server.url, { openDuration: "1 minute" })
        for (let i = 0; i < 3; i++) expect(yield* here_.call).toBe("ServerError")
        for (const w of workers) w.signal("opened")
        const reports = yield* Effect.promise(() => Promise.all(workers.map((w) => w.done)))
        console.log(`breaker workers: ${JSON.stringify(reports)}`)
        for (const r of reports) {
          expect(r.outcome).toBe("open:open")
          expect(r.syncs).toBeGreaterThanOrEqual(2)
        }
        // the workers sent their warm-up call and nothing after: their one call was refused
        expect(server.requests.filter((r) => r.url === "/x")).toHaveLength(3)
        expect(server.requests.filter((r) => r.url === "/warm-up")).toHaveLength(2)
      }),
    90_000
  )
})
