/**
 * A rate limiter whose quota is shared by every process of a fleet, through Redis, on Effect 4's
 * own store: steady's limiter (`RateLimiter.effectStore` of `@steady/client`) with its state in
 * Effect's Redis `RateLimiterStore` (`RateLimiter.makeStoreRedis` of effect/persistence: a token
 * bucket of `burst` tokens, one more every emission interval, updated by one atomic script).
 *
 * On top of Effect's store, two things of steady's own:
 * - **leases**: when the bucket holds `lease` tokens (default 5, at most `burst`), a take takes
 *   them all at once and this process hands out the rest without a round-trip. One refill at a
 *   time per key: the callers that find the lease empty wait for it, and those its permits do
 *   not serve are asked for by the next refill (within the burst). They are the fleet's tokens
 *   either way: leasing never lets the fleet exceed its quota, it only lets one process run
 *   ahead of the others (by `lease - 1` permits, or by as many as it had callers waiting at
 *   once). Without leases every call is a round-trip (docs/scaling.md has the cost);
 * - **a local fallback**: when Redis is down, slow (past the connection's `commandTimeout`) or
 *   unreachable, each process keeps its own local limiter (the same rate, in memory) until
 *   Redis answers again: no call fails because of Redis.
 *
 * @example
 * ```ts
 * import { ApiClient, ConnectionPool, RateLimiter } from "@steady/client"
 * import { Redis, RedisRateLimiter } from "@steady/redis"
 * import { Effect, Layer } from "effect"
 *
 * // 100 requests a second to the API, for the whole fleet
 * const Limits = RedisRateLimiter.layer({ name: "github", limit: 100, interval: "1 second", burst: 10 }).pipe(
 *   Layer.provide(Redis.layerConfig()) // STEADY_REDIS_URL
 * )
 *
 * const program = Effect.gen(function*() {
 *   const limiter = yield* RateLimiter.RateLimiter
 *   const client = yield* ApiClient.make({ baseUrl: "https://api.github.com", policies: [limiter] })
 *   return yield* client.get("/rate_limit")
 * }).pipe(Effect.provide(Layer.merge(Limits, ConnectionPool.layer())))
 * ```
 *
 * @since 0.3.0
 */
import * as RateLimiter from "@steady/client/RateLimiter"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as EffectRateLimiter from "effect/persistence/RateLimiter"
import * as EffectRedis from "effect/persistence/Redis"
import { Fallback } from "./internal/fallback.js"
import * as names from "./internal/names.js"
import { Redis } from "./Redis.js"

/**
 * @since 0.3.0
 * @category models
 */
export interface StoreOptions {
  /** The limiter's name: with the connection's prefix, the namespace of its keys. Required. */
  readonly name: string
  /**
   * Permits taken from Redis at once when the bucket holds them all now (at most the rate's
   * `burst`), then handed out by this process without a round-trip; when callers waited for a
   * refill that did not serve them all, the next asks for as many as they were (within the
   * burst). They are the fleet's permits either way: leasing never lets the fleet exceed its
   * quota, it only lets one process run ahead of the others by up to `lease - 1` permits, or as
   * many as it had callers waiting at once. `1` turns it off (a round-trip per call, on Effect's
   * store alone). Default `5`.
   */
  readonly lease?: number | undefined
  /** Leased permits not used within this are dropped. Default `1 second`. */
  readonly leaseTtl?: Duration.Input | undefined
  /** How long to stay local after Redis failed before asking it again. Default `1 second`. */
  readonly retryAfter?: Duration.Input | undefined
}

/**
 * The shared store, with the keys it holds a lease for (for health checks and tests).
 *
 * @since 0.3.0
 * @category models
 */
export interface Store extends RateLimiter.Store {
  /** Keys this process keeps a lease (or a lease's schedule) for now. */
  readonly leasedKeys: number
}

/** A key as this process knows it. */
interface Held {
  /** Leased permits not handed out yet, usable until `expiresAt` (epoch ms). */
  left: number
  expiresAt: number
  /** When the bucket may hold a lease again, by the last answer: no lease is asked for before. */
  leaseAt: number
  /** Callers that waited for the last refill and that its permits did not serve: the next asks for as many. */
  waited: number
}

interface Refill {
  readonly done: Deferred.Deferred<void>
  /** Callers waiting for it. */
  waiting: number
}

const grantedNow: RateLimiter.Permit = { granted: true, waitMillis: 0 }

/**
 * The store, for `RateLimiter.make({ …, store })`. Keys are Effect's, under
 * `<prefix>:rate-limiter:<name>:` (the limiter's key with `%` and `:` percent-encoded, and a
 * `:refill` key beside it); use the limiter's `key: "origin"` (or your own key): the default
 * per-client key names a client of one process, not of the fleet.
 *
 * @since 0.3.0
 * @category constructors
 */
