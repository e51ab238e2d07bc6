import { area, client, client4, core, coreTests, src } from "./types.js"

export const retry = area("Retry", [
  // Retry: backoff and jitter
  {
    id: "backoff-flat",
    promise: "delays grow as base·2ⁿ up to the cap",
    file: `${core}Backoff.ts`,
    find: "Math.min(capMillis, baseMillis * 2 ** (n - 1))",
    replace: "Math.min(capMillis, baseMillis)",
    tests: [...coreTests("Core"), ...client("Retry", "Pipeline"), ...client4("Retry", "Pipeline")]
  },
  {
    id: "equal-jitter",
    promise: "delays reach down towards 0 (full jitter)",
    file: `${core}Backoff.ts`,
    find: "Math.floor(random * ceiling(n, baseMillis, capMillis))",
    replace: "Math.floor((0.5 + random / 2) * ceiling(n, baseMillis, capMillis))",
    tests: [...coreTests("Core"), ...client("Retry", "Pipeline"), ...client4("Retry", "Pipeline")]
  },
  {
    id: "gate-ignores-method",
    promise: "an unsafe method that may have reached the server is never replayed",
    file: `${src}retryLoop.ts`,
    find: "if (!verdict.retry) return Effect.succeed(undefined)",
    replace: "if (!classify.isTransient(error)) return Effect.succeed(undefined)",
    tests: client("Retry", "Pipeline", "Behaviour")
  },
  {
    id: "gate-ignores-retry-after",
    promise: "Retry-After replaces the schedule's delay",
    file: `${src}retryLoop.ts`,
    find: "const wait = Option.isSome(hint) ? Duration.toMillis(hint.value) : scheduled",
    replace: "const wait = scheduled",
    tests: client("Retry", "Pipeline", "Behaviour")
  },
  {
    id: "gate-ignores-deadline",
    promise: "no retry starts whose delay would pass the total deadline",
    file: `${src}retryLoop.ts`,
    find: "if (wait >= left) {",
    replace: "if (false) {",
    tests: client("Retry", "Pipeline")
  },
  {
    id: "no-total-deadline",
    promise: "the total deadline bounds the call",
    file: `${src}retryLoop.ts`,
    find: "const deadline = request.clock.unsafeCurrentTimeMillis() + Duration.toMillis(limit)\n    return next({",
    replace: "const deadline = Infinity\n    return next({",
    tests: client("ApiClient", "ConnectionPool", "Behaviour")
  },
  {
    id: "schedule-loses-attempts",
    promise: "errors from a user schedule carry their attempts",
    file: `${src}retryLoop.ts`,
    find: "onFailure: (error) => final(call, error, n),",
    replace: "onFailure: (error) => error,",
    tests: client("Pipeline")
  },
  // Retry budget
  {
    id: "budget-overfills",
    promise: "the budget never exceeds its capacity",
    file: `${core}RetryBudget.ts`,
    find: "this.set(Math.min(this.options.capacity, this.current + refund))",
    replace: "this.set(this.current + refund)",
    tests: [...coreTests("RetryBudget"), ...client("Pipeline", "Retry"), ...client4("Pipeline", "Retry")]
  },
  {
    id: "timeout-retry-cheap",
    promise: "a retry after a timeout costs timeoutRetryCost",
    file: `${core}RetryBudget.ts`,
    find: "afterTimeout ? this.options.timeoutRetryCost : this.options.retryCost",
    replace: "this.options.retryCost",
    tests: [...coreTests("RetryBudget"), ...client("Pipeline", "Retry"), ...client4("Pipeline", "Retry")]
  },
  {
    id: "budget-refunds-at-once",
    promise: "a retry's cost is given back only when the call succeeds",
    file: `${src}retryLoop.ts`,
    find: "      call.spent += cost\n",
    replace: "      call.spent += cost\n      call.budget.release(cost)\n",
    tests: client("Pipeline", "Retry", "RetryWire")
  },
  {
    id: "schedule-counts-unmade-attempt",
    promise: "Retry.fromSchedule's total-deadline TimeoutError counts the attempts made, as Retry.standard",
    file: `${src}retryLoop.ts`,
    find: "Effect.fail(totalTimeout(request, n))",
    replace: "Effect.fail(totalTimeout(request, ++n))",
    tests: client("Pipeline")
  },
  // retryOn: what a user adds to the transient failures
  {
    id: "retry-on-ignored",
    promise: "a status or connection failure added with retryOn is retried",
    file: `${src}retryLoop.ts`,
    find: "    request.headers[\"idempotency-key\"] !== undefined,\n    call.rules\n  )",
    replace: "    request.headers[\"idempotency-key\"] !== undefined\n  )",
    tests: client("Retry")
  },
  {
    id: "retry-on-not-inherited",
    promise: "per-call retry options keep the client's retryOn unless they give their own",
    file: `${src}retry.ts`,
    find: ": inherited?.retryOn ?? classify.defaultRules,",
    replace: ": classify.defaultRules,",
    tests: client("Retry")
  },
  {
    id: "retry-on-schedule-dropped",
    promise: "Retry.fromSchedule retries what its retryOn adds",
    file: `${src}retry.ts`,
    find: "    retryOn: classify.rules(options.retryOn, \"retry.retryOn\")\n",
    replace: "    retryOn: classify.defaultRules\n",
    tests: client("Retry")
  },
  {
    id: "is-retryable-ignores-retry-on",
    promise: "ApiError.isRetryable answers as the retry stage with the same retryOn",
    file: "packages/client-effect3/src/ApiError.ts",
    find:
      "retryOn === undefined ? classify.isTransient(error) : classify.isTransient(error, classify.rules(retryOn, \"retryOn\"))",
    replace: "classify.isTransient(error)",
    tests: client("Retry")
  }
])
