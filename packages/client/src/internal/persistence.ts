/**
 * steady on Effect 4's own `effect/persistence` services: a rate limiter store over Effect's
 * `RateLimiterStore` (memory or Redis, as the application provides it), and a per-attempt
 * policy over Effect's `CircuitBreaker`.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as EffectBreaker from "effect/persistence/CircuitBreaker"
import * as EffectBreakers from "effect/persistence/CircuitBreaker"
import * as EffectLimiter from "effect/persistence/RateLimiter"
import * as Predicate from "effect/Predicate"
import * as ApiError from "../ApiError.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type * as Policy from "../Policy.js"
import type * as RateLimiter from "../RateLimiter.js"
import { StoreError } from "../RateLimiter.js"
import { isFailure } from "./circuitBreaker.js"
import * as policyInternal from "./policy.js"
import * as policyKey from "./policyKey.js"

const storeError = (error: unknown) =>
  new StoreError({ message: `Effect's RateLimiterStore failed: ${String(error)}`, cause: error })

/**
 * The wait before the token just asked for is there: a debt of `-remaining` tokens, the next
 * of which arrives `emission - elapsed` from now.
 */
const waitOf = (remaining: number, elapsedMillis: number, emissionMillis: number) =>
  remaining >= 0 ? 0 : Math.max(0, Math.ceil(-remaining) * emissionMillis - elapsedMillis)

/**
 * A steady limiter `Store` on Effect 4's `RateLimiterStore`: GCRA's rate as a token bucket of
 * `burst` tokens refilled one every emission interval. A take that would wait past
 * `maxWaitMillis` takes nothing (it asks without overflow first); a pause borrows the tokens
 * that keep every caller out until its end. Times are the store's (Redis `TIME` on Redis).
 *
 * @internal
 */
export const effectStore = (store: EffectLimiter.RateLimiterStore["Service"]): RateLimiter.Store => {
  const bucket = (key: string, rate: RateLimiter.Rate, tokens: number, allowOverflow: boolean) =>
    Effect.mapError(
      store.tokenBucket({
        key,
        tokens,
        limit: rate.burst,
        refillRate: Duration.millis(rate.emissionMillis),
        allowOverflow
      }),
      storeError
    )
  return {
    take: (key, rate, _now, maxWaitMillis) =>
      Effect.flatMap(
        bucket(key, rate, 1, false),
        ([remaining, elapsed]): Effect.Effect<RateLimiter.Permit, StoreError> => {
          if (remaining >= 0) return Effect.succeed({ granted: true, waitMillis: 0 })
          const wait = waitOf(remaining, elapsed, rate.emissionMillis)
          if (wait > maxWaitMillis) return Effect.succeed({ granted: false, waitMillis: wait })
          // within the wait allowed: borrow the token, and wait for it
          return Effect.map(
            bucket(key, rate, 1, true),
            ([owed, since]) => ({ granted: true, waitMillis: waitOf(owed, since, rate.emissionMillis) })
          )
        }
      ),
    pause: (key, rate, until) =>
      Effect.flatMap(
        bucket(key, rate, 0, true),
        ([remaining, elapsed]) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => {
            // borrow enough that the next token comes at `until`
            const owed = Math.ceil((until - now + elapsed) / rate.emissionMillis)
            const tokens = Math.max(0, remaining) + owed
            return tokens <= 0 ? Effect.void : Effect.asVoid(bucket(key, rate, tokens, true))
          })
      )
  }
}

/** @internal */
export const effectStoreFromContext: Effect.Effect<RateLimiter.Store, never, EffectLimiter.RateLimiterStore> = Effect
  .map(EffectLimiter.RateLimiterStore, effectStore)

/**
 * The outcome Effect's breaker records for an attempt: a failure as steady's breaker counts
 * them (5xx, timeouts, connection errors that may be the upstream's doing), with the server's
 * `Retry-After`; anything else that answered is a success; the client's own refusals are
 * ignored.
 */
const outcomeOf = (
  exit: Exit.Exit<Policy.Response, ApiError.ApiError>,
  failed: (error: ApiError.ApiError) => boolean
): EffectBreaker.Outcome => {
  if (Exit.isSuccess(exit)) return EffectBreakers.success
  const error = Cause.findErrorOption(exit.cause)
  if (error._tag === "None") return EffectBreakers.ignored
  const e: ApiError.ApiError = error.value
  if (e._tag === "CircuitOpenError" || e._tag === "BulkheadRejectedError" || e._tag === "RateLimiterRejectedError") {
    return EffectBreakers.ignored
  }
  if (!failed(e)) return EffectBreakers.success
  const hint = "retryAfter" in e && e.retryAfter._tag === "Some" ? e.retryAfter.value : undefined
  return EffectBreakers.failure(hint === undefined ? undefined : { retryAfter: hint })
}

/** @internal */
export const fromEffectBreaker = (
  breaker: EffectBreaker.CircuitBreaker,
  options: CircuitBreaker.FromEffectOptions
): Policy.Policy => {
  const name = options.name ?? "effect-breaker"
  const key = policyKey.check("CircuitBreaker.fromEffect", options.key)
  const failed = options.isFailure ?? isFailure
  return policyInternal.make({
    name: `breaker-${name}`,
    stage: "attempt",
    wrap: (next, client) => {
      const keyOf = policyKey.resolver(key, client)
      return (request) => {
        const circuit = keyOf(request)
        return Effect.catch(
          breaker.execute(next(request), {
            key: circuit,
            classify: (exit) => outcomeOf(exit, failed),
            onRejection: "fail"
          }),
          (error): Effect.Effect<Policy.Response, ApiError.ApiError> => {
            if (!Predicate.hasProperty(error, EffectBreakers.ErrorTypeId)) {
              return Effect.fail(error as ApiError.ApiError)
            }
            const reason = (error as EffectBreaker.CircuitBreakerError).reason
            if (reason._tag === "CircuitBreakerStoreError") {
              // the store is down: the attempt goes through, unguarded, as steady's own stores do
              return Effect.andThen(
                Effect.logWarning(`steady: Effect's circuit breaker store failed (${reason.message}); not guarding`),
                next(request)
              )
            }
            return Effect.fail(
              new ApiError.CircuitOpenError({
                request: policyInternal.requestInfo(request),
                attempts: 1,
                breaker: name,
                key: circuit,
                state: reason._tag === "CircuitOpen" ? "open" : "half-open",
                retryAfter: reason._tag === "CircuitOpen" ? reason.retryAfter : Duration.zero
              })
            )
          }
        )
      }
    }
  })
}
