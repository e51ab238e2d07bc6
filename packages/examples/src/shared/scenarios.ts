/**
 * The resilience scenarios of `npm run chaos -- --scenarios`, the same on both Effect lines:
 * each server's behaviour, the load offered, the policies' settings, the figures and their
 * table. No effect import: each line's scenarios.ts runs the calls.
 */
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

/** How one call ended. */
export interface Outcome {
  readonly ok: boolean
  /** "ok", the failure's tag, or "defect". */
  readonly tag: string
  /** When it started and ended, in milliseconds since the run began. */
  readonly start: number
  readonly end: number
}

/** The scenarios, by the name `--scenarios` takes. */
export const names = ["outage", "overload", "rate-limit", "slow-tail"] as const
export type Name = (typeof names)[number]

/** The client settings of the outage and rate-limit scenarios (Duration inputs both lines read). */
export const fast = {
  retry: { base: "100 millis", cap: "1 second" },
  timeout: { attempt: "1 second", total: "5 seconds" }
} as const

/** The pool of every scenario. */
export const CONNECTIONS = 32

const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

const ms = (n: number) => (Number.isNaN(n) ? "–" : Math.round(n))

const latencies = (outcomes: ReadonlyArray<Outcome>) =>
  outcomes.filter((o) => o.ok).map((o) => o.end - o.start).sort((a, b) => a - b)

const json = (res: Http.ServerResponse, status: number, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify({ status }))
}

/** A server's handler (TestServer.Handler). */
export type Handler = (request: unknown, response: Http.ServerResponse) => void

/** 1. A 10 s outage: the load, and when the server goes down and comes back (ms after the start). */
export const outage = {
  rate: 100,
  seconds: 16,
  downAt: 3_000,
  upAt: 13_000,
  breaker: { consecutiveFailures: 5, openDuration: "500 millis", maxOpenDuration: "2 seconds" },
  /** The cache of the third run, in front of the breaker. */
  cache: { staleIfError: "1 minute" },
  /** A server that answers 200 (fresh for a second), or 503 while `down()`. */
  server: (down: () => boolean) => {
    let duringOutage = 0
    const handler: Handler = (_, res) => {
      if (down()) {
        duringOutage++
        return json(res, 503)
      }
      // fresh for a second: a client with a cache asks again at most once a second per URL
      json(res, 200, { "cache-control": "max-age=1" })
    }
    return { handler, duringOutage: () => duringOutage }
  },
  figures: (outcomes: ReadonlyArray<Outcome>, duringOutage: number) => {
    const firstAfter = outcomes.filter((o) => o.ok && o.end > outage.upAt).map((o) => o.end - outage.upAt)
    return [
      duringOutage,
      outcomes.filter((o) => o.tag === "CircuitOpenError").length,
      ms(Math.min(...firstAfter)),
      outcomes.filter((o) => o.ok).length,
      outcomes.filter((o) => o.tag === "stale").length
    ]
  },
  scenario: (
    off: ReadonlyArray<string | number>,
    on: ReadonlyArray<string | number>,
    cached: ReadonlyArray<string | number>
  ): Scenario => ({
    title: "A 10 s outage, circuit breaker off vs on, and an HTTP cache in front of it",
    setup: "100 GET calls/s for 16 s; from 3 s to 13 s every request is answered 503 (before and after, " +
      "200 with Cache-Control: max-age=1). Retries: base 100 ms, cap 1 s, retry budget on (defaults). " +
      "Breaker: 5 failures in a row, open 500 ms doubling to 2 s. Cache: stale-if-error 1 minute, in " +
      "front of the breaker (a call answered by a stale entry succeeds, and says so).",
    columns: [
      "requests that reached the server during the outage",
      "calls refused by the open circuit",
      "first success after recovery (ms)",
      "calls succeeded of 1600",
      "calls served stale"
    ],
    rows: [
      { policy: "off", figures: off },
      { policy: "breaker on", figures: on },
      { policy: "cache + breaker", figures: cached }
    ]
  })
} as const

