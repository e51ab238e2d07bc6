import { it } from "@effect/vitest"
import { ApiClient, ApiError, Bulkhead, CircuitBreaker, ConnectionPool, RateLimiter, Resilience } from "@steady/client"
import * as headers from "@steady/core/RateLimitHeaders"
import { MockHttpClient, TestServer } from "@steady/testing"
import { Cause, Clock, Duration, Effect, Exit, Fiber, Metric, Option } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { clocked, collectLogs, joinNow, pendingSleeps, type Seen, timed } from "./util.js"

const base = "https://api.example"
const times = (seen: ReadonlyArray<Seen>) => seen.map((s) => s.at)

/** The typed failure of an effect that must fail. */
const failure = <A>(effect: Effect.Effect<A, ApiError.ApiError>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isNone(error)) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
    return error.value
  })

/** Lets forked fibers run until `ready` holds (at most 100 turns of the scheduler). */
const settle = (ready: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 100 && !ready(); i++) yield* Effect.yieldNow
    expect(ready()).toBe(true)
  })

describe("CircuitBreaker", () => {
  it.effect("opens after N failures in a row, refuses without sending, then one probe closes it", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ name: "pets", consecutiveFailures: 3, openDuration: "2 seconds" })
      const { layer, seen } = timed(MockHttpClient.sequence(503, 503, 503, 200))
      const logs: Array<string> = []
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] })
        for (let i = 0; i < 3; i++) expect((yield* failure(client.get("/pets")))._tag).toBe("ServerError")
        const refused = yield* failure(client.get("/pets"))
        expect(refused).toMatchObject({ _tag: "CircuitOpenError", breaker: "pets", state: "open", attempts: 1 })
        expect(Duration.toMillis((refused as ApiError.CircuitOpenError).retryAfter)).toBe(2000)
        expect(refused.message).toContain("not sent")
        expect(seen).toHaveLength(3)
        const open = CircuitBreaker.metrics.openCircuits.pipe(Metric.withAttributes({ breaker: "pets" }))
        expect((yield* Metric.value(open)).value).toBe(1)

        yield* TestClock.adjust("1999 millis")
        expect((yield* failure(client.get("/pets")))._tag).toBe("CircuitOpenError")
        yield* TestClock.adjust("1 millis")
        expect((yield* client.get("/pets")).status).toBe(200)
        expect((yield* client.get("/pets")).status).toBe(200)
        expect(seen).toHaveLength(5)
        const [circuit] = yield* CircuitBreaker.circuits(breaker)
        expect(circuit.state).toBe("closed")
        expect((yield* Metric.value(open)).value).toBe(0)
      }).pipe(Effect.provide(layer), Effect.provide(collectLogs(logs)))
      expect(logs.filter((l) => l.includes("circuit breaker pets"))).toEqual([
        expect.stringMatching(
          /^WARN steady: circuit breaker pets opened .*reason=3 failures in a row.*openMillis=2000/
        ),
        expect.stringMatching(/^INFO steady: circuit breaker pets is half-open/),
        expect.stringMatching(/^INFO steady: circuit breaker pets is closed/)
      ])
    }))

  it.effect("a failed probe reopens it for twice as long, up to maxOpenDuration", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({
        consecutiveFailures: 1,
        openDuration: "1 second",
        maxOpenDuration: "3 seconds"
      })
      const { layer } = timed(() => 500)
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] }), layer)
      const openFor = Effect.gen(function*() {
        const e = (yield* failure(client.get("/x"))) as ApiError.CircuitOpenError
        return Duration.toMillis(e.retryAfter)
      })
      yield* failure(client.get("/x"))
      expect(yield* openFor).toBe(1000)
      const periods: Array<number> = []
      for (let i = 0; i < 3; i++) {
        yield* TestClock.adjust(Duration.millis(periods.at(-1) ?? 1000))
        expect((yield* failure(client.get("/x")))._tag).toBe("ServerError") // the probe
        periods.push(yield* openFor)
      }
      expect(periods).toEqual([2000, 3000, 3000])
    }).pipe(Effect.provide(MockHttpClient.layer(() => 500))))

  it.effect("half-open lets halfOpenProbes attempts through at a time and refuses the rest", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({
        consecutiveFailures: 1,
        openDuration: "1 second",
        halfOpenProbes: 2
      })
      let n = 0
      const { layer, seen } = timed(() => (n++ === 0 ? 503 : { status: 200, delay: "100 millis" }))
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] }), layer)
      yield* failure(client.get("/x"))
      yield* TestClock.adjust("1 second")
      const probes = yield* Effect.all([client.get("/x"), client.get("/x")], { concurrency: 2 }).pipe(Effect.forkChild)
      yield* settle(() => seen.length === 3)
      // refused at once: a third attempt let through would wait for its 100 ms answer
      const third = yield* joinNow(
        yield* Effect.forkChild(failure(client.get("/x"))),
        "a third attempt was let through while both probes were out"
      )
      expect(third).toMatchObject({ _tag: "CircuitOpenError", state: "half-open" })
      yield* TestClock.adjust("100 millis")
      yield* joinNow(probes, "the probes did not complete once their answers were due")
      // two successful probes close it
      expect((yield* CircuitBreaker.circuits(breaker))[0].state).toBe("closed")
      expect(seen).toHaveLength(3)
    }))

  it.effect("the ratio trigger needs minimumThroughput attempts in the window, and old ones slide out", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({
        consecutiveFailures: 100,
        failureRatio: 0.5,
        minimumThroughput: 10,
        window: "10 seconds"
      })
      let n = 0
      const { layer } = timed(() => (n++ % 2 === 0 ? 200 : 503))
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] }), layer)
      const state = Effect.map(CircuitBreaker.circuits(breaker), (c) => c[0]?.state ?? "closed")
      // 9 attempts, 4 failures: under the minimum throughput
      for (let i = 0; i < 9; i++) yield* Effect.result(client.get("/x"))
      expect(yield* state).toBe("closed")
      // 11 seconds later those have slid out: 9 more (4 failed of 9) do not trip it
      yield* TestClock.adjust("11 seconds")
      n = 0
      for (let i = 0; i < 9; i++) yield* Effect.result(client.get("/x"))
      expect(yield* state).toBe("closed")
      // the 10th attempt fails: 5 of 10 in the window
      yield* Effect.result(client.get("/x"))
      expect(yield* Effect.result(client.get("/x"))).toMatchObject({ failure: { _tag: "CircuitOpenError" } })
      expect(yield* state).toBe("open")
    }))

  it.effect("a success resets the count of failures in a row", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ consecutiveFailures: 3, failureRatio: 1 })
      const { layer, seen } = timed(MockHttpClient.sequence(503, 503, 200, 503, 503, 200))
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] }), layer)
      for (let i = 0; i < 5; i++) yield* Effect.result(client.get("/x"))
      // two in a row since the success: still closed, and the sixth attempt is sent
      const [circuit] = yield* CircuitBreaker.circuits(breaker)
      expect(circuit).toMatchObject({ state: "closed", failuresInARow: 2 })
      expect((yield* client.get("/x")).status).toBe(200)
      expect(seen).toHaveLength(6)
    }))

  it.effect("once a circuit has closed, the next outage opens it for openDuration again, not a doubled period", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({
        consecutiveFailures: 1,
        openDuration: "1 second",
        maxOpenDuration: "1 minute"
      })
      const { layer } = timed(MockHttpClient.sequence(503, 503, 503, 200, 503))
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] }), layer)
      const openFor = Effect.map(
        failure(client.get("/x")),
        (e) => Duration.toMillis((e as ApiError.CircuitOpenError).retryAfter)
      )
      yield* failure(client.get("/x"))
      expect(yield* openFor).toBe(1000)
      yield* TestClock.adjust("1 second")
      yield* failure(client.get("/x")) // a probe fails: 2 s
      expect(yield* openFor).toBe(2000)
      yield* TestClock.adjust("2 seconds")
      yield* failure(client.get("/x")) // fails again: 4 s
      expect(yield* openFor).toBe(4000)
      yield* TestClock.adjust("4 seconds")
      expect((yield* client.get("/x")).status).toBe(200) // the probe succeeds: closed
      expect((yield* CircuitBreaker.circuits(breaker))[0].state).toBe("closed")
      // a new outage: the first period again
      yield* failure(client.get("/x"))
      expect(yield* openFor).toBe(1000)
    }))

  describe("the failure-ratio window drops an outcome exactly when the window has passed", () => {
    const options = { consecutiveFailures: 100, failureRatio: 0.5, minimumThroughput: 4, window: "10 seconds" } as const
    /** Three attempts at t0 (a bucket's start), two failed; one more fails `later`: does it open? */
    const opensAfter = (later: Duration.Input) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(1_700_000_000_000)
        const breaker = yield* CircuitBreaker.make(options)
        const { layer } = timed(MockHttpClient.sequence(503, 200, 503, 503))
        const client = yield* Effect.provide(
          ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] }),
          layer
        )
        for (let i = 0; i < 3; i++) yield* Effect.result(client.get("/x"))
        yield* TestClock.adjust(later)
        const [before] = yield* CircuitBreaker.circuits(breaker)
        yield* failure(client.get("/x"))
        const [after] = yield* CircuitBreaker.circuits(breaker)
        return { counted: [before.calls, before.failures], state: after.state }
      })

    it.effect("counted up to the last millisecond of the window", () =>
      Effect.gen(function*() {
        // 3 failures of 4 attempts in the window: it opens
        expect(yield* opensAfter("9999 millis")).toEqual({ counted: [3, 2], state: "open" })
      }))

    it.effect("gone at the window's end", () =>
      Effect.gen(function*() {
        // the failures have left the window: 1 attempt, under the minimum throughput
        expect(yield* opensAfter("10 seconds")).toEqual({ counted: [0, 0], state: "closed" })
      }))
  })

  it.effect("4xx never counts; 5xx, timeouts and connection errors do", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ consecutiveFailures: 3 })
      const replies = [404, 403, 400, 404, 422, 409, MockHttpClient.refused, 502, MockHttpClient.hang]
      const { layer, seen } = timed(MockHttpClient.sequence(...replies))
      const client = yield* Effect.provide(
        ApiClient.make({ baseUrl: base, retry: false, timeout: { attempt: "1 second" }, policies: [breaker] }),
        layer
      )
      const tags: Array<string> = []
      for (let i = 0; i < replies.length + 1; i++) tags.push((yield* failure(clocked(client.get("/x"))))._tag)
      expect(tags.slice(6)).toEqual(["ConnectionError", "ServerError", "TimeoutError", "CircuitOpenError"])
      expect(seen).toHaveLength(replies.length)
    }))

  it.effect("the retry stage does not burn attempts on an open circuit", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({ consecutiveFailures: 2 })
      const { layer, seen } = timed(() => 503)
      const client = yield* Effect.provide(
        ApiClient.make({ baseUrl: base, retry: { times: 5 }, policies: [breaker] }),
        layer
      )
      const error = yield* failure(clocked(client.get("/x")))
      expect(error).toMatchObject({ _tag: "CircuitOpenError", attempts: 3 })
      expect(seen).toHaveLength(2)
      expect(ApiError.isRetryable(error)).toBe(false)
      expect(ApiError.isSafeToRetry(error, { method: "GET" })).toBe(false)
      expect(ApiError.isRejectedError(error)).toBe(true)
    }))

  it.effect("keyed per client by default; key: origin shares a circuit between clients of one breaker", () =>
    Effect.gen(function*() {
      const { layer } = timed(() => 503)
      const opensAcross = (key: "client" | "origin") =>
        Effect.gen(function*() {
          const breaker = yield* CircuitBreaker.make({ consecutiveFailures: 1, key })
          const a = yield* ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] })
          const b = yield* ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] })
          yield* Effect.result(a.get("/x"))
          return (yield* failure(b.get("/x")))._tag
        }).pipe(Effect.provide(layer))
      expect(yield* opensAcross("client")).toBe("ServerError")
      expect(yield* opensAcross("origin")).toBe("CircuitOpenError")
    }))

  it.effect("a breaker shared through its layer", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.CircuitBreaker
      const a = yield* ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] })
      const b = yield* ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] })
      yield* Effect.result(a.get("/x"))
      expect((yield* failure(b.get("/x")))._tag).toBe("CircuitOpenError")
    }).pipe(
      Effect.provide(CircuitBreaker.layer({ consecutiveFailures: 1, key: "origin" })),
      Effect.provide(MockHttpClient.layer(() => 503))
    ))

  it.effect("keyed by path, it keeps the circuits that hold news, not every one ever used", () =>
    Effect.gen(function*() {
      const breaker = yield* CircuitBreaker.make({
        consecutiveFailures: 2,
        minimumThroughput: 1_000_000,
        openDuration: "1 minute",
        window: "10 seconds"
      })
      // the outcomes of attempts, recorded directly (a full call per key is slow)
      const record = (k: string, failed: boolean, now: number) =>
        (breaker as unknown as { record: (k: string, probe: boolean, failed: boolean, now: number) => unknown })
          .record(k, false, failed, now)
      // one circuit open, and 1100 keys that failed once then succeeded (closed, none in a row)
      record("down", true, 0)
      record("down", true, 0)
      for (let i = 0; i < 1100; i++) {
        record(`a${i}`, true, 0)
        record(`a${i}`, false, 0)
      }
      // once the window has passed those are as good as new, and go at the next sweep
      for (let i = 0; i < 1100; i++) record(`c${i}`, true, 10_000)
      const circuits = yield* CircuitBreaker.circuits(breaker)
      expect(circuits.length).toBeLessThan(1200)
      expect(circuits.find((c) => c.key === "down")?.state).toBe("open")
      expect(circuits.filter((c) => c.key.startsWith("c"))).toHaveLength(1100)
    }))

  it("options out of range are defects that name the option", () => {
    expect(() => CircuitBreaker.unsafeMake({ failureRatio: 1.5 })).toThrow(/failureRatio/)
    expect(() => CircuitBreaker.unsafeMake({ failureRatio: 0 })).toThrow(/failureRatio/)
    expect(() => CircuitBreaker.unsafeMake({ window: 0 })).toThrow(/window/)
    expect(() => CircuitBreaker.unsafeMake({ consecutiveFailures: 0 })).toThrow(/consecutiveFailures/)
    expect(() => CircuitBreaker.unsafeMake({ halfOpenProbes: 1.5 })).toThrow(/halfOpenProbes/)
    expect(() => CircuitBreaker.unsafeMake({ openDuration: "2 seconds", maxOpenDuration: "1 second" })).toThrow(
      /maxOpenDuration/
    )
    expect(() => CircuitBreaker.unsafeMake({ key: "host" as any })).toThrow(/key/)
  })
})

