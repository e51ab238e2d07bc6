/**
 * The client-side rate limiter: GCRA (the generic cell rate algorithm, a token bucket kept as
 * one number per key: the theoretical arrival time) behind a store, with what the server says
 * (429 + `Retry-After`, an exhausted `RateLimit-*` quota) pausing every caller of the key.
 *
 * @internal
 */
import * as Gcra from "@steady/core/Gcra"
import * as headers from "@steady/core/RateLimitHeaders"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import type * as RateLimiter from "../RateLimiter.js"
import { headerValue } from "./attempt.js"
import * as policyInternal from "./policy.js"
import * as key from "./policyKey.js"
import * as retry from "./retry.js"
import * as trace from "./trace.js"

/** @internal */
export const TypeId: typeof RateLimiter.TypeId = Symbol.for(
  "@steady/client-effect3/RateLimiter"
) as typeof RateLimiter.TypeId

/** @internal */
export const defaults = { maxWait: Duration.seconds(5), maxPause: Duration.seconds(60) } as const

/** Calls refused, by limiter. @internal */
export const rejectionsTotal = Metric.counter("steady_rate_limiter_rejections_total", {
  description: "Calls refused by a steady client-side rate limiter",
  incremental: true
})

/** Calls that waited for a permit, by limiter. @internal */
export const delayedTotal = Metric.counter("steady_rate_limiter_delayed_total", {
  description: "Calls that waited for a permit of a steady rate limiter",
  incremental: true
})

/** Pauses the server asked for, by limiter. @internal */
export const pausesTotal = Metric.counter("steady_rate_limiter_pauses_total", {
  description: "Pauses of a steady rate limiter asked for by the server",
  incremental: true
})

/** Pauses the server asked for that were longer than `maxPause`, and not taken, by limiter. @internal */
export const pausesRefusedTotal = Metric.counter("steady_rate_limiter_pauses_refused_total", {
  description: "Pauses asked for by the server that were longer than a steady rate limiter's maxPause, and not taken",
  incremental: true
})

/** Store failures that let a call through unlimited, by limiter. @internal */
export const storeFailuresTotal = Metric.counter("steady_rate_limiter_store_failures_total", {
  description: "Store failures of a steady rate limiter (the call went through unlimited)",
  incremental: true
})

interface MemoryStore extends RateLimiter.Store {
  readonly takeNow: NonNullable<RateLimiter.Store["takeNow"]>
  /** Keys held now (for tests). */
  readonly size: number
}

/** @internal */
export const memoryStore = (): RateLimiter.Store => {
  const memory = new Gcra.Memory()
  const store: MemoryStore = {
    takeNow: (k, rate, now, maxWaitMillis) => memory.take(k, rate, now, maxWaitMillis),
    take: (k, rate, now, maxWaitMillis) => Effect.sync(() => memory.take(k, rate, now, maxWaitMillis)),
    pause: (k, rate, until) => Effect.sync(() => memory.pause(k, rate, until)),
    get size() {
      return memory.size
    }
  }
  return store
}

const granted: RateLimiter.Permit = { granted: true, waitMillis: 0 }

class Impl implements RateLimiter.RateLimiter {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly [policyInternal.TypeId]: typeof policyInternal.TypeId = policyInternal.TypeId
  readonly stage = "call" as const
  readonly name: string
  readonly rate: RateLimiter.Rate
  private readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
  private readonly maxWaitMillis: number
  private readonly maxPauseMillis: number
  private lastStoreWarning = -Infinity
  /**
   * When this process last learned a pause, per key: permits granted before it are stale. A
   * caller looks it up at most `maxWait` after its permit was granted; entries older than that
   * (and a minute) are dropped.
   */
  private readonly pausedAt = new Gcra.SweepingMap<string, number>(1024)
  /** The store's synchronous take (`Store.takeNow`), if it offers one: the fast path allocates no Effect for it. */
  private readonly fast: RateLimiter.Store["takeNow"]
  constructor(readonly options: RateLimiter.Settings) {
    this.name = options.name
    this.labels = [MetricLabel.make("limiter", options.name)]
    this.maxWaitMillis = Duration.toMillis(options.maxWait)
    this.maxPauseMillis = Duration.toMillis(options.maxPause)
    this.rate = {
      emissionMillis: Duration.toMillis(options.interval) / options.limit,
      burst: options.burst
    }
    this.fast = options.store.takeNow
  }

