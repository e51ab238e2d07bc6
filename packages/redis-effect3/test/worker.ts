/**
 * One process of a fleet (test/Fleet.test.ts): many fibers calling the API through steady,
 * with a rate limiter on Redis (or a local one), from `startAt` for `seconds`. Prints a JSON
 * line: calls that succeeded and failed. It prints "ready" once its client is made, and starts
 * at the instant (epoch ms) the parent then writes on its stdin, so that a slow start of one
 * process does not shorten its share of the window.
 * Arguments: <redis url | "local"> <api url> <limit per second> <seconds> <fibers> <burst>
 */
import { ApiClient, ConnectionPool, RateLimiter } from "@steady/client-effect3"
import { Redis, RedisRateLimiter } from "@steady/redis-effect3"
import { Effect, Layer, Metric, MetricLabel, Redacted } from "effect"

import { monitorEventLoopDelay } from "node:perf_hooks"
import * as Readline from "node:readline"

const [redisUrl, api, limit, seconds, fibers, burst] = process.argv.slice(2)

/** The start instant, from the parent, once it has heard "ready" from every process. */
const startSignal = new Promise<number>((resolve) =>
  Readline.createInterface({ input: process.stdin }).once("line", (line) => resolve(Number(line)))
)
const options = {
  name: "fleet-api",
  limit: Number(limit),
  interval: "1 second",
  burst: Number(burst),
  maxWait: "30 seconds"
} as const
const Limits = redisUrl === "local"
  ? RateLimiter.layer({ ...options, key: "origin" })
  : RedisRateLimiter.layer(options).pipe(
    // a loaded test machine can stall a process past the 50 ms default: this run is about
    // sharing the quota, not about falling back (RedisRateLimiter.test.ts covers that)
    Layer.provide(Redis.layer({ url: Redacted.make(redisUrl), commandTimeout: "5 seconds" }))
  )

/** How long this process was kept from running (its event-loop delays: the longest, and their sum), from the start. */
/** (each sample is the time between two ticks meant to be `resolution` apart: the delay is the excess) */
const resolution = 20
const lag = monitorEventLoopDelay({ resolution })
let ok = 0
let failed = 0
const program = Effect.gen(function*() {
  const limiter = yield* RateLimiter.RateLimiter
  const client = yield* ApiClient.make({ baseUrl: api, policies: [limiter], retry: false })
  console.log("ready")
  const startAt = yield* Effect.promise(() => startSignal)
  const end = startAt + Number(seconds) * 1000
  yield* Effect.sleep(Math.max(0, startAt - Date.now()))
  lag.enable()
  const loop = Effect.whileLoop({
    while: () => Date.now() < end,
    body: () =>
      client.get("/hit").pipe(
        Effect.match({ onFailure: () => void failed++, onSuccess: () => void ok++ })
      ),
    step: () => {}
  })
  // at the end of the window every fiber stops, also one still waiting for its permit
  yield* Effect.race(
    Effect.all(Array.from({ length: Number(fibers) }, () => loop), { concurrency: "unbounded", discard: true }),
    Effect.sleep(Math.max(0, end - Date.now()))
  )
}).pipe(Effect.provide(Layer.merge(Limits, ConnectionPool.layer())))

await Effect.runPromise(program)
const fallbacks = Effect.runSync(Metric.value(Metric.taggedWithLabels(Redis.fallbacks, [
  MetricLabel.make("store", "rate limiter fleet-api")
]))).count
lag.disable()
console.log(
  JSON.stringify({
    ok,
    failed,
    fallbacks,
    lagMillis: lag.max / 1e6 - resolution,
    stalledMillis: Math.max(0, lag.mean / 1e6 - resolution) * lag.count
  })
)
process.exit(0)