/**
 * A fleet's store, in memory: what @steady/redis does on Redis, as a model for the breaker's
 * side of the contract. `as(id)` is one process's view of it.
 */
const modelFleet = () => {
  const circuits = new Map<string, CircuitBreaker.SharedCircuit>()
  const leases = new Map<string, string>()
  const recorded: Array<[string, boolean]> = []
  const calls: Array<string> = []
  const as = (id: string): CircuitBreaker.Store => ({
    view: (k) => circuits.get(k),
    record: (k, failed) => void recorded.push([k, failed]),
    open: (k, local) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          calls.push(`${id} open`)
          const now = clock.currentTimeMillisUnsafe()
          const current = circuits.get(k)
          if (current !== undefined && current.openUntil > now) return current
          circuits.set(k, local)
          leases.delete(k)
          return local
        })
      ),
    probe: (k) =>
      Effect.clockWith((clock) =>
        Effect.sync((): CircuitBreaker.ProbeVerdict => {
          calls.push(`${id} probe`)
          const current = circuits.get(k)
          if (current === undefined) return { _tag: "Closed" }
          if (current.openUntil > clock.currentTimeMillisUnsafe()) return { _tag: "Open", circuit: current }
          const holder = leases.get(k)
          if (holder !== undefined && holder !== id) return { _tag: "Busy", retryAfterMillis: 100 }
          leases.set(k, id)
          return { _tag: "Probe" }
        })
      ),
    close: (k) =>
      Effect.sync(() => {
        calls.push(`${id} close`)
        circuits.delete(k)
        leases.delete(k)
        return undefined
      }),
    release: (k) =>
      Effect.sync(() => {
        calls.push(`${id} release`)
        if (leases.get(k) === id) leases.delete(k)
      })
  })
  return { as, circuits, recorded, calls }
}

