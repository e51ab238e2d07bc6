/**
 * The resilience scenarios of `npm run chaos -- --scenarios`: each runs a client against a
 * misbehaving 127.0.0.1 server twice, with a resilience policy off and on, in real time,
 * and reports what the policy changed. Every run is bounded: offered load is paced for a
 * fixed time, and every call has steady's timeouts.
 */
import type { ApiError } from "@steady/client-effect3"
import { ApiClient, Bulkhead, CircuitBreaker, ConnectionPool, Hedging, RateLimiter } from "@steady/client-effect3"
import type * as Policy from "@steady/client-effect3/Policy"
import { TestServer } from "@steady/testing-effect3"
import { Cause, Effect, Exit, Fiber } from "effect"
import type * as Http from "node:http"

/** A row of a scenario's table: the policy, and its figures in column order. */
export interface Row {
  readonly policy: string
  readonly figures: ReadonlyArray<string | number>
}

export interface Scenario {
  readonly title: string
  readonly setup: string
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<Row>
}

interface Outcome {
  readonly ok: boolean
  readonly tag: string
  /** When it started and ended, in milliseconds since the run began. */
  readonly start: number
  readonly end: number
}

const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

const ms = (n: number) => (Number.isNaN(n) ? "–" : Math.round(n))

const summarise = (exit: Exit.Exit<unknown, ApiError.ApiError>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = Cause.failureOption(exit.cause)
  return failure._tag === "Some" ? failure.value._tag : "defect"
}

/**
 * Offers `rate` calls a second for `seconds`, each started on time whatever the others do
 * (an open-loop load, as real traffic is), and waits for all of them.
 */
const offered = (
  rate: number,
  seconds: number,
  call: (i: number) => Effect.Effect<unknown, ApiError.ApiError>,
  started: number,
  /** Called once the last call has been offered, before waiting for the calls to end. */
  onLaunched?: () => void
): Effect.Effect<ReadonlyArray<Outcome>> =>
  Effect.gen(function*() {
    const outcomes: Array<Outcome> = []
    const fibers: Array<Fiber.RuntimeFiber<void>> = []
    const total = Math.round(rate * seconds)
    // a call is forked when it is due (not all up front), so memory shows what the client holds
    for (let i = 0; i < total; i++) {
      const due = (i * 1000) / rate - (performance.now() - started)
      if (due > 0) yield* Effect.sleep(`${due} millis`)
      const start = performance.now() - started
      fibers.push(
        yield* Effect.fork(Effect.map(Effect.exit(call(i)), (exit) =>
          void outcomes.push({
            ok: Exit.isSuccess(exit),
            tag: summarise(exit),
            start,
            end: performance.now() - started
          })))
      )
    }
    onLaunched?.()
    yield* Fiber.joinAll(fibers)
    return outcomes
  })

const json = (res: Http.ServerResponse, status: number, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify({ status }))
}

const withServer = <A, E, R>(
  handler: TestServer.Handler,
  body: (server: TestServer.TestServer) => Effect.Effect<A, E, R>
) =>
  Effect.scoped(
    Effect.flatMap(TestServer.make({ record: false }, handler), (server) =>
      Effect.scoped(body(server).pipe(Effect.provide(ConnectionPool.layer({ connections: 32 })))))
  )

const fast = {
  retry: { base: "100 millis", cap: "1 second" },
  timeout: { attempt: "1 second", total: "5 seconds" }
} as const satisfies ApiClient.Options

