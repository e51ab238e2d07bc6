import { area } from "./types.js"

export const redis = area("Fleet (@steady/redis-effect3)", [
  // @steady/redis-effect3 (the Effect 3 line)
  {
    id: "redis-lease-over-quota",
    promise: "a lease is taken only when the shared quota holds all of it now",
    file: "packages/redis-effect3/src/internal/scripts.ts",
    find: "if lease > 1 and tat + emission * lease - burst * emission <= now then",
    replace: "if lease > 1 then",
    tests: ["packages/redis-effect3/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "redis-ioredis5-not-tested",
    promise: "the suite runs on both ioredis majors the package takes (5 through the ioredis5 alias, and 6)",
    file: "packages/redis-effect3/vitest.ioredis5.config.ts",
    find: "replacement: \"ioredis5\"",
    replace: "replacement: \"ioredis\"",
    tests: ["packages/redis-effect3/test/Driver.test.ts"]
  },
  {
    id: "redis-fleet-paused-for-a-day",
    promise: "one response asking for a day does not pause the other processes of the fleet",
    file: "packages/core/src/RateLimitHeaders.ts",
    find: "if (millis > maxPauseMillis) refusedMillis",
    replace: "if (false) refusedMillis",
    tests: ["packages/redis-effect3/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "redis-budget-over-capacity",
    promise: "refunds never lift the fleet's retry budget past its capacity in Redis",
    file: "packages/redis-effect3/src/internal/scripts.ts",
    find: "if balance > capacity then balance = capacity end",
    replace: "",
    tests: ["packages/redis-effect3/test/RedisRetryBudget.test.ts"]
  },
  {
    id: "redis-budget-local-overfills",
    promise: "a refund never lifts a process's share of the fleet's budget past its capacity",
    file: "packages/redis-effect3/src/RedisRetryBudget.ts",
    find: "this.set(Math.min(this.options.capacity, this.current + (spent > 0 ? spent : this.options.successRefund)))",
    replace: "this.set(this.current + (spent > 0 ? spent : this.options.successRefund))",
    tests: ["packages/redis-effect3/test/RedisRetryBudget.test.ts"]
  },
  {
    id: "redis-down-asked-every-call",
    promise: "a Redis that is down is asked again only after retryAfter, not on every call",
    file: "packages/redis-effect3/src/internal/fallback.ts",
    find: "return now >= this.downUntil",
    replace: "return true",
    tests: ["packages/redis-effect3/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "redis-down-interval-ignored",
    promise: "after a failure, Redis is left alone for retryAfter",
    file: "packages/redis-effect3/src/internal/fallback.ts",
    find: "this.downUntil = now + this.retryMillis",
    replace: "this.downUntil = now",
    tests: ["packages/redis-effect3/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "redis-burst-after-pause",
    promise: "after a server-imposed pause the fleet's permits resume one per emission, as GCRA spaces them",
    file: "packages/redis-effect3/src/internal/scripts.ts",
    find: "local paused = untilAt + (burst - 1) * emission",
    replace: "local paused = untilAt",
    tests: ["packages/redis-effect3/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "redis-window-a-bucket-late",
    promise: "the fleet breaker's window drops outcomes exactly at its end, not a bucket later",
    file: "packages/redis-effect3/src/internal/scripts.ts",
    find: "if tonumber(string.sub(fields[i], 2)) <= oldest then",
    replace: "if tonumber(string.sub(fields[i], 2)) < oldest then",
    tests: ["packages/redis-effect3/test/RedisCircuitBreaker.test.ts"]
  },
  {
    id: "redis-leases-kept",
    promise: "leases are kept for the keys in use, not for every key ever seen",
    file: "packages/redis-effect3/src/RedisRateLimiter.ts",
    find: "if (leases.size < sweepAt) return",
    replace: "return",
    tests: ["packages/redis-effect3/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "redis-script-waits-past-max",
    promise: "the script refuses a permit whose wait would exceed the max wait, as steady's GCRA does",
    file: "packages/redis-effect3/src/internal/scripts.ts",
    find: "if wait > maxWait then return {0, math.ceil(wait), 0} end",
    replace: "if wait > maxWait + emission then return {0, math.ceil(wait), 0} end",
    tests: ["packages/redis-effect3/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "redis-never-recovers",
    promise: "limits are shared again once Redis answers after an outage",
    file: "packages/redis-effect3/src/internal/fallback.ts",
    find: "return now >= this.downUntil",
    replace: "return this.downUntil === 0",
    tests: ["packages/redis-effect3/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "breaker-ignores-fleet",
    promise: "a circuit the fleet has open is open in this process too",
    file: "packages/core/src/Breaker.ts",
    find: "      transition = this.adopt(c, view, now, \"opened by another process\")",
    replace: "      void view",
    tests: [
      "packages/core/test/Breaker.test.ts",
      "packages/client-effect3/test/Resilience.test.ts",
      "packages/redis-effect3/test/RedisCircuitBreaker.test.ts",
      "packages/redis/test/RedisCircuitBreaker.test.ts"
    ]
  },
  {
    id: "redis-probe-for-all",
    promise: "one process of the fleet holds the probe lease at a time",
    file: "packages/redis-effect3/src/internal/scripts.ts",
    find: "if holder == false or holder == ARGV[1] then",
    replace: "if true then",
    tests: ["packages/redis-effect3/test/RedisCircuitBreaker.test.ts"]
  },
  {
    id: "redis-window-per-process",
    promise: "the breaker's window counts the fleet's attempts",
    file: "packages/redis-effect3/src/internal/scripts.ts",
    find: "if untilAt == 0 and good + bad > 0 then",
    replace: "if false then",
    tests: ["packages/redis-effect3/test/RedisCircuitBreaker.test.ts"]
  },
  {
    id: "redis-budget-not-synced",
    promise: "a retry budget spent by one process is spent in the others",
    file: "packages/redis-effect3/src/RedisRetryBudget.ts",
    find: "budget.synced(Number(balance))",
    replace: "void balance",
    tests: ["packages/redis-effect3/test/RedisRetryBudget.test.ts"]
  }
])

const redis4 = "packages/redis/src/"
const limiter4 = ["packages/redis/test/RedisRateLimiter.test.ts"]

export const redisEffect4 = area("Fleet (@steady/redis, Effect 4)", [
  {
    id: "redis4-lease-over-bucket",
    promise: "a lease is taken only when the bucket holds all of it now: the fleet never exceeds its quota",
    file: `${redis4}RedisRateLimiter.ts`,
    find: "allowOverflow: false",
    replace: "allowOverflow: true",
    tests: limiter4
  },
  {
    id: "redis4-refused-lease-kept",
    promise: "a lease refused still leaves its caller to take one permit, not a lease's worth",
    file: `${redis4}RedisRateLimiter.ts`,
    find: "if (remaining < 0) return shared.take(key, rate, now, maxWaitMillis)",
    replace: "if (remaining < 0) remaining = 0",
    tests: limiter4
  },
  {
    id: "redis4-waiters-over-asked",
    promise: "the next refill asks only for the callers the last one did not serve: no leased permit left idle",
    file: `${redis4}RedisRateLimiter.ts`,
    find: "h.waited = Math.max(0, current.waiting - Math.max(0, h.left))",
    replace: "h.waited = current.waiting + 1",
    tests: limiter4
  },
  {
    id: "redis4-refused-keys-kept",
    promise: "keys refused a lease are forgotten once the bucket could hold one: the map does not grow with every key",
    file: `${redis4}RedisRateLimiter.ts`,
    find: "&& now >= x.leaseAt && !refills.has(k)) held.delete(k)",
    replace: "&& x.left > 0 && now >= x.leaseAt && !refills.has(k)) held.delete(k)",
    tests: limiter4
  },
  {
    id: "redis4-stalled-waits",
    promise: "a stalled Redis fails a command at its commandTimeout, and the store answers locally",
    file: `${redis4}Redis.ts`,
    find: "{ timeout: timeoutMillis, rejectInFlight: true }",
    replace: "{ rejectInFlight: true }",
    tests: limiter4
  },
  {
    id: "redis4-in-flight-waits",
    promise: "a command already sent to a stalled Redis times out too (node-redis 6.4's rejectInFlight: redis ^6.4.0)",
    file: `${redis4}Redis.ts`,
    find: "rejectInFlight: true }",
    replace: "rejectInFlight: false }",
    tests: limiter4
  },
  {
    id: "redis4-down-asked-every-call",
    promise: "a Redis that is down is asked again only after retryAfter, not on every call",
    file: `${redis4}internal/fallback.ts`,
    find: "return now >= this.downUntil",
    replace: "return true",
    tests: limiter4
  },
  {
    id: "redis4-down-fails-call",
    promise: "a Redis that is down or killed fails no call: the local limiter answers",
    file: `${redis4}internal/fallback.ts`,
    find: "onFailure: (cause) => Effect.andThen(this.failed(now, cause), local),",
    replace: "onFailure: (cause) => Effect.andThen(this.failed(now, cause), Effect.die(cause)),",
    tests: limiter4
  },
  {
    id: "redis4-breaker-local-only",
    promise: "a circuit one process opens is open in the others: the breaker's state is Redis's",
    file: `${redis4}RedisCircuitBreaker.ts`,
    find: "Effect.map(remote.admit(key), (admission) => ({ admission })),",
    replace:
      "Effect.map(local.admit(key), (admission) => ({ admission: { ...admission, generation: -admission.generation - 1 } })),",
    tests: ["packages/redis/test/RedisCircuitBreaker.test.ts"]
  }
])