describe("CircuitBreaker with a store (shared by processes)", () => {
  const options = { key: "origin", consecutiveFailures: 2, openDuration: "1 second" } as const

  it.effect("a circuit one process opens is open in the others; one probe for the fleet closes it", () =>
    Effect.gen(function*() {
      const fleet = modelFleet()
      let status = 503
      const { layer, seen } = timed(() => (status === 200 ? { status, delay: "50 millis" } : status))
      const [a, b] = yield* Effect.all(["a", "b"].map((id) =>
        Effect.flatMap(
          CircuitBreaker.make({ ...options, name: id, store: fleet.as(id) }),
          (breaker) => ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] })
        )
      )).pipe(Effect.provide(layer))
      for (let i = 0; i < 2; i++) expect((yield* failure(a.get("/x")))._tag).toBe("ServerError")
      expect(fleet.calls).toEqual(["a open"])
      expect(fleet.circuits.get(base)?.openUntil).toBe((yield* Clock.currentTimeMillis) + 1000)
      // b never failed, and is refused without sending
      const refused = yield* failure(b.get("/x"))
      expect(refused).toMatchObject({ _tag: "CircuitOpenError", breaker: "b", state: "open" })
      expect(seen).toHaveLength(2)

      yield* TestClock.adjust("1 second")
      status = 200
      const probe = yield* Effect.forkChild(a.get("/x"))
      yield* settle(() => seen.length === 3)
      // b asks while a probes: refused, and told when to ask again
      const busy = (yield* failure(b.get("/x"))) as ApiError.CircuitOpenError
      expect(busy).toMatchObject({ state: "half-open" })
      expect(Duration.toMillis(busy.retryAfter)).toBe(100)
      expect((yield* failure(b.get("/x")))._tag).toBe("CircuitOpenError") // within the 100 ms: not even asked
      yield* TestClock.adjust("50 millis")
      expect((yield* joinNow(probe, "the probe did not complete once its answer was due")).status).toBe(200)
      expect(fleet.circuits.size).toBe(0)
      yield* TestClock.adjust("50 millis")
      expect((yield* clocked(b.get("/x"))).status).toBe(200) // asks again: the fleet has closed it
      expect(fleet.calls).toEqual(["a open", "a probe", "b probe", "a close", "b probe"])
      expect(seen).toHaveLength(4)
    }))

  it.effect("outcomes in a closed circuit are counted for the fleet; probes are not", () =>
    Effect.gen(function*() {
      const fleet = modelFleet()
      const breaker = yield* CircuitBreaker.make({ ...options, store: fleet.as("a") })
      const client = yield* ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] })
      for (let i = 0; i < 4; i++) yield* Effect.result(client.get("/x"))
      yield* TestClock.adjust("1 second")
      expect((yield* client.get("/x")).status).toBe(200) // the probe
      expect(fleet.recorded).toEqual([[base, false], [base, false], [base, true], [base, true]])
      expect(fleet.calls).toEqual(["a open", "a probe", "a close"])
    }).pipe(Effect.provide(MockHttpClient.layer(MockHttpClient.sequence(200, 404, 503, 503, 200)))))

  it.effect("a probe that fails reopens it for the fleet; an interrupted one hands the lease back", () =>
    Effect.gen(function*() {
      const fleet = modelFleet()
      const { layer } = timed(() => ({ status: 503, delay: "1 second" }))
      const breaker = yield* CircuitBreaker.make({ ...options, consecutiveFailures: 1, store: fleet.as("a") })
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] }), layer)
      yield* failure(clocked(client.get("/x")))
      yield* TestClock.adjust("1 second")
      const interrupted = yield* Effect.forkChild(client.get("/x"))
      yield* settle(() => fleet.calls.length === 2)
      yield* Fiber.interrupt(interrupted)
      expect(fleet.calls).toEqual(["a open", "a probe", "a release"])
      yield* failure(clocked(client.get("/x"))) // probes again, and fails
      expect(fleet.calls.slice(3)).toEqual(["a probe", "a open"])
      const now = yield* Clock.currentTimeMillis
      expect(fleet.circuits.get(base)).toEqual({ openUntil: now + 2000, opens: 2 })
    }))

  it.effect("a store the fleet answers with an earlier opening wins over this process's own", () =>
    Effect.gen(function*() {
      const fleet = modelFleet()
      fleet.circuits.set(base, { openUntil: 5000, opens: 3 }) // opened elsewhere, not yet seen here
      const view = fleet.as("a")
      const breaker = yield* CircuitBreaker.make({
        ...options,
        consecutiveFailures: 1,
        // the cache has not caught up: the view says closed
        store: { ...view, view: () => undefined }
      })
      const client = yield* ApiClient.make({ baseUrl: base, retry: false, policies: [breaker] })
      yield* failure(client.get("/x"))
      const refused = (yield* failure(client.get("/x"))) as ApiError.CircuitOpenError
      expect(Duration.toMillis(refused.retryAfter)).toBe(5000 - (yield* Clock.currentTimeMillis))
    }).pipe(Effect.provide(MockHttpClient.layer(() => 503))))

  it("a store without its methods is a defect that names the one missing", () => {
    expect(() => CircuitBreaker.unsafeMake({ store: { view: () => undefined } as any })).toThrow(/record is missing/)
  })
})

