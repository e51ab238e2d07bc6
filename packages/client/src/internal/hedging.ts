/**
 * Hedging: when an attempt of an idempotent request has not answered after `delay`, a copy
 * is sent beside it (up to `maxHedges` copies, `delay` apart). The first success wins; the
 * others are interrupted, which aborts their requests and closes their sockets. Each copy
 * takes a retry's cost from the client's retry budget; when the budget cannot pay, no copy
 * is sent.
 *
 * @internal
 */
import type * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import type * as ApiError from "../ApiError.js"
import type * as Hedging from "../Hedging.js"
import type * as Policy from "../Policy.js"
import * as classify from "./classify.js"
import * as policyInternal from "./policy.js"
import * as retry from "./retry.js"
import * as trace from "./trace.js"

/** Copies sent, by every steady client of the process. @internal */
export const hedgesTotal = Metric.counter("steady_hedges_total", {
  description: "Hedged copies of attempts sent by steady clients",
  incremental: true
})

/** Whether a request may be sent twice at once. @internal */
export const eligible = (request: Policy.Request): boolean =>
  request.body._tag !== "Stream" &&
  (classify.idempotentMethods.has(request.method) || request.headers["idempotency-key"] !== undefined)

const race = (
  next: Policy.Handler,
  request: Policy.Request,
  delay: Duration.Duration,
  maxHedges: number,
  budget: Policy.ClientInfo["retryBudget"]
): Effect.Effect<Policy.Response, ApiError.ApiError> =>
  Effect.suspend(() => {
    const fibers: Array<Fiber.RuntimeFiber<void>> = []
    let running = 0
    let firstFailure: Cause.Cause<ApiError.ApiError> | undefined
    return Effect.flatMap(Deferred.make<Policy.Response, ApiError.ApiError>(), (done) => {
      const settle = (exit: Exit.Exit<Policy.Response, ApiError.ApiError>) =>
        Effect.suspend(() => {
          running--
          if (Exit.isSuccess(exit)) return Deferred.succeed(done, exit.value)
          firstFailure ??= exit.cause
          // every copy sent so far has failed: that is the attempt's outcome (no copy is sent
          // after a failure: that would be a retry, and the retry stage decides those)
          return running === 0 ? Deferred.failCause(done, firstFailure) : Effect.void
        })
      const launch = Effect.suspend(() => {
        running++
        return Effect.flatMap(
          Effect.forkDaemon(Effect.flatMap(Effect.exit(next(request)), settle)),
          (fiber) => Effect.sync(() => void fibers.push(fiber))
        )
      })
      const waitOrHedge = (sent: number): Effect.Effect<void> =>
        sent > maxHedges ? Effect.void : Effect.flatMap(
          Effect.raceFirst(Effect.as(Effect.exit(Deferred.await(done)), true), Effect.as(Effect.sleep(delay), false)),
          (finished) => {
            if (finished) return Effect.void
            if (budget !== undefined && budget.acquire(false) === undefined) {
              return Effect.logDebug("steady: not hedging, the retry budget is spent")
            }
            return Effect.zipRight(
              Effect.zipRight(
                Effect.zipRight(Metric.increment(hedgesTotal), trace.event("steady.hedge", { "steady.hedge": sent })),
                launch
              ),
              waitOrHedge(sent + 1)
            )
          }
        )
      return launch.pipe(
        Effect.zipRight(waitOrHedge(1)),
        Effect.zipRight(Deferred.await(done)),
        // the losers (and, on interruption, every copy) are interrupted: their sockets close
        Effect.ensuring(Effect.suspend(() => Fiber.interruptAll(fibers)))
      )
    })
  })

/** @internal */
export const make = (options: Hedging.Options): Policy.Policy => {
  const o = "Hedging"
  if (typeof options !== "object" || options === null || options.delay === undefined) {
    throw new TypeError(`${o}: delay is required`)
  }
  const delay = retry.duration(`${o}: delay`, options.delay, true)
  const maxHedges = retry.number(`${o}: maxHedges`, options.maxHedges, 1, { min: 1, max: 10, whole: true })
  return policyInternal.make({
    name: "hedging",
    stage: "attempt",
    wrap: (next, client) => (request) =>
      eligible(request) ? race(next, request, delay, maxHedges, client.retryBudget) : next(request)
  })
}
