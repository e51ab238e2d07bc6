/**
 * A rate limiter whose quota is shared by every process of a fleet, through Redis: the GCRA
 * state of each key lives in Redis and is updated by one atomic script, on Redis's own clock.
 * Each process leases a few permits at a time (`lease`) and hands them out without a
 * round-trip. When Redis is down, slow (past the connection's `commandTimeout`) or unreachable,
 * each process keeps its own local limiter (the same rate, in memory) until Redis answers
 * again: no call fails because of Redis.
 *
 * @example
 * ```ts
 * import { ApiClient, ConnectionPool, RateLimiter } from "@steady/client-effect3"
 * import { Redis, RedisRateLimiter } from "@steady/redis-effect3"
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
 * @since 0.2.0
 */
import * as RateLimiter from "@steady/client-effect3/RateLimiter"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import { Fallback } from "./internal/fallback.js"
import * as names from "./internal/names.js"
import * as scripts from "./internal/scripts.js"
import { Redis } from "./Redis.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface StoreOptions {
  /** The limiter's name: with the connection's prefix, the namespace of its keys. Required. */
  readonly name: string
  /**
   * Permits taken from Redis at once when the quota allows them all now, then handed out by
   * this process without a round-trip. They are the fleet's permits either way: leasing never
   * lets the fleet exceed its quota, it only lets one process run ahead of the others by up to
   * `lease - 1` permits. `1` turns it off. Default `5`.
   */
  readonly lease?: number | undefined
  /** Leased permits not used within this are dropped. Default `1 second`. */
  readonly leaseTtl?: Duration.DurationInput | undefined
  /** How long to stay local after Redis failed before asking it again. Default `1 second`. */
  readonly retryAfter?: Duration.DurationInput | undefined
}

interface Lease {
  left: number
  expiresAt: number
}

type Client = Redis["client"] & {
  steadyTake(
    key: string,
    emission: number,
    burst: number,
    maxWait: number,
    lease: number
  ): Promise<[number, number, number]>
  steadyPause(key: string, emission: number, burst: number, inMillis: number): Promise<number>
}

const withScripts = (client: Redis["client"]): Client =>
  scripts.define<Client>(client, {
    steadyTake: { keys: 1, lua: scripts.take },
    steadyPause: { keys: 1, lua: scripts.pause }
  })

const wholeNumber = (name: string, n: unknown, min: number): number => {
  if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
    throw new RangeError(`RedisRateLimiter: ${name} must be a whole number ≥ ${min}, got ${String(n)}`)
  }
  return n
}

/** Redis wants whole milliseconds; "wait forever" is a large whole number. */
const millis = (n: number) => (Number.isFinite(n) ? Math.ceil(n) : 2 ** 40)

/**
 * The store, for `RateLimiter.make({ …, store })`. Keys are
 * `<prefix>:rate-limiter:<name>:<key>`; use the limiter's `key: "origin"` (or your own key):
 * the default per-client key names a client of one process, not of the fleet.
 *
 * @since 0.2.0
 * @category constructors
 */
export const store = (options: StoreOptions): Effect.Effect<RateLimiter.Store, never, Redis> =>
  Effect.map(Redis, (redis) => {
    names.check("RedisRateLimiter", options.name)
    const lease = wholeNumber("lease", options.lease ?? 5, 1)
    const leaseTtl = Duration.toMillis(options.leaseTtl ?? Duration.seconds(1))
    const client = withScripts(redis.client)
    const local = RateLimiter.memoryStore()
    const fallback = new Fallback(
      `rate limiter ${options.name}`,
      redis.shownUrl,
      Duration.toMillis(options.retryAfter ?? Duration.seconds(1))
    )
    const namespace = `${redis.prefix}:rate-limiter:${options.name}:`
    const leases = new Map<string, Lease>()
    /** Expired leases are dropped once the map has doubled since the last sweep (one per key in use). */
    let sweepAt = 1024
    const lend = (key: string, held: Lease, now: number) => {
      leases.set(key, held)
      if (leases.size < sweepAt) return
      for (const [k, l] of leases) if (now >= l.expiresAt || l.left <= 0) leases.delete(k)
      sweepAt = Math.max(1024, leases.size * 2)
    }
    /** One refill of a key's lease at a time: the callers that find it empty wait for it. */
    const refills = new Map<string, Deferred.Deferred<void>>()

    const fromLease = (key: string, now: number): boolean => {
      const held = leases.get(key)
      if (held === undefined || held.left <= 0 || now >= held.expiresAt) return false
      held.left--
      return true
    }

    const shared = (key: string, rate: RateLimiter.Rate, now: number, maxWaitMillis: number) => () =>
      client.steadyTake(namespace + key, millis(rate.emissionMillis), rate.burst, millis(maxWaitMillis), lease).then(
        ([granted, wait, taken]): RateLimiter.Permit => {
          // the first leased permit is this call's; the others wait here for the next calls
          if (taken > 1) {
            const held = leases.get(key)
            const left = held !== undefined && now < held.expiresAt ? held.left : 0
            lend(key, { left: left + taken - 1, expiresAt: now + leaseTtl }, now)
          }
          return { granted: granted === 1, waitMillis: wait }
        }
      )

    const take = (
      key: string,
      rate: RateLimiter.Rate,
      now: number,
      maxWaitMillis: number
    ): Effect.Effect<RateLimiter.Permit> => {
      if (fromLease(key, now)) return Effect.succeed(grantedNow)
      const inflight = refills.get(key)
      // a refill is on its way: wait for it, then try the lease again (or refill in turn)
      if (inflight !== undefined && lease > 1) {
        return Effect.zipRight(Deferred.await(inflight), Effect.suspend(() => take(key, rate, now, maxWaitMillis)))
      }
      const done = Deferred.unsafeMake<void>(FiberId.none)
      if (lease > 1) refills.set(key, done)
      return fallback.promise(
        now,
        shared(key, rate, now, maxWaitMillis),
        Effect.orDie(local.take(key, rate, now, maxWaitMillis))
      ).pipe(Effect.ensuring(Effect.suspend(() => {
        if (refills.get(key) === done) refills.delete(key)
        return Deferred.done(done, Exit.void)
      })))
    }

    const self = {
      /** Keys with a lease held now (for tests). */
      get leasedKeys() {
        return leases.size
      },
      take,
      pause: (key: string, rate: RateLimiter.Rate, until: number) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          // permits leased before a pause are stale: the server has said to stop
          leases.delete(key)
          return fallback.promise(
            now,
            () =>
              client.steadyPause(
                namespace + key,
                millis(rate.emissionMillis),
                rate.burst,
                millis(Math.max(0, until - now))
              )
                .then(() => {}),
            Effect.orDie(local.pause(key, rate, until))
          )
        })
    }
    return self
  })

const grantedNow: RateLimiter.Permit = { granted: true, waitMillis: 0 }

/**
 * A rate limiter on the fleet-wide store, as a layer: `RateLimiter.layer` with `store` set,
 * and `key` defaulting to `"origin"` (one quota per API origin, the same in every process).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: Omit<RateLimiter.Options, "store" | "name"> & StoreOptions
): Layer.Layer<RateLimiter.RateLimiter, never, Redis> =>
  Layer.unwrapEffect(
    Effect.map(
      store(options),
      (shared) => RateLimiter.layer({ ...options, key: options.key ?? "origin", store: shared })
    )
  )
