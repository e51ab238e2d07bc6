/**
 * @steady/redis-effect3: limits shared by a fleet of processes, through Redis, on the Effect 3 line.
 *
 * @since 0.2.0
 */

/**
 * The Redis connection the stores share, as a layer (`Config`: `STEADY_REDIS_URL`).
 *
 * @since 0.2.0
 */
export * as Redis from "./Redis.js"

/**
 * A rate limiter store shared by the fleet, with leases and a local fallback.
 *
 * @since 0.2.0
 */
export * as RedisRateLimiter from "./RedisRateLimiter.js"

/**
 * A circuit breaker store shared by the fleet: one process opens a circuit for all, one
 * probes it at a time.
 *
 * @since 0.2.0
 */
export * as RedisCircuitBreaker from "./RedisCircuitBreaker.js"

/**
 * A retry budget shared by the fleet: a local balance, synced in the background.
 *
 * @since 0.2.0
 */
export * as RedisRetryBudget from "./RedisRetryBudget.js"

/**
 * A store for `HttpCache` on Redis: one process's answer is every process's hit.
 *
 * @since 0.3.0
 */
export * as RedisHttpCache from "./RedisHttpCache.js"
