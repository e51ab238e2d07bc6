import { area, client, core, src } from "./types.js"

export const hardening = area("Hardening", [
  // Hardening
  {
    id: "no-redaction-by-value",
    promise: "a credential a server echoes (Location, any header, the body) is masked",
    file: `${src}attempt.ts`,
    find: "  const secrets = redact.secretsOf(\n    request.headers,",
    replace: "  const secrets: ReadonlyArray<string> = [] || redact.secretsOf(\n    request.headers,",
    tests: client("Behaviour")
  },
  {
    id: "token-body-unredacted",
    promise: "tokens in a form-encoded or malformed token answer never reach an error",
    file: `${src}auth.ts`,
    find: ".replace(tokenFields, \"$1<redacted>\")",
    replace: "",
    tests: client("Auth")
  },
  {
    id: "closed-pool-sent",
    promise: "a destroyed dispatcher is PoolClosed, not sent, never retried",
    file: `${src}transportFailure.ts`,
    find: "if (code === \"UND_ERR_DESTROYED\" || code === \"UND_ERR_CLOSED_POOL\") {",
    replace: "if (false) {",
    tests: client("ConnectionPool")
  },
  {
    id: "large-5xx-is-decode-error",
    promise: "a 5xx over maxResponseBytes stays a retryable ServerError",
    file: `${src}httpClientTransport.ts`,
    find: "      if (ok) return Effect.fail(failure.tooLarge(request, response.status, undefined))",
    replace: "      return Effect.fail(failure.tooLarge(request, response.status, undefined))",
    tests: client("Behaviour")
  },
  {
    id: "config-zero-duration",
    promise: "a zero duration read through Config is a ConfigError naming the variable",
    file: "packages/client-effect3/src/ApiClient.ts",
    find: "if (!(millis >= bounds.configDurationMillis.min && millis <= bounds.configDurationMillis.max)) {",
    replace: "if (false) {",
    tests: client("ApiClient")
  },
  {
    id: "stream-body-replayed",
    promise: "a body that may be readable only once is never sent again",
    file: `${src}retryLoop.ts`,
    find: "if (body.isOneShot(request.body) && !classify.provedNotSent(error)) {",
    replace: "if (false) {",
    tests: client("ConnectionPool", "Uploads")
  },
  {
    id: "reset-counts-as-not-sent",
    promise: "a reset after the request was written is sent: true",
    file: `${core}Network.ts`,
    find: "    return { reason: \"Reset\", sent: true, code }",
    replace: "    return { reason: \"Reset\", sent: false, code }",
    tests: client("Behaviour", "ApiError", "Retry")
  }
])
