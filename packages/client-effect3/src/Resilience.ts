/**
 * The standard resilience preset: the policies production pipelines pair with retries, in
 * the order .NET's standard resilience handler uses.
 *
 * ```text
 * [cache →] rate limiter → bulkhead → total deadline → retry → hedging → circuit breaker → attempt timeout → …
 * (per call)                (built in)                (per attempt)
 * ```
 *
 * - The HTTP cache, when given, is outermost: a hit costs no permit, slot or attempt, and a
 *   stale entry can stand in for the refusals of everything inside it (docs/caching.md).
 * - The rate limiter is outermost of the rest: a call takes one permit, whatever its retries do, and
 *   waiting for a permit does not eat into the call's total deadline.
 * - The bulkhead holds a slot for the whole call, retries and delays included, so its
 *   bound is a bound on what the client has outstanding.
 * - The circuit breaker is inside the retry stage: it counts every attempt, and refuses
 *   attempts while open; its `CircuitOpenError` is not retried, so an open circuit fails the
 *   call at once instead of burning attempts.
 * - Hedging is outside the breaker, so each copy is counted, and refused while it is open.
 *
 * Only the circuit breaker is on by default; give options (or a ready value, e.g. one
 * shared through a layer) to turn on the others, and `circuitBreaker: false` to leave it out.
 *
 * @example
 * ```ts
 * import { ApiClient, Resilience } from "@steady/client-effect3"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const policies = yield* Resilience.standard({
 *     rateLimiter: { limit: 50, interval: "1 second" },
 *     bulkhead: { maxConcurrent: 32, maxQueue: 128 },
 *     circuitBreaker: { consecutiveFailures: 5 }
 *   })
 *   return yield* ApiClient.make({ baseUrl: "https://api.example", policies })
 * })
 * ```
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Bulkhead from "./Bulkhead.js"
import * as CircuitBreaker from "./CircuitBreaker.js"
import * as Hedging from "./Hedging.js"
import * as HttpCache from "./HttpCache.js"
import * as policyInternal from "./internal/policy.js"
import type * as Policy from "./Policy.js"
import * as RateLimiter from "./RateLimiter.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface StandardOptions {
  /**
   * Off unless given. Placed first, outside every other policy, so a stale entry can answer
   * their refusals (see `HttpCache`).
   *
   * @since 0.3.0
   */
  readonly cache?: HttpCache.Options | HttpCache.HttpCache | undefined
  /** Off unless given. */
  readonly rateLimiter?: RateLimiter.Options | RateLimiter.RateLimiter | undefined
  /** Off unless given. */
  readonly bulkhead?: Bulkhead.Options | Bulkhead.Bulkhead | undefined
  /** On with `CircuitBreaker.defaults` unless `false`. */
  readonly circuitBreaker?: CircuitBreaker.Options | CircuitBreaker.CircuitBreaker | false | undefined
  /** Off unless given. */
  readonly hedging?: Hedging.Options | Policy.Policy | undefined
}

/**
 * The policies of the preset, in order, for `ApiClient.make({ policies })`. Each call of
 * `standard` makes new state: make the policies once and share them between clients that
 * should share a breaker or a limit.
 *
 * @since 0.2.0
 * @category constructors
 */
export const standard = (options: StandardOptions = {}): Effect.Effect<ReadonlyArray<Policy.Policy>> =>
  Effect.sync(() => {
    const out: Array<Policy.Policy> = []
    const { bulkhead, cache, circuitBreaker, hedging, rateLimiter } = options
    if (cache !== undefined) out.push(HttpCache.isHttpCache(cache) ? cache : HttpCache.unsafeMake(cache))
    if (rateLimiter !== undefined) {
      out.push(RateLimiter.isRateLimiter(rateLimiter) ? rateLimiter : RateLimiter.unsafeMake(rateLimiter))
    }
    if (bulkhead !== undefined) out.push(Bulkhead.isBulkhead(bulkhead) ? bulkhead : Bulkhead.unsafeMake(bulkhead))
    if (hedging !== undefined) out.push(policyInternal.isPolicy(hedging) ? hedging : Hedging.make(hedging))
    if (circuitBreaker !== false) {
      out.push(
        CircuitBreaker.isCircuitBreaker(circuitBreaker) ? circuitBreaker : CircuitBreaker.unsafeMake(circuitBreaker)
      )
    }
    return out
  })
