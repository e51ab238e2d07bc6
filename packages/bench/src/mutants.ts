/**
 * The mutants `npm run mutate` plants, one at a time, in the request path. Each is a small,
 * plausible bug; `tests` are the test files that should catch it (vitest filters, run in the
 * package named first). `find` must occur exactly once in `file`: when the code changes under
 * a mutant, the run says so instead of skipping it.
 */
export interface Mutant {
  readonly id: string
  /** What no test would pin down if the mutant survived. */
  readonly promise: string
  readonly file: string
  readonly find: string
  readonly replace: string
  readonly tests: ReadonlyArray<string>
}

const src = "packages/client/src/internal/"
const client = (...files: ReadonlyArray<string>) => files.map((f) => `packages/client/test/${f}.test.ts`)

export const mutants: ReadonlyArray<Mutant> = [
  // Retry: backoff and jitter
  {
    id: "backoff-flat",
    promise: "delays grow as base·2ⁿ up to the cap",
    file: `${src}retryLoop.ts`,
    find: "retry.baseMillis * 2 ** (n - 1)",
    replace: "retry.baseMillis",
    tests: client("Retry", "Pipeline")
  },
  {
    id: "equal-jitter",
    promise: "delays reach down towards 0 (full jitter)",
    file: `${src}retryLoop.ts`,
    find: "Random.nextRange(0, ceiling)",
    replace: "Random.nextRange(ceiling / 2, ceiling)",
    tests: client("Retry", "Pipeline")
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
    file: `${src}retryBudget.ts`,
    find: "this.set(Math.min(this.options.capacity, this.current + refund))",
    replace: "this.set(this.current + refund)",
    tests: client("Pipeline", "Retry")
  },
  {
    id: "timeout-retry-cheap",
    promise: "a retry after a timeout costs timeoutRetryCost",
    file: `${src}retryBudget.ts`,
    find: "afterTimeout ? this.options.timeoutRetryCost : this.options.retryCost",
    replace: "this.options.retryCost",
    tests: client("Pipeline", "Retry")
  },
  {
    id: "budget-refunds-at-once",
    promise: "a retry's cost is given back only when the call succeeds",
    file: `${src}retryLoop.ts`,
    find: "      call.spent += cost\n",
    replace: "      call.spent += cost\n      call.budget.release(cost)\n",
    tests: client("Pipeline", "Retry", "RetryWire")
  },
  // Redaction
  {
    id: "authorization-shown",
    promise: "a bearer token never appears in an error's headers",
    file: `${src}redact.ts`,
    find: "\n  \"authorization\",\n",
    replace: "\n",
    tests: client("Behaviour", "ApiError", "Leak")
  },
  {
    id: "auth-header-names-shown",
    promise: "a custom API-key header never appears in error headers",
    file: `${src}attempt.ts`,
    find: "const headers = redact.redactHeaders(response.headers, sensitiveHeaders)",
    replace: "const headers = redact.redactHeaders(response.headers)",
    tests: client("Behaviour", "Leak")
  },
  {
    id: "query-key-shown",
    promise: "a query API key never appears in an error, a log or a span",
    file: `${src}apiClient.ts`,
    find: "...(auth?.sensitiveQueryParams ?? []).map((s) => s.toLowerCase())",
    replace: "",
    tests: client("Auth", "Leak")
  },
  {
    id: "user-info-shown",
    promise: "URLs in errors, logs and spans never carry user info",
    file: `${src}redact.ts`,
    find: "parsed.username = \"\"\n    parsed.password = \"\"",
    replace: "parsed.username = parsed.username",
    tests: client("Behaviour", "ApiError")
  },
  // Bodies
  {
    id: "generic-unbounded-declared",
    promise: "maxResponseBytes holds on every transport (declared length)",
    file: `${src}httpClientTransport.ts`,
    find: "if (ok && declaredBytes > maxBytes && failure.hasBody(request.method, response.status)) {",
    replace: "if (false) {",
    tests: client("Behaviour", "ConnectionPool")
  },
  {
    id: "generic-unbounded-chunked",
    promise: "maxResponseBytes holds on every transport (chunked)",
    file: `${src}httpClientTransport.ts`,
    find: "      if (size <= limit) {\n        chunks.push(chunk)\n        return Effect.succeed(true)",
    replace: "      if (true) {\n        chunks.push(chunk)\n        return Effect.succeed(true)",
    tests: client("Behaviour", "ConnectionPool")
  },
  {
    id: "undici-unbounded-declared",
    promise: "maxResponseBytes holds on the pool (declared length)",
    file: `${src}undiciTransport.ts`,
    find: "typeof declared === \"string\" && Number(declared) > maxBytes",
    replace: "false",
    tests: client("Behaviour", "ConnectionPool")
  },
  // Configuration and per-call options
  {
    id: "config-ignores-timeout",
    promise: "<PREFIX>_TIMEOUT changes behaviour",
    file: "packages/client/src/ApiClient.ts",
    find: "timeout: { attempt: Option.getOrUndefined(attempt), total: Option.getOrUndefined(total) },",
    replace: "timeout: { attempt: Option.getOrUndefined(attempt), total: undefined },",
    tests: client("ApiClient")
  },
  {
    id: "config-ignores-max-retries",
    promise: "<PREFIX>_MAX_RETRIES changes behaviour",
    file: "packages/client/src/ApiClient.ts",
    find: "retry: Option.isSome(times) ? { times: times.value } : undefined,",
    replace: "retry: undefined,",
    tests: client("ApiClient")
  },
  {
    id: "call-ignores-idempotency-key",
    promise: "a per-call idempotencyKey takes effect",
    file: `${src}apiClient.ts`,
    find: "overrides?.idempotencyKey ?? resolved.idempotencyKey,",
    replace: "resolved.idempotencyKey,",
    tests: client("Pipeline", "Retry")
  },
  {
    id: "call-ignores-timeout",
    promise: "a per-call timeout takes effect",
    file: `${src}options.ts`,
    find: "attemptTimeout: options.timeout?.attempt !== undefined",
    replace: "attemptTimeout: false",
    tests: client("Pipeline", "Retry")
  },
  {
    id: "overrides-leak",
    promise: "per-client options never reach another client's calls",
    file: `${src}apiClient.ts`,
    find: "const own = overrides === undefined ? logged : Effect.locally(logged, currentCallOptions, undefined)",
    replace: "const own = logged",
    tests: client("Pipeline")
  },
  // Redirects
  {
    id: "redirect-keeps-post",
    promise: "301/302 after POST become a GET without a body",
    file: `${src}redirect.ts`,
    find: "const toGet = status === 303 || ((status === 301 || status === 302) && request.method === \"POST\")",
    replace: "const toGet = status === 303",
    tests: client("Behaviour", "AuthWire")
  },
  {
    id: "redirect-keeps-content-type",
    promise: "the body's headers go with the body",
    file: `${src}redirect.ts`,
    find: "    delete headers[\"content-type\"]\n",
    replace: "",
    tests: client("Behaviour", "AuthWire")
  },
  {
    id: "redirect-keeps-credentials",
    promise: "credentials never follow a redirect to another origin",
    file: `${src}redirect.ts`,
    find: "if (redact.sensitiveHeaders.has(name) || sensitiveHeaders?.has(name)) delete headers[name]",
    replace: "",
    tests: client("AuthWire")
  },
  // Auth
  {
    id: "oauth-basic-not-encoded",
    promise: "RFC 6749 §2.3.1 encoding (a secret with ':' or '%' works)",
    file: `${src}auth.ts`,
    find: "const pw = encodeURIComponent(Redacted.value(secret))",
    replace: "const pw = Redacted.value(secret)",
    tests: client("Auth")
  },
  {
    id: "no-401-replay",
    promise: "a 401 gets one refresh and one replay",
    file: `${src}auth.ts`,
    find: "if (replayed) return sent",
    replace: "return sent",
    tests: client("Auth", "AuthWire", "Behaviour")
  },
  {
    id: "late-401-drops-new-token",
    promise: "a late 401 for an old token keeps the new one",
    file: `${src}auth.ts`,
    find: "if (current !== undefined && current.generation === used) current = undefined",
    replace: "current = undefined",
    tests: client("Auth")
  },
  // Timeouts and transports
  {
    id: "attempt-timeout-ignored",
    promise: "the attempt timeout bounds each attempt",
    file: `${src}attempt.ts`,
    find: "deadline < request.deadline",
    replace: "false",
    tests: client("ApiClient", "Behaviour", "Retry")
  },
  {
    id: "generic-no-deadline",
    promise: "the generic transport enforces the deadline",
    file: `${src}httpClientTransport.ts`,
    find: "if (settle(Effect.fail(failure.timeoutError(request)))) send.unsafeInterruptAsFork(FiberId.none)",
    replace: "",
    tests: client("ApiClient", "Behaviour")
  },
  {
    id: "undici-no-deadline",
    promise: "the pool's transport enforces the deadline and closes the socket",
    file: `${src}undiciTransport.ts`,
    find: "const timer = setTimeout(() => stop(failure.timeoutError(request)), failure.remainingMillis(request))",
    replace: "const timer = undefined",
    tests: client("ConnectionPool", "Behaviour")
  },
  {
    id: "pool-transport-for-any-client",
    promise: "a transformed pool goes through the generic transport",
    file: `${src}transport.ts`,
    find: "(provided.httpClient === undefined || provided.httpClient === http)",
    replace: "true",
    tests: client("Pipeline")
  },
  // Hardening
  {
    id: "no-redaction-by-value",
    promise: "a credential a server echoes (Location, any header, the body) is masked",
    file: `${src}attempt.ts`,
    find:
      "const secrets = redact.secretsOf(request.headers, request.url, sensitiveHeaders, request.redactQuery, secretValues)",
    replace: "const secrets: ReadonlyArray<string> = []",
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
    promise: "a closed pool is PoolClosed, not sent, never retried",
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
    file: "packages/client/src/ApiClient.ts",
    find: "if (!(Duration.toMillis(decoded.value) > 0)) {",
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
    file: `${src}transportFailure.ts`,
    find: "return connectionError(request, reset ? \"Reset\" : \"Transport\", true, describeCause(cause), cause)",
    replace: "return connectionError(request, reset ? \"Reset\" : \"Transport\", false, describeCause(cause), cause)",
    tests: client("Behaviour", "ApiError", "Retry")
  },
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
    find: "if (status === 429 && retryAfterMillis !== undefined && retryAfterMillis > 0) {",
    replace: "if (false) {",
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
  },
  // Observability
  {
    id: "span-no-resend-count",
    promise: "a request sent again says so: http.request.resend_count",
    file: `${src}trace.ts`,
    find: "...(resend > 0 ? { \"http.request.resend_count\": resend } : {})",
    replace: "",
    tests: client("Platform")
  },
  {
    id: "failure-log-ignores-level",
    promise: "the failed-call log line is written at the client's logLevel",
    file: `${src}apiClient.ts`,
    find: "Effect.logWithLevel(logLevel, \"steady: call failed\")",
    replace: "Effect.logDebug(\"steady: call failed\")",
    tests: client("Observability")
  },
  {
    id: "metric-no-error-type",
    promise: "a failed request's duration is labelled with its error.type",
    file: `${src}trace.ts`,
    find: "labels.push(MetricLabel.make(\"error.type\", errorType(error)))",
    replace: "",
    tests: client("Observability")
  },
  // Bodies: streaming, uploads, pagination
  {
    id: "stream-no-backpressure",
    promise: "a caller that stops reading pauses the socket (backpressure reaches the server)",
    file: `${src}bodyQueue.ts`,
    find: "if (!this.paused && this.bytes >= highWaterMark) {",
    replace: "if (false) {",
    tests: client("Streaming")
  },
  {
    id: "stream-not-released",
    promise: "a stream that ends early aborts its request and closes the connection",
    file: `${src}streaming.ts`,
    find: "Effect.sync(() => streaming.releaseAll())",
    replace: "Effect.void",
    tests: client("Streaming")
  },
  {
    id: "stream-no-idle-timer",
    promise: "a stalled body is cut by timeout.idle",
    file: `${src}bodyQueue.ts`,
    find: "if (this.idleMillis !== Infinity) this.idleTimer = setTimeout(this.onIdle, this.idleMillis)",
    replace: "",
    tests: client("Streaming")
  },
  {
    id: "sse-id-before-dispatch",
    promise: "a reconnection resumes after the last whole event, not a half-received one",
    file: `${src}sse.ts`,
    find: "if (!value.includes(\"\\u0000\")) this.idBuffer = value",
    replace: "if (!value.includes(\"\\u0000\")) this.idBuffer = this.state.lastEventId = value",
    tests: client("Sse")
  },
  {
    id: "raw-stream-replayable",
    promise: "a ReadableStream body is never sent twice",
    file: `${src}body.ts`,
    find: "body._tag === \"Stream\" || (body._tag === \"Raw\" && !isReplayableValue(body.body))",
    replace: "body._tag === \"Stream\"",
    tests: client("Uploads")
  },
  {
    id: "global-formdata-passed-through",
    promise: "the global FormData is sent on the fast path",
    file: `${src}undiciBody.ts`,
    find: "case \"FormData\":\n      return { body: toUndiciFormData(body.formData) }",
    replace: "case \"FormData\":\n      return { body: body.formData as never }",
    tests: client("Uploads")
  },
  {
    id: "page-past-short-page",
    promise: "an offset listing stops at a page shorter than pageSize",
    file: `${src}pagination.ts`,
    find: "if (items === 0 || (pageSize !== undefined && items < pageSize)) return undefined",
    replace: "if (items === 0) return undefined",
    tests: client("Pagination")
  },
  {
    id: "pages-beyond-limit",
    promise: "a listing longer than maxPages fails instead of ending as if complete",
    file: `${src}pagination.ts`,
    find: "if (step.index >= maxPages) {",
    replace: "if (step.index >= maxPages + 1) {",
    tests: client("Pagination")
  },
  // @steady/redis
  {
    id: "redis-lease-over-quota",
    promise: "a lease is taken only when the shared quota holds all of it now",
    file: "packages/redis/src/internal/scripts.ts",
    find: "if lease > 1 and tat + emission * lease - burst * emission <= now then",
    replace: "if lease > 1 then",
    tests: ["packages/redis/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "redis-never-recovers",
    promise: "limits are shared again once Redis answers after an outage",
    file: "packages/redis/src/internal/fallback.ts",
    find: "return now >= this.downUntil",
    replace: "return this.downUntil === 0",
    tests: ["packages/redis/test/RedisRateLimiter.test.ts"]
  },
  {
    id: "breaker-ignores-fleet",
    promise: "a circuit the fleet has open is open in this process too",
    file: "packages/client/src/internal/circuitBreaker.ts",
    find: "        transition = this.adopt(c, shared, now, \"opened by another process\")",
    replace: "        void shared",
    tests: ["packages/client/test/Resilience.test.ts", "packages/redis/test/RedisCircuitBreaker.test.ts"]
  },
  {
    id: "redis-probe-for-all",
    promise: "one process of the fleet holds the probe lease at a time",
    file: "packages/redis/src/internal/scripts.ts",
    find: "if holder == false or holder == ARGV[1] then",
    replace: "if true then",
    tests: ["packages/redis/test/RedisCircuitBreaker.test.ts"]
  },
  {
    id: "redis-window-per-process",
    promise: "the breaker's window counts the fleet's attempts",
    file: "packages/redis/src/internal/scripts.ts",
    find: "if untilAt == 0 and good + bad > 0 then",
    replace: "if false then",
    tests: ["packages/redis/test/RedisCircuitBreaker.test.ts"]
  },
  {
    id: "redis-budget-not-synced",
    promise: "a retry budget spent by one process is spent in the others",
    file: "packages/redis/src/RedisRetryBudget.ts",
    find: "budget.synced(Number(balance))",
    replace: "void balance",
    tests: ["packages/redis/test/RedisRetryBudget.test.ts"]
  },
  // @steady/openapi
  {
    id: "openapi-key-ignored",
    promise: "a POST that declares an Idempotency-Key sends one and is retried",
    file: "packages/openapi/src/internal/model.ts",
    find: "const idempotencyKey = all.some(",
    replace: "const idempotencyKey = false && all.some(",
    tests: ["packages/openapi/test/Generator.test.ts"]
  },
  {
    id: "openapi-errors-untyped",
    promise: "a declared 4xx/5xx with a JSON body is the operation's typed error",
    file: "packages/openapi/src/internal/model.ts",
    find: "} else if (status >= 400 && status < 600 && json !== undefined",
    replace: "} else if (status >= 600 && json !== undefined",
    tests: ["packages/openapi/test/Generator.test.ts"]
  },
  {
    id: "openapi-link-not-followed",
    promise: "a Link header on an array response gives a ...Stream method",
    file: "packages/openapi/src/internal/model.ts",
    find: "if (linkHeader && isArray) paging = { _tag: \"link\" }",
    replace: "if (false) paging = { _tag: \"link\" }",
    tests: ["packages/openapi/test/Generator.test.ts"]
  }
]
