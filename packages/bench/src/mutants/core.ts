import { area, client, client4, core, coreTests } from "./types.js"

/** The core's decisions (no Effect import): both lines run on them. */
export const coreMutants = area("Core decisions", [
  {
    id: "core-reasons-deny-list",
    promise: "a connection failure is retried only for a reason on the allow-list",
    file: `${core}Classification.ts`,
    find: "      return rules.reasons.has(failure.reason)",
    replace: "      return failure.reason !== \"InvalidUrl\"",
    tests: [...coreTests("Classification"), ...client("Retry"), ...client4("Retry")]
  },
  {
    id: "core-404-transient",
    promise: "404 is not retried: only 408, 429, 500, 502, 503, 504 are transient",
    file: `${core}Classification.ts`,
    find: "new Set([408, 429, 500, 502, 503, 504])",
    replace: "new Set([404, 408, 429, 500, 502, 503, 504])",
    tests: [...coreTests("Classification"), ...client("Retry"), ...client4("Retry")]
  },
  {
    id: "core-403-is-404",
    promise: "403 and 404 are different typed errors",
    file: `${core}Classification.ts`,
    find: "    case 403:\n      return \"PermissionDeniedError\"",
    replace: "    case 403:\n      return \"NotFoundError\"",
    tests: coreTests("Classification")
  },
  {
    id: "core-key-ignored",
    promise: "an Idempotency-Key makes a POST retryable",
    file: `${core}Classification.ts`,
    find: "  if (hasIdempotencyKey) return",
    replace: "  if (false) return",
    tests: [...coreTests("Classification"), ...client("Retry"), ...client4("Retry")]
  },
  {
    id: "core-link-first-rel",
    promise: "rel=next is found among several links, in a list of rels",
    file: `${core}LinkHeader.ts`,
    find: ".split(/\\s+/).includes(\"next\")",
    replace: " === \"next\"",
    tests: [...coreTests("Core"), ...client("Pagination"), ...client4("Pagination")]
  },
  {
    id: "core-retry-on-replaces-defaults",
    promise: "retryOn adds to the default transient statuses, it does not replace them",
    file: `${core}Classification.ts`,
    find: "statuses: new Set([...transientStatuses, ...(more.statuses ?? [])])",
    replace: "statuses: new Set([...(more.statuses ?? [])])",
    tests: [...coreTests("Classification"), ...client("Retry"), ...client4("Retry")]
  },
  {
    id: "retry-after-ms-ignored",
    promise: "retry-after-ms wins over Retry-After",
    file: `${core}RetryAfter.ts`,
    find: "  if (retryAfterMs !== undefined) {",
    replace: "  if (false) {",
    tests: [...coreTests("RetryAfter"), ...client("Retry"), ...client4("Retry")]
  },
  {
    id: "retry-after-date-ignored",
    promise: "a Retry-After HTTP-date gives the time until it",
    file: `${core}RetryAfter.ts`,
    find: "if (date !== undefined) return Math.max(0, date - nowMillis)",
    replace: "if (date !== undefined) return undefined",
    tests: [...coreTests("RetryAfter"), ...client("Retry"), ...client4("Retry")]
  },
  {
    id: "gcra-burst-after-pause",
    promise: "after a pause the permits come at the rate, not as a burst",
    file: `${core}Gcra.ts`,
    find: "Math.max(tat, until + (rate.burst - 1) * rate.emissionMillis)",
    replace: "Math.max(tat, until)",
    tests: [...coreTests("Gcra"), ...client("Resilience"), ...client4("Resilience")]
  },
  {
    id: "budget-refusal-takes-tokens",
    promise: "a retry the budget cannot pay takes nothing from it",
    file: `${core}RetryBudget.ts`,
    find: "    if (cost > this.current) {",
    replace: "    if (cost > this.current) {\n      this.set(0)",
    tests: [...coreTests("RetryBudget"), ...client("Pipeline", "Retry"), ...client4("Pipeline", "Retry")]
  },
  {
    id: "message-without-reason-phrase",
    promise: "a status error's message gives the status's reason phrase, on both lines",
    file: `${core}Messages.ts`,
    find: "${fields.status}${text ? \" \" + text : \"\"}",
    replace: "${fields.status}",
    tests: [...coreTests("Messages"), ...client("Behaviour"), ...client4("Behaviour")]
  },
  {
    id: "message-duration-minutes-as-seconds",
    promise: "a message writes 2 minutes as 2m, as Effect 3's Duration.format does, on both lines",
    file: `${core}Messages.ts`,
    find: "if (minutes !== 0) pieces.push(`${minutes}m`)",
    replace: "if (minutes !== 0) pieces.push(`${minutes * 60}s`)",
    tests: [...coreTests("Messages"), ...client("Retry"), ...client4("Retry")]
  },
  {
    id: "message-body-uncut",
    promise: "a decoding message quotes at most 200 characters of the body",
    file: `${core}Messages.ts`,
    find: "body.length > EXCERPT ? body.slice(0, EXCERPT) + \"…\" : body",
    replace: "body",
    tests: [...coreTests("Messages"), ...client("ApiError"), ...client4("ApiError")]
  },
  {
    id: "lines-pending-unbounded",
    promise: "a streamed line without an end is refused once it passes maxResponseBytes, not held until the body ends",
    file: `${core}Lines.ts`,
    find: "    return pending.length <= this.maxChars ||",
    replace: "    return true ||",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "lines-crlf-cr-counted",
    promise: "a CRLF cut between chunks after a line of exactly maxResponseBytes is not too large",
    file: `${core}Lines.ts`,
    find: "(pending.length === this.maxChars + 1 && !this.bareCr",
    replace: "(false && !this.bareCr",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-reconnects-any-reason",
    promise: "a stream reconnects only after a failure that may mend (not an invalid URL, a refused origin)",
    file: `${core}EventStream.ts`,
    find: "typeof failure.reason === \"string\" && transientReasons.has(failure.reason)",
    replace: "failure.reason !== \"InvalidUrl\"",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  }
])
