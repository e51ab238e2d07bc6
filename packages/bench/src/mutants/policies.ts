import { area, client, client4, core, coreTests, src, src4 } from "./types.js"

export const policies = area("Resilience policies", [
  // Resilience policies
  {
    id: "breaker-counts-4xx",
    promise: "a 4xx means the server answered: it never opens the circuit",
    file: `${core}Breaker.ts`,
    find: "    default:\n      return false\n  }\n}",
    replace: "    default:\n      return true\n  }\n}",
    tests: [...coreTests("Breaker"), ...client("Resilience"), ...client4("Resilience", "Persistence")]
  },
  {
    id: "breaker-no-backoff",
    promise: "each reopen without a close doubles the open period",
    file: `${core}Breaker.ts`,
    find: "* 2 ** (opens - 1)",
    replace: "* 1",
    tests: [...coreTests("Breaker"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "breaker-unbounded-probes",
    promise: "half-open lets halfOpenProbes attempts through at a time",
    file: `${core}Breaker.ts`,
    find: "if (c.probes >= this.settings.halfOpenProbes) {",
    replace: "if (false) {",
    tests: [...coreTests("Breaker"), ...client("Resilience"), ...client4("Resilience")]
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
    id: "breaker-success-keeps-streak",
    promise: "a success resets the count of failures in a row",
    file: `${core}Breaker.ts`,
    find: "      c.inARow = 0\n",
    replace: "",
    tests: [...coreTests("Breaker"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "breaker-close-keeps-backoff",
    promise: "once a circuit has closed, the next outage opens it for openDuration, not a doubled period",
    file: `${core}Breaker.ts`,
    find: "    this.opens = 0\n",
    replace: "",
    tests: [...coreTests("Breaker"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "breaker-window-a-bucket-late",
    promise: "the failure-ratio window drops an outcome exactly at its end, not a bucket later",
    file: `${core}Breaker.ts`,
    find: "if (this.stamp[i] > bucket - BUCKETS) {",
    replace: "if (this.stamp[i] >= bucket - BUCKETS) {",
    tests: [...coreTests("Breaker"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "breaker-reset-keeps-window",
    promise: "a circuit that opened and closed starts with an empty window, on any clock (a TestClock's near 0)",
    file: `${core}Breaker.ts`,
    find: "    this.good.fill(0)\n    this.bad.fill(0)\n",
    replace: "",
    tests: [...coreTests("Breaker"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "bulkhead-failure-keeps-slot",
    promise: "a call that fails or is interrupted gives its slot back",
    file: `${src}bulkhead.ts`,
    find: "return Effect.ensuring(restore(next(request)), this.release)",
    replace: "return Effect.tap(restore(next(request)), () => this.release)",
    tests: client("Resilience")
  },
  {
    id: "bulkhead-queued-failure-keeps-slot",
    promise: "a call that waited in the queue and then failed gives its slot back",
    file: `${src}bulkhead.ts`,
    find: "Effect.ensuring(restore(Effect.suspend(() => next(request))), this.release)",
    replace: "Effect.tap(restore(Effect.suspend(() => next(request))), () => this.release)",
    tests: client("Resilience")
  },
  {
    id: "bulkhead-granted-slot-lost",
    promise: "a queued call interrupted just after it was handed a slot passes the slot on",
    file: `${src}bulkhead.ts`,
    find: "(exit) => Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => this.abandon(waiter))",
    replace: "() => Effect.void",
    tests: client("Resilience")
  },
  {
    id: "bulkhead-abandon-keeps-grant",
    promise: "a waiter that abandons a slot it was handed passes it on",
    file: `${src}bulkhead.ts`,
    find: "} else if (waiter.state === \"granted\") {\n      this.unsafeRelease()\n    }",
    replace: "}",
    tests: client("Resilience")
  },
  {
    id: "bulkhead-queue-wait-unbounded",
    promise: "a queued call waits at most queueTimeout (and the test says so at once, not by vitest's timeout)",
    file: `${src}bulkhead.ts`,
    find: "duration: this.options.queueTimeout,",
    replace: "duration: Duration.infinity,",
    tests: client("Resilience")
  },
  {
    id: "limiter-keeps-every-key",
    promise: "the limiter's memory store and its record of pauses keep the keys in use, not every key ever seen",
    file: `${core}Gcra.ts`,
    find: "if (map.size < this.sweepAt) return",
    replace: "return",
    tests: [...coreTests("Gcra"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "limiter-drops-live-keys",
    promise: "the memory store drops only the keys whose state is past",
    file: `${core}Gcra.ts`,
    find: "if (r.granted) this.tats.set(key, r.tat, (tat) => tat <= now)",
    replace: "if (r.granted) this.tats.set(key, r.tat, () => true)",
    tests: [...coreTests("Gcra"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "breaker-keeps-every-circuit",
    promise: "a breaker keyed by request keeps the circuits that hold news, not every one ever used",
    file: `${core}Breaker.ts`,
    find: "if (this.map.size + 1 >= this.sweepAt) this.sweep(now)",
    replace: "",
    tests: [...coreTests("Breaker"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "breaker-sweep-drops-news",
    promise: "the sweep drops only circuits as good as new (closed, none in a row, nothing in the window)",
    file: `${core}Breaker.ts`,
    find: "if (c.state === \"closed\" && c.inARow === 0 && c.totals(bucket).calls === 0) this.map.delete(k)",
    replace: "this.map.delete(k)",
    tests: [...coreTests("Breaker"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "limiter-ignores-429",
    promise: "a 429 with Retry-After pauses every caller of the key",
    file: `${core}RateLimitHeaders.ts`,
    find: "if (status === 429 && retryAfterMillis !== undefined) consider(retryAfterMillis)",
    replace: "if (false) consider(retryAfterMillis)",
    tests: [...coreTests("RateLimitHeaders"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "limiter-pause-uncapped",
    promise: "a pause the server asks for beyond maxPause is not taken (all three header styles)",
    file: `${core}RateLimitHeaders.ts`,
    find: "if (millis > maxPauseMillis) refusedMillis",
    replace: "if (false) refusedMillis",
    tests: [...coreTests("RateLimitHeaders"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "limiter-pause-cap-exclusive",
    promise: "a pause of exactly maxPause is still taken",
    file: `${core}RateLimitHeaders.ts`,
    find: "if (millis > maxPauseMillis)",
    replace: "if (millis >= maxPauseMillis)",
    tests: [...coreTests("RateLimitHeaders"), ...client("Resilience"), ...client4("Resilience")]
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
    id: "limiter-ignores-take-now",
    promise: "a store's takeNow, when it has one, answers instead of its take",
    file: `${src}rateLimiter.ts`,
    find: "this.fast = options.store.takeNow",
    replace: "this.fast = undefined",
    tests: client("Resilience")
  },
  {
    id: "limiter-ignores-take-now-4",
    promise: "a store's takeNow, when it has one, answers instead of its take (Effect 4 line)",
    file: `${src4}rateLimiter.ts`,
    find: "this.fast = options.store.takeNow",
    replace: "this.fast = undefined",
    tests: client4("Resilience")
  }
])
