import { area, client, src } from "./types.js"

export const hedging = area("Hedging", [
  {
    id: "hedging-loser-survives",
    promise: "the copies that lose are interrupted, their requests aborted",
    file: `${src}hedging.ts`,
    find: "Effect.ensuring(Effect.suspend(() => Fiber.interruptAll(fibers)))",
    replace: "Effect.ensuring(Effect.void)",
    tests: client("Hedging")
  },
  {
    id: "hedging-post",
    promise: "a request that is not idempotent is never hedged",
    file: `${src}hedging.ts`,
    find: "(classify.idempotentMethods.has(request.method) ||",
    replace: "(true ||",
    tests: client("Hedging")
  },
  {
    id: "hedging-keyed-post",
    promise: "a POST with an Idempotency-Key is hedged only when unsafeMethods says so",
    file: `${src}hedging.ts`,
    find: "(unsafeMethods && request.headers[\"idempotency-key\"] !== undefined))",
    replace: "(request.headers[\"idempotency-key\"] !== undefined))",
    tests: client("Hedging")
  },
  {
    id: "hedging-409-wins",
    promise: "a hedged copy's 409 (key in use) is never the attempt's outcome",
    file: `${src}hedging.ts`,
    find: "if (!keyInUse(copy, exit)) firstFailure ??= exit.cause",
    replace: "firstFailure ??= exit.cause",
    tests: client("Hedging")
  },
  {
    id: "hedging-stream",
    promise: "a body readable only once is never hedged",
    file: `${src}hedging.ts`,
    find: "!body.isOneShot(request.body) &&",
    replace: "request.body._tag !== \"Stream\" &&",
    tests: client("Hedging")
  },
  {
    id: "hedging-first-failure-ends-race",
    promise: "a failed copy does not end the race while another is in flight",
    file: `${src}hedging.ts`,
    find: "return running === 0 ? Deferred.failCause(done, firstFailure ?? exit.cause) : Effect.void",
    replace: "return Deferred.failCause(done, firstFailure ?? exit.cause)",
    tests: client("Hedging")
  },
  {
    id: "hedging-free",
    promise: "each hedged copy costs a retry from the budget",
    file: `${src}hedging.ts`,
    find: "if (budget !== undefined && budget.acquire(false) === undefined) {",
    replace: "if (false) {",
    tests: client("Hedging")
  }
])
