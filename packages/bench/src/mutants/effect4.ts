import { area, client4, src4 } from "./types.js"

/**
 * The Effect 4 line's own code: the same promises as the Effect 3 line's mutants, planted in
 * packages/client and caught by its tests (vitest 5, Node 22), and its interop with
 * effect/persistence.
 */
export const effect4 = area("Effect 4 line", [
  {
    id: "e4-gate-ignores-method",
    promise: "an unsafe method that may have reached the server is never replayed (Effect 4)",
    file: `${src4}retryLoop.ts`,
    find: "if (!verdict.retry) return Effect.succeed(undefined)",
    replace: "if (false) return Effect.succeed(undefined)",
    tests: client4("Retry", "Behaviour")
  },
  {
    id: "e4-auth-any-origin",
    promise: "credentials go only to the origins they serve (Effect 4)",
    file: `${src4}auth.ts`,
    find: "if (!serves(binding, origin)) return withheld(binding, origin, next(request))",
    replace: "",
    tests: client4("Hardening")
  },
  {
    id: "e4-redirect-any-origin",
    promise: "a redirect to another origin is refused unless allowOtherOrigins (Effect 4)",
    file: `${src4}redirect.ts`,
    find: "if (!allowOtherOrigins && hop.url.origin !== request.url.origin) {",
    replace: "if (false) {",
    tests: client4("Hardening", "Behaviour")
  },
  {
    id: "e4-https-http-same-origin",
    promise: "an https→http redirect on the same host drops Authorization and Cookie (Effect 4)",
    file: `${src4}redirect.ts`,
    find: "const leaves = url.origin !== request.url.origin",
    replace: "const leaves = url.hostname !== request.url.hostname",
    tests: client4("Trust")
  },
  {
    id: "e4-page-cycle-undetected",
    promise: "a next link back to a page already read fails at once, saying cycle (Effect 4)",
    file: `${src4}pagination.ts`,
    find: "if (before !== undefined) {",
    replace: "if (false) {",
    tests: client4("Hardening")
  },
  {
    id: "e4-hedging-keyed-post",
    promise: "a POST with an Idempotency-Key is hedged only when unsafeMethods says so (Effect 4)",
    file: `${src4}hedging.ts`,
    find: "(unsafeMethods && request.headers[\"idempotency-key\"] !== undefined))",
    replace: "(request.headers[\"idempotency-key\"] !== undefined))",
    tests: client4("Hedging")
  },
  {
    id: "e4-effect-store-ignores-max-wait",
    promise: "on Effect's RateLimiterStore, a take that would wait past maxWait takes nothing and is refused",
    file: `${src4}persistence.ts`,
    find: "if (wait > maxWaitMillis) return Effect.succeed({ granted: false, waitMillis: wait })",
    replace: "",
    tests: client4("Persistence")
  },
  {
    id: "e4-effect-breaker-counts-answers",
    promise: "on Effect's CircuitBreaker, a 404 is the server answering: it never opens the circuit",
    file: `${src4}persistence.ts`,
    find: "if (!failed(e)) return EffectBreakers.success",
    replace: "",
    tests: client4("Persistence")
  },
  {
    id: "e4-retry-on-ignored",
    promise: "a status or connection failure added with retryOn is retried (Effect 4)",
    file: `${src4}retryLoop.ts`,
    find: "    request.headers[\"idempotency-key\"] !== undefined,\n    call.rules\n  )",
    replace: "    request.headers[\"idempotency-key\"] !== undefined\n  )",
    tests: client4("Retry")
  },
  {
    id: "e4-retry-on-schedule-dropped",
    promise: "Retry.fromSchedule retries what its retryOn adds (Effect 4)",
    file: `${src4}retry.ts`,
    find: "    retryOn: classify.rules(options.retryOn, \"retry.retryOn\")\n",
    replace: "    retryOn: classify.defaultRules\n",
    tests: client4("Retry")
  },
  {
    id: "e4-message-drops-retry-after",
    promise: "a status error's message gives the server's retry hint (Effect 4's Duration into the core's text)",
    file: `${src4}errorMessage.ts`,
    find: "retryAfterMillis: optionMillis(e.retryAfter),",
    replace: "retryAfterMillis: undefined,",
    tests: client4("Retry")
  }
])