  /** A store that fails lets the call through: it is logged (once a minute) and counted. */
  private degraded(error: RateLimiter.StoreError, now: number): Effect.Effect<void> {
    storeFailuresTotal.unsafeUpdate(1, this.labels)
    if (now - this.lastStoreWarning < 60_000) return Effect.void
    this.lastStoreWarning = now
    return Effect.annotateLogs(
      Effect.logWarning(`steady: rate limiter ${this.name} store failed; calls go through unlimited until it answers`),
      { limiter: this.name, error: error.message }
    )
  }

  readonly wrap = (next: Policy.Handler, client: Policy.ClientInfo): Policy.Handler => {
    const keyOf = key.resolver(this.options.key, client)
    return (request) =>
      Effect.suspend(() =>
        this.admit(next, request, keyOf(request), request.clock.unsafeCurrentTimeMillis() + this.maxWaitMillis)
      )
  }

  /**
   * Takes a permit for `k` that is usable by `waitUntil` (else fails with the limiter's
   * refusal), waits for it, and sends. A pause learned while it waited (another caller got a
   * 429) means the permit was granted on stale news: it takes a new one, behind the pause.
   */
  private admit(
    next: Policy.Handler,
    request: Policy.Request,
    k: string,
    waitUntil: number
  ): Effect.Effect<Policy.Response, ApiError.ApiError> {
    const now = request.clock.unsafeCurrentTimeMillis()
    const maxWait = Math.max(0, waitUntil - now)
    if (this.fast !== undefined) {
      return this.proceed(next, request, k, waitUntil, now, this.fast(k, this.rate, now, maxWait))
    }
    return this.options.store.take(k, this.rate, now, maxWait).pipe(
      Effect.catchAll((error) => Effect.as(this.degraded(error, now), granted)),
      Effect.flatMap((permit) => this.proceed(next, request, k, waitUntil, now, permit))
    )
  }

  private proceed(
    next: Policy.Handler,
    request: Policy.Request,
    k: string,
    waitUntil: number,
    grantedAt: number,
    permit: RateLimiter.Permit
  ): Effect.Effect<Policy.Response, ApiError.ApiError> {
    if (!permit.granted) {
      rejectionsTotal.unsafeUpdate(1, this.labels)
      return Effect.zipRight(
        trace.event("steady.rate_limiter.rejected", {
          "steady.rate_limiter": this.name,
          "steady.retry_after_ms": permit.waitMillis
        }),
        Effect.fail(
          new ApiError.RateLimiterRejectedError({
            request: policyInternal.requestInfo(request),
            attempts: 1,
            limiter: this.name,
            key: k,
            retryAfter: Duration.millis(permit.waitMillis)
          })
        )
      )
    }
    if (permit.waitMillis <= 0) return next(request)
    delayedTotal.unsafeUpdate(1, this.labels)
    // `next` is called after the wait: the stages below start their clocks (total deadline,
    // attempt timeout) when they are called
    return Effect.zipRight(
      Effect.zipRight(
        trace.event("steady.rate_limiter.wait", {
          "steady.rate_limiter": this.name,
          "steady.rate_limiter.wait_ms": permit.waitMillis
        }),
        Effect.sleep(Duration.millis(permit.waitMillis))
      ),
      Effect.suspend(() =>
        (this.pausedAt.map.get(k) ?? -Infinity) > grantedAt ? this.admit(next, request, k, waitUntil) : next(request)
      )
    )
  }

  private learn(
    k: string,
    request: Policy.Request,
    status: number,
    retryAfterMillis: number | undefined,
    header: (name: string) => string | undefined
  ): Effect.Effect<void> {
    const now = request.clock.unsafeCurrentTimeMillis()
    const { refusedMillis, until } = headers.pauseUntil(status, retryAfterMillis, header, now, this.maxPauseMillis)
    if (until === undefined) {
      return refusedMillis === undefined
        ? Effect.void
        : this.refusePause(k, status, refusedMillis)
    }
    pausesTotal.unsafeUpdate(1, this.labels)
    this.pausedAt.set(k, now, (at) => at < now - this.maxWaitMillis - 60_000)
    return this.options.store.pause(k, this.rate, until).pipe(
      Effect.zipRight(trace.event("steady.rate_limiter.paused", {
        "steady.rate_limiter": this.name,
        "steady.rate_limiter.pause_ms": until - now,
        "http.response.status_code": status
      })),
      Effect.zipRight(
        Effect.annotateLogs(Effect.logDebug(`steady: rate limiter ${this.name} paused by the server`), {
          limiter: this.name,
          key: k,
          status,
          pauseMillis: until - now
        })
      ),
      Effect.catchAll((error) => this.degraded(error, now))
    )
  }

