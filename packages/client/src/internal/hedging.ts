/**
 * Hedging: when an attempt of an idempotent request has not answered after `delay`, a copy
 * is sent beside it (up to `maxHedges` copies, `delay` apart). The first success wins; the
 * others are interrupted, which aborts their requests and closes their sockets. Each copy
 * takes a retry's cost from the client's retry budget; when the budget cannot pay, no copy
 * is sent.
 *
 * @internal
 */
import * as classify from "@steady/core/Classification"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as ApiError from "../ApiError.js"
import type * as Hedging from "../Hedging.js"
import type * as Policy from "../Policy.js"
import * as body from "./body.js"
import * as policyInternal from "./policy.js"
import * as retry from "./retry.js"
import * as trace from "./trace.js"

/** Copies sent, by every steady client of the process. @internal */
export const hedgesTotal = Metric.counter("steady_hedges_total", {
  description: "Hedged copies of attempts sent by steady clients",
  incremental: true
})

/**
 * Whether a request may be sent twice at once: never with a body readable only once; an
 * idempotent method always; an unsafe one only with an `Idempotency-Key` and when the
 * policy was told `unsafeMethods: true`.
 *
 * @internal
 */
export const eligible = (request: Policy.Request, unsafeMethods: boolean): boolean =>
  !body.isOneShot(request.body) &&
  (classify.idempotentMethods.has(request.method) ||
    (unsafeMethods && request.headers["idempotency-key"] !== undefined))

/**
 * A hedged copy (not the first) answered 409: a server that keeps idempotency keys saying the
 * key is in use by the first copy, still running. That copy lost; it is never the answer.
 */
const keyInUse = (copy: number, exit: Exit.Exit<Policy.Response, ApiError.ApiError>): boolean =>
  copy > 0 && Exit.isFailure(exit) &&
  Option.exists(Cause.findErrorOption(exit.cause), (e) => e._tag === "ConflictError")

const race = (
  next: Policy.Handler,
  request: Policy.Request,
  delay: Duration.Duration,
  maxHedges: number,
  budget: Policy.ClientInfo["retryBudget"]
): Effect.Effect<Policy.Response, ApiError.ApiError> =>
  Effect.suspend(() => {
    const fibers: Array<Fiber.Fiber<void>> = []
    let running = 0
    let firstFailure: Cause.Cause<ApiError.ApiError> | undefined
    return Effect.flatMap(Deferred.make<Policy.Response, ApiError.ApiError>(), (done) => {
      const settle = (copy: number, exit: Exit.Exit<Policy.Response, ApiError.ApiError>) =>
        Effect.suspend(() => {
          running--
          if (Exit.isSuccess(exit)) return Deferred.succeed(done, exit.value)
          // the first copy's failure always counts, so a hedge's 409 is never the outcome
          if (!keyInUse(copy, exit)) firstFailure ??= exit.cause
          // every copy sent so far has failed: that is the attempt's outcome (no copy is sent
          // after a failure: that would be a retry, and the retry stage decides those)
          return running === 0 ? Deferred.failCause(done, firstFailure ?? exit.cause) : Effect.void
        })
      const launch = (copy: number) =>
        Effect.suspend(() => {
          running++
          return Effect.flatMap(
            // started at once, as Effect 3's fork was: the copy is sent before the hedge delay begins
            Effect.forkDetach(Effect.flatMap(Effect.exit(next(request)), (exit) => settle(copy, exit)), {
              startImmediately: true
            }),
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
            return Effect.andThen(
              Effect.andThen(
                Effect.andThen(Metric.update(hedgesTotal, 1), trace.event("steady.hedge", { "steady.hedge": sent })),
                launch(sent)
              ),
              waitOrHedge(sent + 1)
            )
          }
        )
      return launch(0).pipe(
        Effect.andThen(waitOrHedge(1)),
        Effect.andThen(Deferred.await(done)),
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
  const unsafeMethods = options.unsafeMethods ?? false
  if (typeof unsafeMethods !== "boolean") throw new TypeError(`${o}: unsafeMethods must be a boolean`)
  return policyInternal.make({
    name: "hedging",
    stage: "attempt",
    wrap: (next, client) => (request) =>
      eligible(request, unsafeMethods) ? race(next, request, delay, maxHedges, client.retryBudget) : next(request)
  })
}