/** 1. A 10 s outage (every request answered 503) in a 16 s run at 100 calls a second. */
export const outage = (): Effect.Effect<Scenario> => {
  const run = (policies: ReadonlyArray<Policy.Policy>) => {
    let down = false
    let duringOutage = 0
    return withServer((_, res) => {
      if (down) {
        duringOutage++
        return json(res, 503)
      }
      json(res, 200)
    }, (server) =>
      Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: server.url, ...fast, policies })
        const started = performance.now()
        const switches = Effect.sleep("3 seconds").pipe(
          Effect.zipRight(Effect.sync(() => (down = true))),
          Effect.zipRight(Effect.sleep("10 seconds")),
          Effect.zipRight(Effect.sync(() => (down = false)))
        )
        const [outcomes] = yield* Effect.all([offered(100, 16, () => client.get("/status"), started), switches], {
          concurrency: "unbounded"
        })
        const firstAfter = outcomes.filter((o) => o.ok && o.end > 13_000).map((o) => o.end - 13_000)
        return [
          duringOutage,
          outcomes.filter((o) => o.tag === "CircuitOpenError").length,
          ms(Math.min(...firstAfter)),
          outcomes.filter((o) => o.ok).length
        ]
      }))
  }
  return Effect.gen(function*() {
    const off = yield* run([])
    const breaker = yield* CircuitBreaker.make({
      consecutiveFailures: 5,
      openDuration: "500 millis",
      maxOpenDuration: "2 seconds"
    })
    const on = yield* run([breaker])
    return {
      title: "A 10 s outage, circuit breaker off vs on",
      setup: "100 GET calls/s for 16 s; from 3 s to 13 s every request is answered 503. Retries: base 100 ms, " +
        "cap 1 s, retry budget on (defaults). Breaker: 5 failures in a row, open 500 ms doubling to 2 s.",
      columns: [
        "requests that reached the server during the outage",
        "calls refused by the open circuit",
        "first success after recovery (ms)",
        "calls succeeded of 1600"
      ],
      rows: [{ policy: "off", figures: off }, { policy: "breaker on", figures: on }]
    }
  })
}

/** 2. Overload: 400 calls a second for 5 s against a server that serves 160 a second. */
export const overload = (): Effect.Effect<Scenario> => {
  const run = (policies: ReadonlyArray<Policy.Policy>) =>
    withServer((_, res) => void setTimeout(() => json(res, 200), 200), (server) =>
      Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: server.url, policies })
        // the heap the client holds, after a full collection (npm run chaos runs with --expose-gc):
        // at the start, and when the last call has been offered (the backlog at its largest)
        const heldNow = () => {
          ;(globalThis as { gc?: () => void }).gc?.()
          return process.memoryUsage().heapUsed
        }
        const heapStart = heldNow()
        let heapHeld = heapStart
        let inFlight = 0
        let peakInFlight = 0
        const started = performance.now()
        const outcomes = yield* offered(
          400,
          5,
          () =>
            Effect.suspend(() => {
              peakInFlight = Math.max(peakInFlight, ++inFlight)
              return Effect.ensuring(client.get("/slow"), Effect.sync(() => inFlight--))
            }),
          started,
          () => (heapHeld = heldNow())
        )
        const latencies = outcomes.filter((o) => o.ok).map((o) => o.end - o.start).sort((a, b) => a - b)
        return [
          outcomes.filter((o) => o.ok).length,
          outcomes.filter((o) => o.tag === "BulkheadRejectedError").length,
          outcomes.filter((o) => !o.ok && o.tag !== "BulkheadRejectedError").length,
          peakInFlight,
          ms(quantile(latencies, 0.5)),
          ms(quantile(latencies, 0.99)),
          Math.round(((heapHeld - heapStart) / 1024 / 1024) * 10) / 10
        ]
      }))
  return Effect.gen(function*() {
    const off = yield* run([])
    const on = yield* run([yield* Bulkhead.make({ maxConcurrent: 32, maxQueue: 32, queueTimeout: "500 millis" })])
    return {
      title: "Overload, bulkhead off vs on",
      setup: "400 GET calls/s for 5 s (2000 calls) against a server that answers after 200 ms over 32 " +
        "connections (160 calls/s). Defaults otherwise (attempt 10 s, total 30 s). Bulkhead: 32 in flight, " +
        "a queue of 32, 500 ms queue timeout.",
      columns: [
        "calls succeeded",
        "shed by the bulkhead",
        "other failures",
        "peak calls in flight",
        "p50 ms (succeeded)",
        "p99 ms (succeeded)",
        "heap held at the end of the load, MiB (after GC)"
      ],
      rows: [{ policy: "off", figures: off }, { policy: "bulkhead on", figures: on }]
    }
  })
}