describe("Bulkhead", () => {
  it.effect("at most maxConcurrent in flight, maxQueue waiting, the rest refused at once", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ name: "b", maxConcurrent: 2, maxQueue: 1, queueTimeout: "10 seconds" })
      const { layer, seen } = timed(() => ({ status: 200, delay: "1 second" }))
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [bulkhead] }), layer)
      const running = yield* Effect.forkChild(Effect.all([client.get("/1"), client.get("/2"), client.get("/3")], {
        concurrency: "unbounded"
      }))
      yield* settle(() => bulkhead.queued === 1)
      expect([bulkhead.inFlight, bulkhead.queued]).toEqual([2, 1])
      const refused = yield* failure(client.get("/4"))
      expect(refused).toMatchObject({ _tag: "BulkheadRejectedError", reason: "QueueFull", maxConcurrent: 2 })
      expect(ApiError.isRetryable(refused)).toBe(false)
      yield* TestClock.adjust("1 second")
      expect(times(seen)).toEqual([0, 0, 1000])
      yield* TestClock.adjust("1 second")
      yield* joinNow(running, "the calls did not complete: a slot was not handed on")
      expect([bulkhead.inFlight, bulkhead.queued]).toEqual([0, 0])
    }))

  it.effect("a queued call waits at most queueTimeout", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueue: 1, queueTimeout: "500 millis" })
      const { layer, seen } = timed(() => ({ status: 200, delay: "2 seconds" }))
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [bulkhead] }), layer)
      const first = yield* Effect.forkChild(client.get("/1"))
      const second = yield* Effect.forkChild(Effect.exit(client.get("/2")))
      yield* settle(() => bulkhead.queued === 1)
      yield* TestClock.adjust("500 millis")
      const exit = yield* joinNow(second, "the queued call did not time out after queueTimeout")
      expect(exit).toMatchObject({ _tag: "Failure", cause: { reasons: [{ error: { reason: "QueueTimeout" } }] } })
      expect(bulkhead.queued).toBe(0)
      yield* TestClock.adjust("2 seconds")
      yield* joinNow(first, "the first call did not complete")
      expect(seen).toHaveLength(1)
      expect(bulkhead.inFlight).toBe(0)
    }))

  it.effect("the total deadline starts when the call gets its slot, not in the queue", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueue: 1, queueTimeout: "10 seconds" })
      const { layer, seen } = timed(() => ({ status: 200, delay: "1 second" }))
      const client = yield* Effect.provide(
        ApiClient.make({ baseUrl: base, timeout: { total: "1500 millis" }, policies: [bulkhead] }),
        layer
      )
      const calls = yield* Effect.forkChild(Effect.all([client.get("/1"), client.get("/2")], { concurrency: 2 }))
      yield* settle(() => bulkhead.queued === 1)
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("1 second")
      const [a, b] = yield* joinNow(calls)
      expect([a.status, b.status]).toEqual([200, 200])
      expect(times(seen)).toEqual([0, 1000])
    }))

  it.effect("an interrupted waiter leaves the queue and takes no slot", () =>
    Effect.gen(function*() {
      const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueue: 2, queueTimeout: "5 seconds" })
      const { layer, seen } = timed(() => ({ status: 200, delay: "1 second" }))
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [bulkhead] }), layer)
      const first = yield* Effect.forkChild(client.get("/1"))
      const waiter = yield* Effect.forkChild(client.get("/2"))
      const third = yield* Effect.forkChild(client.get("/3"))
      yield* settle(() => bulkhead.queued === 2)
      yield* Fiber.interrupt(waiter)
      expect(bulkhead.queued).toBe(1)
      yield* TestClock.adjust("2 seconds")
      yield* joinNow(first, "the first call did not complete")
      yield* joinNow(third, "the third call did not get the slot: the interrupted waiter kept its place")
      expect(seen.map((s) => new URL(s.request.url).pathname)).toEqual(["/1", "/3"])
      expect([bulkhead.inFlight, bulkhead.queued]).toEqual([0, 0])
    }))

  describe("every way a call ends gives its slot back", () => {
    /** A bulkhead of one slot, its client, and whether a further call gets the slot at once. */
    const oneSlot = (handler: Parameters<typeof timed>[0], maxQueue = 1) =>
      Effect.gen(function*() {
        const bulkhead = yield* Bulkhead.make({ maxConcurrent: 1, maxQueue, queueTimeout: "10 seconds" })
        const { layer, seen } = timed(handler)
        const client = yield* Effect.provide(
          ApiClient.make({ baseUrl: base, retry: false, policies: [bulkhead] }),
          layer
        )
        const slotIsFree = Effect.gen(function*() {
          expect([bulkhead.inFlight, bulkhead.queued]).toEqual([0, 0])
          // a call made now is sent now: it neither waits in the queue nor is refused
          const next = yield* Effect.forkChild(Effect.result(client.get("/next")))
          yield* settle(() => seen.some((s) => s.request.url.endsWith("/next")))
          yield* Fiber.interrupt(next)
        })
        return { bulkhead, client, seen, slotIsFree }
      })

    it.effect("a call that fails", () =>
      Effect.gen(function*() {
        const { client, slotIsFree } = yield* oneSlot(MockHttpClient.sequence(503, 200))
        expect((yield* failure(client.get("/fails")))._tag).toBe("ServerError")
        yield* slotIsFree
      }))

    it.effect("a call interrupted in flight", () =>
      Effect.gen(function*() {
        const { client, seen, slotIsFree } = yield* oneSlot(() => MockHttpClient.hang)
        const call = yield* Effect.forkChild(client.get("/hangs"))
        yield* settle(() => seen.length === 1)
        yield* Fiber.interrupt(call)
        yield* slotIsFree
      }))

    it.effect("a call that waited in the queue, then failed", () =>
      Effect.gen(function*() {
        const { bulkhead, client, slotIsFree } = yield* oneSlot((request) =>
          request.url.endsWith("/first") ? { status: 200, delay: "1 second" } : 503
        )
        const first = yield* Effect.forkChild(client.get("/first"))
        const queued = yield* Effect.forkChild(failure(client.get("/queued")))
        yield* settle(() => bulkhead.queued === 1)
        yield* TestClock.adjust("1 second")
        yield* joinNow(first)
        expect((yield* joinNow(queued))._tag).toBe("ServerError")
        yield* slotIsFree
      }))

    it.effect("a queued call interrupted after it was granted its slot, before it ran", () =>
      Effect.gen(function*() {
        const { bulkhead, client, seen, slotIsFree } = yield* oneSlot(() => ({ status: 200, delay: "1 second" }))
        let queued: Fiber.Fiber<unknown, unknown> | undefined = undefined
        // the first call's end hands its slot to the queued one; the same fiber then interrupts
        // that one before it has run a step (as a caller's timeout or a race loser would be)
        const first = yield* Effect.forkChild(
          Effect.tap(client.get("/first"), () => Effect.sync(() => queued!.interruptUnsafe()))
        )
        queued = yield* Effect.forkChild(client.get("/queued"))
        yield* settle(() => bulkhead.queued === 1)
        yield* TestClock.adjust("1 second")
        yield* joinNow(first)
        yield* settle(() => queued!.pollUnsafe() !== undefined)
        expect(seen.map((s) => new URL(s.request.url).pathname)).toEqual(["/first"])
        yield* slotIsFree
      }))
  })

  it("options out of range are defects that name the option", () => {
    expect(() => Bulkhead.unsafeMake({ maxConcurrent: 0 })).toThrow(/maxConcurrent/)
    expect(() => Bulkhead.unsafeMake({ maxConcurrent: 1, maxQueue: -1 })).toThrow(/maxQueue/)
    expect(() => Bulkhead.unsafeMake({ maxConcurrent: 1, queueTimeout: 0 })).toThrow(/queueTimeout/)
  })
})