/** 2. Overload: 400 calls a second for 5 s against a server that serves 160 a second. */
export const overload = {
  rate: 400,
  seconds: 5,
  bulkhead: { maxConcurrent: 32, maxQueue: 32, queueTimeout: "500 millis" },
  /** A server that answers after 200 ms. */
  handler: ((_, res) => void setTimeout(() => json(res, 200), 200)) as Handler,
  /** The heap after a full collection (npm run chaos runs with --expose-gc). */
  heldNow: () => {
    ;(globalThis as { gc?: () => void }).gc?.()
    return process.memoryUsage().heapUsed
  },
  figures: (outcomes: ReadonlyArray<Outcome>, peakInFlight: number, heapHeldBytes: number) => {
    const sorted = latencies(outcomes)
    return [
      outcomes.filter((o) => o.ok).length,
      outcomes.filter((o) => o.tag === "BulkheadRejectedError").length,
      outcomes.filter((o) => !o.ok && o.tag !== "BulkheadRejectedError").length,
      peakInFlight,
      ms(quantile(sorted, 0.5)),
      ms(quantile(sorted, 0.99)),
      Math.round((heapHeldBytes / 1024 / 1024) * 10) / 10
    ]
  },
  scenario: (off: ReadonlyArray<string | number>, on: ReadonlyArray<string | number>): Scenario => ({
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
  })
} as const

/** 3. A 429 storm: the server allows 50 requests a second; 120 calls a second are offered. */
export const rateLimit = {
  rate: 120,
  seconds: 6,
  timeout: { attempt: "1 second", total: "10 seconds" },
  limiter: { limit: 100, interval: "1 second", maxWait: "5 seconds" },
  /** A server with a quota of 50 requests a second, that says so in its headers. */
  server: () => {
    let window = 0
    let used = 0
    let sent429 = 0
    let accepted = 0
    const handler: Handler = (_, res) => {
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
    }
    return { handler, sent429: () => sent429, accepted: () => accepted }
  },
  figures: (outcomes: ReadonlyArray<Outcome>, sent429: number, accepted: number) => [
    sent429,
    accepted,
    outcomes.filter((o) => o.ok).length,
    outcomes.filter((o) => o.tag === "RateLimitError").length,
    outcomes.filter((o) => o.tag === "RateLimiterRejectedError").length,
    ms(quantile(latencies(outcomes), 0.99))
  ],
  scenario: (off: ReadonlyArray<string | number>, on: ReadonlyArray<string | number>): Scenario => ({
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
  })
} as const

/** 4. A slow tail: 1 request in 20 takes 1 s; hedging after 50 ms. */
export const slowTail = {
  calls: 2000,
  workers: 16,
  hedging: { delay: "50 millis" },
  /** A server that answers in about 2 ms, but 1 s for 1 request in 20. */
  server: () => {
    let n = 0
    let received = 0
    const handler: Handler = (_, res) => {
      received++
      if (n++ % 20 === 0) return void setTimeout(() => json(res, 200), 1000)
      setTimeout(() => json(res, 200), 2)
    }
    return { handler, received: () => received }
  },
  /** `millis`: each call's latency. */
  figures: (millis: Array<number>, received: number) => {
    millis.sort((a, b) => a - b)
    return [
      received,
      ms(quantile(millis, 0.5)),
      ms(quantile(millis, 0.95)),
      ms(quantile(millis, 0.99)),
      ms(millis.at(-1) ?? NaN)
    ]
  },
  scenario: (off: ReadonlyArray<string | number>, on: ReadonlyArray<string | number>): Scenario => ({
    title: "A slow tail, hedging off vs on",
    setup: "2000 GET calls, 16 at a time; the server answers in about 2 ms, but 1 request in 20 takes " +
      "1 s. Hedging: a copy after 50 ms, one copy at most, paid from the retry budget (defaults).",
    columns: ["requests the server received", "p50 ms", "p95 ms", "p99 ms", "max ms"],
    rows: [{ policy: "off", figures: off }, { policy: "hedging on", figures: on }]
  })
} as const

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
