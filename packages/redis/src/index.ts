/**
 * @steady/redis: limits shared by a fleet of processes, through Redis, on the Effect 4 line.
 *
 * @since 0.3.0
 */

/**
 * The Redis connection the stores share, as a layer (`Config`: `STEADY_REDIS_URL`): Effect's
 * own `Redis` service on a `redis` (node-redis) client that fails fast.
 *
 * @since 0.3.0
 */
export * as Redis from "./Redis.js"

/**
 * A rate limiter store shared by the fleet: Effect's Redis `RateLimiterStore`, with leases and
 * a local fallback.
 *
 * @since 0.3.0
 */
export * as RedisRateLimiter from "./RedisRateLimiter.js"

/**
 * A circuit breaker shared by the fleet: Effect's `CircuitBreaker` on its Redis store, as a
 * steady policy, with a local fallback; one probe for the fleet.
 *
 * @since 0.3.0
 */
export * as RedisCircuitBreaker from "./RedisCircuitBreaker.js"

/**
 * A retry budget shared by the fleet (Effect 4 has none): a local balance, synced in the
 * background.
 *
 * @since 0.3.0
 */
export * as RedisRetryBudget from "./RedisRetryBudget.js"

/**
 * A store for `HttpCache` on Redis: one process's answer is every process's hit.
 *
 * @since 0.3.0
 */
export * as RedisHttpCache from "./RedisHttpCache.js"