describe("RateLimiter", () => {
  it.effect("lets limit calls per interval through after the burst, spaced evenly", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 2, interval: "1 second", maxWait: "10 seconds" })
      const { layer, seen } = timed(() => 200)
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [limiter] }), layer)
      yield* clocked(Effect.all(Array.from({ length: 6 }, () => client.get("/x")), { concurrency: "unbounded" }))
      expect(times(seen)).toEqual([0, 0, 500, 1000, 1500, 2000])
    }))

  it.effect("maxWait 0 fails fast with the client's own error, saying how long to wait", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ name: "quota", limit: 2, interval: "1 second", maxWait: 0 })
      const { layer, seen } = timed(() => 200)
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [limiter] }), layer)
      yield* client.get("/x")
      yield* client.get("/x")
      const refused = yield* failure(client.get("/x"))
      expect(refused).toMatchObject({ _tag: "RateLimiterRejectedError", limiter: "quota" })
      expect(Duration.toMillis((refused as ApiError.RateLimiterRejectedError).retryAfter)).toBe(500)
      expect(refused.message).toContain("rate limiter quota")
      expect(seen).toHaveLength(2)
      yield* TestClock.adjust("500 millis")
      yield* client.get("/x")
      expect(seen).toHaveLength(3)
    }))

  it.effect("a 429 with Retry-After pauses every caller, not only the one that got it", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 100, interval: "1 second", maxWait: "5 seconds" })
      let n = 0
      const { layer, seen } = timed(() => (n++ === 0 ? { status: 429, headers: { "retry-after": "2" } } : 200))
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, retry: false, policies: [limiter] }), layer)
      expect((yield* failure(client.get("/x")))._tag).toBe("RateLimitError")
      yield* clocked(Effect.all([client.get("/a"), client.get("/b")], { concurrency: "unbounded" }))
      expect(times(seen)).toEqual([0, 2000, 2010])
    }))

  it.effect("a caller already waiting for its permit is held back by a pause learned meanwhile", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second", maxWait: "10 seconds" })
      const { layer, seen } = timed((request) =>
        request.path === "/a" ? { status: 429, headers: { "retry-after": "5" }, delay: "100 millis" } : 200
      )
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, retry: false, policies: [limiter] }), layer)
      const a = yield* Effect.forkChild(Effect.result(client.get("/a")))
      yield* settle(() => seen.length === 1)
      const b = yield* Effect.forkChild(client.get("/b")) // its permit is for 1000
      yield* TestClock.adjust("100 millis") // /a's 429 arrives: pause until 5100
      yield* joinNow(a, "the call that got the 429 did not complete")
      yield* TestClock.adjust("900 millis")
      expect(seen).toHaveLength(1)
      yield* TestClock.adjust("4100 millis")
      yield* joinNow(b)
      expect(times(seen)).toEqual([0, 5100])
    }))

  it.effect("an exhausted quota in RateLimit or X-RateLimit headers pauses until the reset", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 100, interval: "1 second", maxWait: "1 second", key: "origin" })
      let n = 0
      const { layer, seen } = timed(() =>
        n++ === 0
          ? { status: 200, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000030" } }
          : 200
      )
      yield* TestClock.setTime(1_700_000_000_000)
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [limiter] }), layer)
      yield* client.get("/x")
      const refused = yield* failure(client.get("/x"))
      expect(Duration.toMillis((refused as ApiError.RateLimiterRejectedError).retryAfter)).toBe(30_000)
      yield* TestClock.adjust("30 seconds")
      yield* client.get("/x")
      expect(seen).toHaveLength(2)
    }))

  describe("maxPause: one response cannot pause every caller for long", () => {
    const day = 86_400
    /** The three styles a server says "stop for `seconds`" in; `now` is the TestClock's epoch ms. */
    const styles = (seconds: number, now: number) =>
      [
        { style: "429 Retry-After", status: 429, headers: { "retry-after": String(seconds) } },
        {
          style: "RateLimit-Remaining/Reset (IETF draft)",
          status: 200,
          headers: { "ratelimit-remaining": "0", "ratelimit-reset": String(seconds) }
        },
        {
          style: "X-RateLimit-Remaining/Reset (epoch seconds)",
          status: 200,
          headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(now / 1000) + seconds) }
        }
      ] as const

    /**
     * On the TestClock: the first call gets `reply`; how long the limiter then refuses a call
     * (`maxWait: 0`), by the refusal's `retryAfter` and by when a call goes through again.
     */
    const pauseAfter = (options: Partial<RateLimiter.Options>, seconds: number, style: number) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(1_700_000_000_000)
        const reply = styles(seconds, yield* Clock.currentTimeMillis)[style]
        const limiter = yield* RateLimiter.make({ limit: 100, interval: "1 second", maxWait: 0, ...options })
        let n = 0
        const { layer, seen } = timed(() => (n++ === 0 ? { status: reply.status, headers: reply.headers } : 200))
        const client = yield* Effect.provide(
          ApiClient.make({ baseUrl: base, retry: false, policies: [limiter] }),
          layer
        )
        yield* Effect.result(client.get("/first"))
        const second = yield* Effect.result(client.get("/second"))
        if (second._tag === "Success") return { pausedMillis: 0, seen: seen.length }
        expect(second.failure._tag).toBe("RateLimiterRejectedError")
        const pausedMillis = Duration.toMillis((second.failure as ApiError.RateLimiterRejectedError).retryAfter)
        // and it is let through once the pause is over, not before
        yield* TestClock.adjust(Duration.millis(pausedMillis - 1))
        expect((yield* failure(client.get("/early")))._tag).toBe("RateLimiterRejectedError")
        yield* TestClock.adjust("1 millis")
        expect((yield* client.get("/after")).status).toBe(200)
        return { pausedMillis, seen: seen.length }
      })

    for (const [i, { style }] of styles(0, 0).entries()) {
      it.effect(`${style}: a pause up to maxPause (default 60 s) is taken, exactly; a longer one is not`, () =>
        Effect.gen(function*() {
          expect(yield* pauseAfter({}, 60, i)).toEqual({ pausedMillis: 60_000, seen: 2 })
          expect(yield* pauseAfter({}, 61, i)).toEqual({ pausedMillis: 0, seen: 2 })
          expect(yield* pauseAfter({}, day, i)).toEqual({ pausedMillis: 0, seen: 2 })
          expect(yield* pauseAfter({ maxPause: "2 minutes" }, 90, i)).toEqual({ pausedMillis: 90_000, seen: 2 })
          expect(yield* pauseAfter({ maxPause: 0 }, 1, i)).toEqual({ pausedMillis: 0, seen: 2 })
        }))
    }

    it.live("a hostile loopback server asking for a day, in each style: the caller gets its value, later calls go on", () =>
      Effect.gen(function*() {
        for (const { headers: hostile, status, style } of styles(day, Date.now())) {
          let n = 0
          const server = yield* TestServer.make((_, res) =>
            n++ === 0 ? TestServer.json(res, status, { hostile: true }, hostile) : TestServer.json(res, 200, {})
          )
          const limiter = yield* RateLimiter.make({ name: "hostile", limit: 100, interval: "1 second", maxWait: 0 })
          const client = yield* ApiClient.make({ baseUrl: server.url, policies: [limiter] })
          const first = yield* Effect.result(client.get("/first"))
          if (status === 429) {
            // the retry loop's maxRetryAfter (60 s) refuses to wait: the server's own value, typed
            expect(first._tag, style).toBe("Failure")
            const error = (first as { failure: ApiError.ApiError }).failure
            expect(error, style).toMatchObject({ _tag: "RateLimitError", attempts: 1 })
            expect(Option.map((error as ApiError.RateLimitError).retryAfter, Duration.toSeconds), style).toEqual(
              Option.some(day)
            )
          } else {
            expect(first._tag, style).toBe("Success")
          }
          // the limiter did not pause: the next calls are sent at once
          for (let i = 0; i < 3; i++) expect((yield* client.get("/later")).status, style).toBe(200)
          expect(server.requests, style).toHaveLength(4)
        }
      }).pipe(Effect.provide(ConnectionPool.layer())))

    it("maxPause out of range is a defect that names it", () => {
      expect(() => RateLimiter.unsafeMake({ limit: 1, interval: "1 second", maxPause: -1 })).toThrow(/maxPause/)
      expect(RateLimiter.unsafeMake({ limit: 1, interval: "1 second" }).options.maxPause).toEqual(Duration.seconds(60))
    })
  })

  it.effect("learns from each attempt inside the retries of one call", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 100, interval: "1 second", maxWait: "5 seconds" })
      const { layer, seen } = timed((request) =>
        request.path === "/slow" && seen.length === 1 ? { status: 429, headers: { "retry-after": "1" } } : 200
      )
      const client = yield* Effect.provide(ApiClient.make({ baseUrl: base, policies: [limiter] }), layer)
      const slow = yield* Effect.forkChild(client.get("/slow"))
      // until the first attempt's 429 is in and the retry is asleep
      const retrying = Effect.map(pendingSleeps, (sleeps) => sleeps.includes(1000))
      for (let i = 0; i < 100 && !(yield* retrying); i++) yield* Effect.yieldNow
      expect(seen).toHaveLength(1)
      // the first attempt got a 429 and is waiting to retry; another caller is held too
      const other = yield* Effect.forkChild(client.get("/other"))
      yield* TestClock.adjust("2 seconds")
      yield* joinNow(slow, "the call that got the 429 did not complete its retry once the pause was over")
      yield* joinNow(other, "the other call was not let through once the pause was over")
      const at = (path: string) => seen.filter((s) => new URL(s.request.url).pathname === path).map((s) => s.at)
      // held until the pause ends; the retry takes the next permit, one emission later
      expect(at("/other")).toEqual([1000])
      expect(at("/slow")).toEqual([0, 1010])
    }))

  it.effect("a retry takes a permit too, waiting no longer than the call's deadline allows", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second", maxWait: "10 seconds" })
      const { layer, seen } = timed(MockHttpClient.sequence(503, 200, 503))
      const client = yield* Effect.provide(
        ApiClient.make({
          baseUrl: base,
          retry: { base: "1 millis", cap: "1 millis" },
          timeout: { total: "1500 millis" },
          policies: [limiter]
        }),
        layer
      )
      // stepped by hand: `clocked` may jump to a finished attempt's deadline timer
      const first = yield* Effect.forkChild(client.get("/x"))
      yield* TestClock.adjust("1 second")
      yield* joinNow(first)
      expect(times(seen)).toEqual([0, 1000])
      // the next call waits for its permit (2000; the total deadline starts after that, at
      // 3500), its first retry for 3000; the second retry's permit (4000) is past the deadline
      const second = yield* Effect.forkChild(failure(client.get("/x")))
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("1 second")
      const refused = yield* joinNow(second)
      expect(refused).toMatchObject({ _tag: "RateLimiterRejectedError", attempts: 3 })
      expect(times(seen)).toEqual([0, 1000, 2000, 3000])
    }))

  it.effect("a failing store lets calls through and logs it once", () =>
    Effect.gen(function*() {
      const store: RateLimiter.Store = {
        take: () => Effect.fail(new RateLimiter.StoreError({ message: "redis down" })),
        pause: () => Effect.fail(new RateLimiter.StoreError({ message: "redis down" }))
      }
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 hour", maxWait: 0, store })
      const { layer, seen } = timed(() => 200)
      const logs: Array<string> = []
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base, policies: [limiter] })
        for (let i = 0; i < 3; i++) yield* client.get("/x")
      }).pipe(Effect.provide(layer), Effect.provide(collectLogs(logs)))
      expect(seen).toHaveLength(3)
      expect(logs.filter((l) => l.includes("store failed"))).toEqual([expect.stringContaining("error=redis down")])
    }))

  it.effect("a store's takeNow, when it has one, answers instead of its take", () =>
    Effect.gen(function*() {
      const taken: Array<string> = []
      const store: RateLimiter.Store = {
        take: (key) => Effect.sync(() => (taken.push(`take ${key}`), { granted: true, waitMillis: 0 })),
        pause: () => Effect.void,
        takeNow: (key) => (taken.push(`takeNow ${key}`), { granted: false, waitMillis: 1000 })
      }
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 hour", maxWait: 0, store, key: () => "k" })
      const { layer, seen } = timed(() => 200)
      const refused = yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base, policies: [limiter] })
        return yield* Effect.flip(client.get("/x"))
      }).pipe(Effect.provide(layer))
      expect(refused).toMatchObject({ _tag: "RateLimiterRejectedError" })
      expect(taken).toEqual(["takeNow k"])
      expect(seen).toHaveLength(0)
    }))

  it("reads the IETF draft, the structured field and GitHub's headers", () => {
    const now = 1_700_000_000_000
    const from = (h: Record<string, string>) => (name: string) => h[name]
    expect(headers.parse(from({ "ratelimit-remaining": "0", "ratelimit-reset": "30" }), now)).toEqual({
      remaining: 0,
      resetAt: now + 30_000
    })
    expect(headers.parse(from({ "x-ratelimit-remaining": "12", "x-ratelimit-reset": "1700000060" }), now)).toEqual({
      remaining: 12,
      resetAt: 1_700_000_060_000
    })
    expect(headers.parse(from({ ratelimit: "limit=100, remaining=0, reset=7" }), now)).toEqual({
      remaining: 0,
      resetAt: now + 7000
    })
    expect(headers.parse(from({ ratelimit: "\"default\";r=3;t=9" }), now)).toEqual({
      remaining: 3,
      resetAt: now + 9000
    })
    expect(headers.parse(from({ "ratelimit-reset": "30" }), now)).toBeUndefined()
    expect(headers.parse(from({ "ratelimit-remaining": "soon" }), now)).toBeUndefined()
    const max = 60_000
    // a 429's Retry-After and an exhausted quota: the later of the two
    expect(headers.pauseUntil(429, 5000, from({ "ratelimit-remaining": "0", "ratelimit-reset": "9" }), now, max))
      .toEqual({ until: now + 9000, refusedMillis: undefined })
    expect(headers.pauseUntil(200, undefined, from({ "ratelimit-remaining": "4", "ratelimit-reset": "9" }), now, max))
      .toEqual({ until: undefined, refusedMillis: undefined })
    expect(headers.pauseUntil(503, 5000, from({}), now, max).until).toBeUndefined()
    // a hint beyond maxPause is not taken, and is reported; the other one still is
    expect(headers.pauseUntil(429, 86_400_000, from({}), now, max)).toEqual({
      until: undefined,
      refusedMillis: 86_400_000
    })
    expect(headers.pauseUntil(429, 5000, from({ "ratelimit-remaining": "0", "ratelimit-reset": "86400" }), now, max))
      .toEqual({ until: now + 5000, refusedMillis: 86_400_000 })
    expect(headers.pauseUntil(429, max, from({}), now, max).until).toBe(now + max)
  })

  it("the memory store keeps the keys in use, not every key ever seen", () => {
    const store = RateLimiter.memoryStore() as RateLimiter.Store & { readonly size: number }
    const take = (key: string, rate: RateLimiter.Rate, now: number) => Effect.runSync(store.take(key, rate, now, 0))
    // one key in use: its next permit is 10 s away
    const slow = { emissionMillis: 10_000, burst: 1 }
    expect(take("hot", slow, 0)).toMatchObject({ granted: true })
    // 5000 keys, each used once: its state is past 10 ms later, as good as none
    for (let i = 0; i < 5000; i++) take(`k${i}`, { emissionMillis: 10, burst: 1 }, i)
    expect(store.size).toBeLessThan(1024)
    expect(take("hot", slow, 5000)).toMatchObject({ granted: false, waitMillis: 5000 })
    expect(take("k0", { emissionMillis: 10, burst: 1 }, 5000)).toMatchObject({ granted: true, waitMillis: 0 })
  })

  it.effect("a limiter keyed by path keeps the pauses that may still matter, not every one", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1000, interval: "1 second", maxWait: "1 second" })
      // what the limiter does with each attempt's answer, called directly (a full call per key is slow)
      const internals = limiter as unknown as {
        pausedAt: { map: Map<string, number> }
        learn: (
          k: string,
          request: { clock: { currentTimeMillisUnsafe: () => number } },
          status: number,
          retryAfterMillis: number | undefined,
          header: (name: string) => string | undefined
        ) => Effect.Effect<void>
      }
      let now = 0
      const request = { clock: { currentTimeMillisUnsafe: () => now } }
      for (let i = 0; i < 3000; i++) {
        // one key paused each second: a minute and a second (maxWait) later, no caller can hold a
        // permit granted before it
        now = i * 1000
        yield* internals.learn(`/p${i}`, request, 429, 1000, () => undefined)
      }
      expect(internals.pausedAt.map.size).toBeLessThan(1024)
      expect(internals.pausedAt.map.has("/p2999")).toBe(true)
    }))

  it("options out of range are defects that name the option", () => {
    expect(() => RateLimiter.unsafeMake({ limit: 0, interval: "1 second" })).toThrow(/limit/)
    expect(() => RateLimiter.unsafeMake({ limit: 1, interval: 0 })).toThrow(/interval/)
    expect(() => RateLimiter.unsafeMake({ limit: 1, interval: "1 second", burst: 0 })).toThrow(/burst/)
    expect(() => RateLimiter.unsafeMake({ limit: 1, interval: "1 second", maxWait: -1 })).toThrow(/maxWait/)
  })
})

describe("Resilience.standard", () => {
  it.effect("puts the policies in the trusted order, breaker on by default", () =>
    Effect.gen(function*() {
      const policies = yield* Resilience.standard({
        rateLimiter: { limit: 10, interval: "1 second" },
        bulkhead: { maxConcurrent: 4 },
        hedging: { delay: "1 second" }
      })
      const stages = ApiClient.stages({ policies })
      expect(stages).toEqual([
        expect.stringMatching(/^limiter-/),
        expect.stringMatching(/^bulkhead-/),
        "total-deadline",
        "retry",
        expect.stringMatching(/^limiter-.* \(each attempt\)$/),
        "attempt-timeout",
        "redirects",
        "hedging",
        expect.stringMatching(/^breaker-/),
        "classify-status"
      ])
      expect(yield* Resilience.standard({ circuitBreaker: false })).toEqual([])
    }))
})
