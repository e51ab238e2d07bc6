import { area, client, src } from "./types.js"

export const policies = area("Resilience policies", [
  // Resilience policies
  {
    id: "breaker-counts-4xx",
    promise: "a 4xx means the server answered: it never opens the circuit",
    file: `${src}circuitBreaker.ts`,
    find: "    default:\n      return false\n  }\n}",
    replace: "    default:\n      return true\n  }\n}",
    tests: client("Resilience")
  },
  {
    id: "breaker-no-backoff",
    promise: "each reopen without a close doubles the open period",
    file: `${src}circuitBreaker.ts`,
    find: "* 2 ** (c.opens - 1)",
    replace: "* 1",
    tests: client("Resilience")
  },
  {
    id: "breaker-unbounded-probes",
    promise: "half-open lets halfOpenProbes attempts through at a time",
    file: `${src}circuitBreaker.ts`,
    find: "if (c.probes >= this.options.halfOpenProbes) {",
    replace: "if (false) {",
    tests: client("Resilience")
  },
  {
    id: "bulkhead-waiter-stays",
    promise: "an interrupted waiter leaves the queue",
    file: `${src}bulkhead.ts`,
    find: "if (i >= 0) this.queue.splice(i, 1)",
    replace: "",
    tests: client("Resilience")
  },
  {
    id: "limiter-ignores-429",
    promise: "a 429 with Retry-After pauses every caller of the key",
    file: `${src}rateLimitHeaders.ts`,
    find: "if (status === 429 && retryAfterMillis !== undefined) consider(retryAfterMillis)",
    replace: "if (false) consider(retryAfterMillis)",
    tests: client("Resilience")
  },
  {
    id: "limiter-pause-uncapped",
    promise: "a pause the server asks for beyond maxPause is not taken (all three header styles)",
    file: `${src}rateLimitHeaders.ts`,
    find: "if (millis > maxPauseMillis) refusedMillis",
    replace: "if (false) refusedMillis",
    tests: client("Resilience")
  },
  {
    id: "limiter-pause-cap-exclusive",
    promise: "a pause of exactly maxPause is still taken",
    file: `${src}rateLimitHeaders.ts`,
    find: "if (millis > maxPauseMillis)",
    replace: "if (millis >= maxPauseMillis)",
    tests: client("Resilience")
  },
  {
    id: "limiter-max-pause-a-day",
    promise: "maxPause defaults to 60 seconds, as documented",
    file: `${src}rateLimiter.ts`,
    find: "maxPause: Duration.seconds(60)",
    replace: "maxPause: Duration.hours(24)",
    tests: client("Resilience")
  },
  {
    id: "limiter-retries-free",
    promise: "every retry takes a permit of its own",
    file: `${src}rateLimiter.ts`,
    find: "if (request.attempt <= 1) return next(request)",
    replace: "return next(request)",
    tests: client("Resilience")
  },
  {
    id: "hedging-loser-survives",
    promise: "the losing copy is aborted, its socket closed",
    file: `${src}hedging.ts`,
    find: "Effect.ensuring(Effect.suspend(() => Fiber.interruptAll(fibers)))",
    replace: "Effect.ensuring(Effect.void)",
    tests: client("Resilience")
  },
  {
    id: "hedging-post",
    promise: "a request that is not idempotent is never hedged",
    file: `${src}hedging.ts`,
    find: "(classify.idempotentMethods.has(request.method) || request.headers[\"idempotency-key\"] !== undefined)",
    replace: "true",
    tests: client("Resilience")
  }
])