export const store = (options: StoreOptions): Effect.Effect<Store, never, Redis> =>
  Effect.gen(function*() {
    const redis = yield* Redis
    const name = names.check("RedisRateLimiter", options.name)
    const lease = names.wholeNumber("RedisRateLimiter", "lease", options.lease ?? 5, 1)
    const leaseTtl = names.positive("RedisRateLimiter", "leaseTtl", options.leaseTtl, 1_000)
    const retryAfter = names.positive("RedisRateLimiter", "retryAfter", options.retryAfter, 1_000)
    // Effect's own store on this connection, and steady's limiter store on it
    const buckets = yield* EffectRateLimiter.makeStoreRedis({ prefix: `${redis.prefix}:rate-limiter:${name}:` }).pipe(
      Effect.provideService(EffectRedis.Redis, redis.redis)
    )
    const shared = yield* RateLimiter.effectStore.pipe(
      Effect.provideService(EffectRateLimiter.RateLimiterStore, buckets)
    )
    const local = RateLimiter.memoryStore()
    const fallback = new Fallback(`rate limiter ${name}`, redis.shownUrl, retryAfter)

    /** What this process knows of each key it takes from with leases (see `Held`). */
    const held = new Map<string, Held>()
    /**
     * One refill of a key's lease at a time: the callers that find the lease empty wait for it,
     * and the next refill asks for those its permits did not serve.
     */
    const refills = new Map<string, Refill>()
    /** Keys with nothing to remember are dropped once the map has doubled since the last sweep. */
    let sweepAt = 1024
    const heldOf = (key: string, now: number): Held => {
      let h = held.get(key)
      if (h !== undefined) return h
      h = { left: 0, expiresAt: 0, leaseAt: 0, waited: 0 }
      held.set(key, h)
      if (held.size >= sweepAt) {
        for (const [k, x] of held) {
          if (x !== h && (x.left <= 0 || now >= x.expiresAt) && now >= x.leaseAt && !refills.has(k)) held.delete(k)
        }
        sweepAt = Math.max(1024, held.size * 2)
      }
      return h
    }

    const fromLease = (key: string, now: number): boolean => {
      const h = held.get(key)
      if (h === undefined || h.left <= 0 || now >= h.expiresAt) return false
      h.left--
      return true
    }

    /**
     * Asks for a whole lease (`lease` permits, or as many as callers waited for the last refill
     * in vain; never more than the burst) when the last answer said the bucket could hold one by
     * now; else (or when it does not) one permit, as `RateLimiter.effectStore` takes it.
     */
    const refill = (key: string, rate: RateLimiter.Rate, now: number, maxWaitMillis: number) => {
      const h = heldOf(key, now)
      const whole = Math.min(lease, rate.burst)
      const size = Math.min(Math.max(whole, h.waited), rate.burst)
      h.waited = 0
      if (size <= 1 || now < h.leaseAt) return shared.take(key, rate, now, maxWaitMillis)
      return Effect.flatMap(
        buckets.tokenBucket({
          key,
          tokens: size,
          limit: rate.burst,
          refillRate: Duration.millis(rate.emissionMillis),
          allowOverflow: false
        }),
        ([remaining, elapsed]): Effect.Effect<RateLimiter.Permit, unknown> => {
          // the tokens the bucket keeps: what is left after the lease, or after one permit
          const kept = remaining >= 0 ? remaining : remaining + size - 1
          h.leaseAt = now + Math.max(0, (whole - kept) * rate.emissionMillis - elapsed)
          if (remaining < 0) return shared.take(key, rate, now, maxWaitMillis)
          // the first permit is this call's; the others wait here for the next calls
          h.left = (now < h.expiresAt ? Math.max(0, h.left) : 0) + size - 1
          h.expiresAt = now + leaseTtl
          return Effect.succeed(grantedNow)
        }
      )
    }

    const take = (
      key: string,
      rate: RateLimiter.Rate,
      now: number,
      maxWaitMillis: number
    ): Effect.Effect<RateLimiter.Permit> =>
      Effect.suspend(() => {
        if (lease === 1) {
          return fallback.run(
            now,
            shared.take(key, rate, now, maxWaitMillis),
            Effect.orDie(local.take(key, rate, now, maxWaitMillis))
          )
        }
        if (fromLease(key, now)) return Effect.succeed(grantedNow)
        const inflight = refills.get(key)
        // a refill is on its way: wait for it, then try the lease again (or refill in turn)
        if (inflight !== undefined) {
          inflight.waiting++
          return Effect.andThen(Deferred.await(inflight.done), take(key, rate, now, maxWaitMillis))
        }
        const current: Refill = { done: Deferred.makeUnsafe<void>(), waiting: 0 }
        refills.set(key, current)
        return fallback.run(
          now,
          refill(key, rate, now, maxWaitMillis),
          Effect.orDie(local.take(key, rate, now, maxWaitMillis))
        ).pipe(Effect.ensuring(Effect.sync(() => {
          if (refills.get(key) === current) refills.delete(key)
          // the callers this refill's permits will not serve: the next refill asks for them too
          const h = held.get(key)
          if (h !== undefined) h.waited = Math.max(0, current.waiting - Math.max(0, h.left))
          Deferred.doneUnsafe(current.done, Exit.void)
        })))
      })

    const self: Store = {
      get leasedKeys() {
        return held.size
      },
      take,
      pause: (key, rate, until) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          // permits leased before a pause are stale: the server has said to stop
          held.delete(key)
          return fallback.run(now, shared.pause(key, rate, until), Effect.orDie(local.pause(key, rate, until)))
        })
    }
    return self
  })

/**
 * A rate limiter on the fleet-wide store, as a layer: `RateLimiter.layer` with `store` set,
 * and `key` defaulting to `"origin"` (one quota per API origin, the same in every process).
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (
  options: Omit<RateLimiter.Options, "store" | "name"> & StoreOptions
): Layer.Layer<RateLimiter.RateLimiter, never, Redis> =>
  Layer.unwrap(
    Effect.map(
      store(options),
      (shared) => RateLimiter.layer({ ...options, key: options.key ?? "origin", store: shared })
    )
  )