  /**
   * The server asked for a pause longer than `maxPause`: it is not taken (one response must
   * not stop every caller, of every process sharing the store, for hours). The caller that got
   * a 429 has the server's value in its `RateLimitError`; the others go on at the limiter's rate.
   */
  private refusePause(k: string, status: number, pauseMillis: number): Effect.Effect<void> {
    pausesRefusedTotal.unsafeUpdate(1, this.labels)
    return Effect.zipRight(
      trace.event("steady.rate_limiter.pause_refused", {
        "steady.rate_limiter": this.name,
        "steady.rate_limiter.pause_ms": pauseMillis,
        "http.response.status_code": status
      }),
      Effect.annotateLogs(
        Effect.logDebug(`steady: rate limiter ${this.name} did not pause: the server asked for more than maxPause`),
        { limiter: this.name, key: k, status, pauseMillis, maxPauseMillis: this.maxPauseMillis }
      )
    )
  }

  /**
   * Every retry takes a permit too (each one spends the server's quota), waiting no longer
   * than `maxWait` nor past the call's deadline; and every attempt's answer is read: a 429
   * with `Retry-After`, or an exhausted quota, pauses the key.
   */
  readonly eachAttempt = (next: Policy.Handler, client: Policy.ClientInfo): Policy.Handler => {
    const keyOf = key.resolver(this.options.key, client)
    const gated: Policy.Handler = (request) => {
      if (request.attempt <= 1) return next(request)
      return Effect.suspend(() => {
        const now = request.clock.unsafeCurrentTimeMillis()
        return this.admit(next, request, keyOf(request), Math.min(now + this.maxWaitMillis, request.deadline))
      })
    }
    if (!this.options.learn) return gated
    return (request) =>
      Effect.tapBoth(gated(request), {
        onSuccess: (response) =>
          this.learn(keyOf(request), request, response.status, undefined, (n) => headerValue(response.headers, n)),
        onFailure: (error) =>
          ApiError.isStatusError(error)
            ? this.learn(
              keyOf(request),
              request,
              error.status,
              Option.getOrUndefined(Option.map(error.retryAfter, Duration.toMillis)),
              (n) => error.headers[n]
            )
            : Effect.void
      })
  }

  toJSON() {
    return { _id: "RateLimiter", name: this.name }
  }
}

let anonymous = 0

/** @internal */
export const unsafeMake = (options: RateLimiter.Options): RateLimiter.RateLimiter => {
  const o = "RateLimiter"
  if (
    typeof options !== "object" || options === null || options.limit === undefined || options.interval === undefined
  ) {
    throw new TypeError(`${o}: limit and interval are required`)
  }
  const limit = retry.number(`${o}: limit`, options.limit, NaN, { min: 0, above: true })
  const store = options.store ?? memoryStore()
  if (typeof store.take !== "function" || typeof store.pause !== "function") {
    throw new TypeError(`${o}: store must have take and pause`)
  }
  return new Impl({
    name: options.name ?? `limiter-${++anonymous}`,
    key: key.check(o, options.key),
    limit,
    interval: retry.duration(`${o}: interval`, options.interval, true),
    burst: retry.number(`${o}: burst`, options.burst, Math.max(1, Math.floor(limit)), { min: 1, whole: true }),
    maxWait: retry.duration(`${o}: maxWait`, options.maxWait ?? defaults.maxWait, false),
    maxPause: retry.duration(`${o}: maxPause`, options.maxPause ?? defaults.maxPause, false),
    store,
    learn: options.learn ?? true
  })
}

/** @internal */
export const isRateLimiter = (u: unknown): u is RateLimiter.RateLimiter =>
  typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const tag = Context.GenericTag<RateLimiter.RateLimiter>("@steady/client-effect3/RateLimiter")