/** 3. A 429 storm: the server allows 50 requests a second; 120 calls a second are offered. */
export const rateLimited = (): Effect.Effect<Scenario> => {
  const run = (policies: ReadonlyArray<Policy.Policy>) => {
    let window = 0
    let used = 0
    let sent429 = 0
    let accepted = 0
    return withServer((_, res) => {
      const now = Date.now()
      const current = Math.floor(now / 1000)
      if (current !== window) {
        window = current
        used = 0
      }
      // delta-seconds, rounded up as servers do: the window ends at the next whole second
      const reset = String(Math.ceil(((window + 1) * 1000 - now) / 1000))
      if (used >= 50) {
        sent429++
        return json(res, 429, { "retry-after": "1", "ratelimit-remaining": "0", "ratelimit-reset": reset })
      }
      used++
      accepted++
      json(res, 200, { "ratelimit-remaining": String(50 - used), "ratelimit-reset": reset })
    }, (server) =>
      Effect.gen(function*() {
        const client = yield* ApiClient.make({
          baseUrl: server.url,
          ...fast,
          timeout: { attempt: "1 second", total: "10 seconds" },
          policies
        })
        const outcomes = yield* offered(120, 6, () => client.get("/quota"), performance.now())
        const latencies = outcomes.filter((o) => o.ok).map((o) => o.end - o.start).sort((a, b) => a - b)
        return [
          sent429,
          accepted,
          outcomes.filter((o) => o.ok).length,
          outcomes.filter((o) => o.tag === "RateLimitError").length,
          outcomes.filter((o) => o.tag === "RateLimiterRejectedError").length,
          ms(quantile(latencies, 0.99))
        ]
      }))
  }
  return Effect.gen(function*() {
    const off = yield* run([])
    const on = yield* run([yield* RateLimiter.make({ limit: 100, interval: "1 second", maxWait: "5 seconds" })])
    return {
      title: "A 429 storm, rate limiter off vs on",
      setup: "120 GET calls/s for 6 s (720 calls) against a server that allows 50 requests per second " +
        "(429 with Retry-After: 1 beyond that, RateLimit-Remaining/Reset on every answer). Retries honour " +
        "Retry-After; total deadline 10 s. The limiter is set above the quota (100/s, wait up to 5 s): what " +
        "it saves, it learns from the server's headers.",
      columns: [
        "429s received",
        "requests accepted by the server",
        "calls succeeded",
        "calls failed with 429",
        "calls refused by the limiter",
        "p99 ms (succeeded)"
      ],
      rows: [{ policy: "off", figures: off }, { policy: "limiter on (100/s, learning)", figures: on }]
    }
  })
}

/** 4. A slow tail: 1 request in 20 takes 1 s; hedging after 50 ms. */
export const slowTail = (): Effect.Effect<Scenario> => {
  const run = (policies: ReadonlyArray<Policy.Policy>) => {
    let n = 0
    let received = 0
    return withServer((_, res) => {
      received++
      if (n++ % 20 === 0) return void setTimeout(() => json(res, 200), 1000)
      setTimeout(() => json(res, 200), 2)
    }, (server) =>
      Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: server.url, policies })
        const latencies: Array<number> = []
        let next = 0
        const worker = Effect.whileLoop({
          while: () => next < 2000,
          body: () => {
            next++
            const t0 = performance.now()
            return Effect.map(Effect.either(client.get("/tail")), () => latencies.push(performance.now() - t0))
          },
          step: () => {}
        })
        yield* Effect.all(Array.from({ length: 16 }, () => worker), { concurrency: "unbounded" })
        latencies.sort((a, b) => a - b)
        return [
          received,
          ms(quantile(latencies, 0.5)),
          ms(quantile(latencies, 0.95)),
          ms(quantile(latencies, 0.99)),
          ms(latencies.at(-1) ?? NaN)
        ]
      }))
  }
  return Effect.gen(function*() {
    const off = yield* run([])
    const on = yield* run([Hedging.make({ delay: "50 millis" })])
    return {
      title: "A slow tail, hedging off vs on",
      setup: "2000 GET calls, 16 at a time; the server answers in about 2 ms, but 1 request in 20 takes " +
        "1 s. Hedging: a copy after 50 ms, one copy at most, paid from the retry budget (defaults).",
      columns: ["requests the server received", "p50 ms", "p95 ms", "p99 ms", "max ms"],
      rows: [{ policy: "off", figures: off }, { policy: "hedging on", figures: on }]
    }
  })
}

/** A scenario as a markdown table. */
export const table = (s: Scenario): string =>
  [
    `#### ${s.title}`,
    "",
    s.setup,
    "",
    `| policy | ${s.columns.join(" | ")} |`,
    `| --- | ${s.columns.map(() => "---:").join(" | ")} |`,
    ...s.rows.map((r) => `| ${r.policy} | ${r.figures.join(" | ")} |`)
  ].join("\n")

export const all = { outage, overload, "rate-limit": rateLimited, "slow-tail": slowTail } as const
