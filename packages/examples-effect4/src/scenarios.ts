/**
 * The resilience scenarios of `npm run chaos -- --scenarios` on the Effect 4 line: each runs a
 * client against a misbehaving 127.0.0.1 server twice, with a resilience policy off and on, in
 * real time, and reports what the policy changed. Every run is bounded: offered load is paced
 * for a fixed time, and every call has steady's timeouts. The servers, the settings and the
 * figures are shared with the Effect 3 line (packages/examples/src/shared/scenarios.ts); this
 * file makes the calls.
 */
import type { ApiError } from "@steady/client"
import { ApiClient, Bulkhead, CircuitBreaker, ConnectionPool, Hedging, HttpCache, RateLimiter } from "@steady/client"
import type * as Policy from "@steady/client/Policy"
import * as Shared from "@steady/examples/src/shared/scenarios.js"
import { TestServer } from "@steady/testing"
import { Cause, Effect, Exit, Fiber, Option } from "effect"

export { type Scenario, table } from "@steady/examples/src/shared/scenarios.js"

const summarise = (exit: Exit.Exit<unknown, ApiError.ApiError>): string => {
  // a call answered by a stale cache entry succeeded, and says so (the outage scenario's cache)
  if (Exit.isSuccess(exit)) return typeof exit.value === "string" && exit.value.startsWith("stale") ? "stale" : "ok"
  const failure = Cause.findErrorOption(exit.cause)
  return Option.isSome(failure) ? failure.value._tag : "defect"
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
): Effect.Effect<ReadonlyArray<Shared.Outcome>> =>
  Effect.gen(function*() {
    const outcomes: Array<Shared.Outcome> = []
    const fibers: Array<Fiber.Fiber<void>> = []
    const total = Math.round(rate * seconds)
    // a call is forked when it is due (not all up front), so memory shows what the client holds
    for (let i = 0; i < total; i++) {
      const due = (i * 1000) / rate - (performance.now() - started)
      if (due > 0) yield* Effect.sleep(`${due} millis`)
      const start = performance.now() - started
      fibers.push(
        yield* Effect.forkChild(Effect.map(Effect.exit(call(i)), (exit) =>
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

const withServer = <A, E, R>(
  handler: TestServer.Handler,
  body: (server: TestServer.TestServer) => Effect.Effect<A, E, R>
) =>
  Effect.scoped(
    Effect.flatMap(TestServer.make({ record: false }, handler), (server) =>
      Effect.scoped(body(server).pipe(Effect.provide(ConnectionPool.layer({ connections: Shared.CONNECTIONS })))))
  )

/** 1. A 10 s outage (every request answered 503) in a 16 s run at 100 calls a second. */
export const outage = (): Effect.Effect<Shared.Scenario> => {
  const { outage } = Shared
  const run = (policies: ReadonlyArray<Policy.Policy>) => {
    let down = false
    const server = outage.server(() => down)
    return withServer(server.handler, (test) =>
      Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: test.url, ...Shared.fast, policies })
        const started = performance.now()
        const switches = Effect.sleep(`${outage.downAt} millis`).pipe(
          Effect.andThen(Effect.sync(() => (down = true))),
          Effect.andThen(Effect.sleep(`${outage.upAt - outage.downAt} millis`)),
          Effect.andThen(Effect.sync(() => (down = false)))
        )
        const [outcomes] = yield* Effect.all(
          [
            offered(
              outage.rate,
              outage.seconds,
              () => Effect.map(client.get("/status"), (r) => r.headers[HttpCache.header] ?? "ok"),
              started
            ),
            switches
          ],
          { concurrency: "unbounded" }
        )
        return outage.figures(outcomes, server.duringOutage())
      }))
  }
  return Effect.gen(function*() {
    const off = yield* run([])
    const on = yield* run([yield* CircuitBreaker.make(outage.breaker)])
    const cached = yield* run([yield* HttpCache.make(outage.cache), yield* CircuitBreaker.make(outage.breaker)])
    return outage.scenario(off, on, cached)
  })
}

/** 2. Overload: 400 calls a second for 5 s against a server that serves 160 a second. */
export const overload = (): Effect.Effect<Shared.Scenario> => {
  const { overload } = Shared
  const run = (policies: ReadonlyArray<Policy.Policy>) =>
    withServer(overload.handler, (server) =>
      Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: server.url, policies })
        // the heap the client holds, after a full collection: at the start, and when the last
        // call has been offered (the backlog at its largest)
        const heapStart = overload.heldNow()
        let heapHeld = heapStart
        let inFlight = 0
        let peakInFlight = 0
        const outcomes = yield* offered(
          overload.rate,
          overload.seconds,
          () =>
            Effect.suspend(() => {
              peakInFlight = Math.max(peakInFlight, ++inFlight)
              return Effect.ensuring(client.get("/slow"), Effect.sync(() => inFlight--))
            }),
          performance.now(),
          () => (heapHeld = overload.heldNow())
        )
        return overload.figures(outcomes, peakInFlight, heapHeld - heapStart)
      }))
  return Effect.gen(function*() {
    const off = yield* run([])
    const on = yield* run([yield* Bulkhead.make(overload.bulkhead)])
    return overload.scenario(off, on)
  })
}

/** 3. A 429 storm: the server allows 50 requests a second; 120 calls a second are offered. */
export const rateLimited = (): Effect.Effect<Shared.Scenario> => {
  const { rateLimit } = Shared
  const run = (policies: ReadonlyArray<Policy.Policy>) => {
    const server = rateLimit.server()
    return withServer(server.handler, (test) =>
      Effect.gen(function*() {
        const client = yield* ApiClient.make({
          baseUrl: test.url,
          ...Shared.fast,
          timeout: rateLimit.timeout,
          policies
        })
        const outcomes = yield* offered(
          rateLimit.rate,
          rateLimit.seconds,
          () => client.get("/quota"),
          performance.now()
        )
        return rateLimit.figures(outcomes, server.sent429(), server.accepted())
      }))
  }
  return Effect.gen(function*() {
    const off = yield* run([])
    const on = yield* run([yield* RateLimiter.make(rateLimit.limiter)])
    return rateLimit.scenario(off, on)
  })
}

/** 4. A slow tail: 1 request in 20 takes 1 s; hedging after 50 ms. */
export const slowTail = (): Effect.Effect<Shared.Scenario> => {
  const { slowTail } = Shared
  const run = (policies: ReadonlyArray<Policy.Policy>) => {
    const server = slowTail.server()
    return withServer(server.handler, (test) =>
      Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: test.url, policies })
        const latencies: Array<number> = []
        let next = 0
        const worker = Effect.whileLoop({
          while: () => next < slowTail.calls,
          body: () => {
            next++
            const t0 = performance.now()
            return Effect.map(Effect.result(client.get("/tail")), () => latencies.push(performance.now() - t0))
          },
          step: () => {}
        })
        yield* Effect.all(Array.from({ length: slowTail.workers }, () => worker), { concurrency: "unbounded" })
        return slowTail.figures(latencies, server.received())
      }))
  }
  return Effect.gen(function*() {
    const off = yield* run([])
    const on = yield* run([Hedging.make(slowTail.hedging)])
    return slowTail.scenario(off, on)
  })
}

export const all: Record<Shared.Name, () => Effect.Effect<Shared.Scenario>> = {
  outage,
  overload,
  "rate-limit": rateLimited,
  "slow-tail": slowTail
}
