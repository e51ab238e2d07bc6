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
  }
])
