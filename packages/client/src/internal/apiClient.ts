import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import type * as ApiClient from "../ApiClient.js"
import * as ApiError from "../ApiError.js"
import type * as Auth from "../Auth.js"
import * as authInternal from "./auth.js"
import { type BudgetOptions, defaultBudget, RetryBudget } from "./budget.js"
import * as classify from "./classify.js"
import * as redact from "./redact.js"
import { BufferedResponse } from "./response.js"
import { parseRetryAfter } from "./retryAfter.js"
import * as transport from "./transport.js"

const MAX_ERROR_BODY = 8 * 1024
const utf8 = new TextDecoder()

/** Defaults, resolved once. @internal */
export const defaults = {
  attemptTimeout: Duration.seconds(10),
  totalTimeout: Duration.seconds(30),
  times: 2,
  base: Duration.millis(500),
  cap: Duration.seconds(8),
  maxRetryAfter: Duration.seconds(60),
  maxResponseBytes: 16 * 1024 * 1024
} as const

/** @internal */
export interface ResolvedRetry {
  readonly times: number
  readonly baseMillis: number
  readonly capMillis: number
  readonly maxRetryAfterMillis: number
  /** Exponential backoff, base·2ⁿ; jitter and cap are applied on top. */
  readonly schedule: Schedule.Schedule<Duration.Duration, unknown>
}

const wholeNumber = (name: string, n: number): number => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${n}`)
  return n
}

const resolveRetry = (
  retry: ApiClient.RetryOptions | false | undefined,
  inherited: ResolvedRetry | undefined
): ResolvedRetry | undefined => {
  if (retry === false) return undefined
  if (retry === undefined) return inherited
  const base = retry.base !== undefined
    ? Duration.decode(retry.base)
    : inherited
    ? Duration.millis(inherited.baseMillis)
    : defaults.base
  const times = wholeNumber("retry.times", retry.times ?? inherited?.times ?? defaults.times)
  const cap = retry.cap !== undefined
    ? Duration.toMillis(retry.cap)
    : inherited?.capMillis ?? Duration.toMillis(defaults.cap)
  const maxRetryAfter = retry.maxRetryAfter !== undefined
    ? Duration.toMillis(retry.maxRetryAfter)
    : inherited?.maxRetryAfterMillis ?? Duration.toMillis(defaults.maxRetryAfter)
  return {
    times,
    baseMillis: Duration.toMillis(base),
    capMillis: cap,
    maxRetryAfterMillis: maxRetryAfter,
    schedule: Schedule.exponential(base, 2)
  }
}

const positiveMillis = (name: string, d: Duration.DurationInput): number => {
  const ms = Duration.toMillis(d)
  if (!(ms > 0)) throw new RangeError(`${name} must be a positive duration, got ${Duration.format(Duration.decode(d))}`)
  return ms
}

/** Retries started, by every steady client of the process. @internal */
export const retriesTotal = Metric.counter("steady_retries_total", {
  description: "Retries started by steady clients",
  incremental: true
})

/** Retries refused because a client's retry budget was spent. @internal */
export const budgetRefusalsTotal = Metric.counter("steady_retry_budget_refusals_total", {
  description: "Retries refused because the retry budget was spent",
  incremental: true
})

/** Per-call overrides, set with `ApiClient.withCallOptions`. @internal */
export const currentCallOptions = globalValue(
  Symbol.for("@steady/client/ApiClient/currentCallOptions"),
  () => FiberRef.unsafeMake<ApiClient.CallOptions | undefined>(undefined)
)

const requestIdHeaders = [
  "x-request-id",
  "request-id",
  "x-amzn-requestid",
  "x-amz-request-id",
  "x-correlation-id",
  "cf-ray"
]

const headerValue = (headers: Incoming["headers"], name: string): string | undefined => {
  const v = headers[name]
  return v === undefined ? undefined : typeof v === "string" ? v : v.join(", ")
}

type Incoming = transport.Incoming

/** @internal */
export interface Resolved {
  readonly base: URL | undefined
  readonly basePrefix: string
  readonly headers: Readonly<Record<string, string>>
  readonly attemptMillis: number
  readonly totalMillis: number
  readonly retry: ResolvedRetry | undefined
  readonly allowOtherOrigins: boolean
  readonly maxResponseBytes: number
  readonly idempotencyKey: "auto" | undefined
  readonly redactQuery: ReadonlySet<string>
  readonly budget: RetryBudget | undefined
  readonly followRedirects: number
}

const absoluteUrl = /^[a-zA-Z][a-zA-Z0-9+.-]*:/

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

const mergeBudget = (options: Exclude<ApiClient.RetryOptions["budget"], false>): BudgetOptions => {
  const out = { ...defaultBudget }
  if (options === undefined) return out
  for (const key of ["capacity", "retryCost", "timeoutRetryCost", "successRefund"] as const) {
    const v = options[key]
    if (v === undefined) continue
    if (!(v >= 0)) throw new RangeError(`retry.budget.${key} must be ≥ 0, got ${v}`)
    out[key] = v
  }
  return out
}

/** @internal */
export const resolveOptions = (options: ApiClient.Options): Resolved => {
  let base: URL | undefined
  let basePrefix = ""
  if (options.baseUrl !== undefined) {
    try {
      base = new URL(options.baseUrl)
    } catch {
      throw new TypeError(`baseUrl is not an absolute URL: ${redact.redactUrl(String(options.baseUrl))}`)
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new TypeError(`baseUrl must use http or https, got ${base.protocol}`)
    }
    if (base.search !== "" || base.hash !== "") {
      throw new TypeError("baseUrl must not have a query or fragment")
    }
    basePrefix = base.href.endsWith("/") ? base.href.slice(0, -1) : base.href
  }
  const headers: Record<string, string> = {}
  if (options.headers !== undefined) {
    const entries = Symbol.iterator in options.headers
      ? Array.from(options.headers as Iterable<readonly [string, string]>)
      : Object.entries(options.headers as Record<string, string | ReadonlyArray<string> | undefined>)
    for (const [k, v] of entries) {
      if (v === undefined) continue
      headers[k.toLowerCase()] = typeof v === "string" ? v : (v as ReadonlyArray<string>).join(", ")
    }
  }
  const attemptMillis = positiveMillis("timeout.attempt", options.timeout?.attempt ?? defaults.attemptTimeout)
  const totalMillis = positiveMillis("timeout.total", options.timeout?.total ?? defaults.totalTimeout)
  const retry = resolveRetry(options.retry ?? {}, undefined)
  const maxResponseBytes = options.maxResponseBytes ?? defaults.maxResponseBytes
  if (!(maxResponseBytes > 0)) throw new RangeError(`maxResponseBytes must be positive, got ${maxResponseBytes}`)
  const budgetOption = options.retry === false ? false : options.retry?.budget
  return {
    base,
    basePrefix,
    headers,
    attemptMillis,
    totalMillis,
    retry,
    allowOtherOrigins: options.allowOtherOrigins ?? false,
    maxResponseBytes,
    idempotencyKey: options.idempotencyKey,
    redactQuery: new Set((options.redactQueryParams ?? []).map((s) => s.toLowerCase())),
    budget: budgetOption === false ? undefined : new RetryBudget(mergeBudget(budgetOption)),
    followRedirects: wholeNumber("followRedirects", options.followRedirects ?? 0)
  }
}

/** The live clock and the built-in tracer, to recognise them. */
const liveClock = Effect.runSync(Clock.clockWith(Effect.succeed))
const builtInTracer = Effect.runSync(Effect.tracer)

/** How one attempt is bounded: a deadline for the transport's own timer, and its error. */
interface Bound {
  readonly deadline: number | undefined
  readonly onTimeout: () => ApiError.TimeoutError
  /** The current time on the call's clock (for Retry-After dates). */
  readonly now: () => number
}

interface Call {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly hasIdempotencyKey: boolean
  readonly redactedUrl: () => string
}

const connectionError = (
  request: ApiError.RequestInfo,
  reason: ApiError.ConnectionReason,
  detail: string
) => new ApiError.ConnectionError({ request, attempts: 1, reason, sent: false, detail })

/** Builds the client. @internal */
export const make = (
  http: HttpClient.HttpClient,
  options: ApiClient.Options,
  auth: Auth.Service | undefined
): HttpClient.HttpClient.With<ApiError.ApiError> => {
  const resolved = resolveOptions(options)
  const dispatcher = transport.dispatcherOf(http)
  const redactQueryAll = new Set([
    ...resolved.redactQuery,
    ...(auth?.sensitiveQueryParams ?? []).map((s) => s.toLowerCase())
  ])
  const redactQuery = redactQueryAll.size > 0 ? redactQueryAll : undefined
  const authHeaders = auth !== undefined && auth.sensitiveHeaders.length > 0
    ? new Set(auth.sensitiveHeaders.map((s) => s.toLowerCase()))
    : undefined

  const prepare = (request: HttpClientRequest.HttpClientRequest): Call | ApiError.ConnectionError => {
    const raw = request.url
    let href: string
    if (absoluteUrl.test(raw)) {
      href = raw
    } else if (resolved.base !== undefined) {
      href = raw === "" ? resolved.basePrefix : raw.charCodeAt(0) === 47 /* / */
        ? resolved.basePrefix + raw
        : raw.charCodeAt(0) === 63 /* ? */
        ? resolved.basePrefix + raw
        : resolved.basePrefix + "/" + raw
    } else {
      return (
        connectionError(
          { method: request.method, url: redact.redactUrl(raw, redactQuery) },
          "InvalidUrl",
          "a relative URL needs the client's baseUrl"
        )
      )
    }
    const made = UrlParams.makeUrl(href, request.urlParams, request.hash)
    if (made._tag === "Left") {
      return (
        connectionError(
          { method: request.method, url: redact.redactUrl(href, redactQuery) },
          "InvalidUrl",
          made.left.message
        )
      )
    }
    const url = made.right
    const redactedUrl = () => redact.redactUrl(url, redactQuery)
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return (
        connectionError(
          { method: request.method, url: redactedUrl() },
          "InvalidUrl",
          `unsupported protocol ${url.protocol}`
        )
      )
    }
    if (resolved.base !== undefined && url.origin !== resolved.base.origin && !resolved.allowOtherOrigins) {
      return (
        connectionError(
          { method: request.method, url: redactedUrl() },
          "OriginNotAllowed",
          `the client's baseUrl is ${resolved.base.origin}; set allowOtherOrigins: true to send requests (and credentials) elsewhere`
        )
      )
    }
    const headers: Record<string, string> = { ...resolved.headers }
    const own = request.headers
    for (const name in own) headers[name] = own[name]
    return {
      request,
      method: request.method,
      url,
      headers,
      hasIdempotencyKey: headers["idempotency-key"] !== undefined,
      redactedUrl
    }
  }

  const toApiError = (call: Call, failure: transport.Failure, bound: Bound): ApiError.ApiError => {
    if (failure._tag === "Timeout") return bound.onTimeout()
    const request: ApiError.RequestInfo = { method: call.method, url: call.redactedUrl() }
    if (failure._tag === "Connection") {
      return new ApiError.ConnectionError({
        request,
        attempts: 1,
        reason: failure.reason,
        sent: failure.sent,
        detail: failure.detail,
        cause: failure.cause
      })
    }
    return new ApiError.DecodeError({
      request,
      attempts: 1,
      reason: "TooLarge",
      status: failure.status,
      body: "",
      issue: Option.none(),
      detail: `more than maxResponseBytes (${failure.limit} bytes)${
        failure.size !== undefined ? `: Content-Length is ${failure.size}` : ""
      }`
    })
  }

  const statusError = (call: Call, incoming: Incoming, nowMillis: number): ApiError.StatusError => {
    let requestId: string | undefined
    for (const name of requestIdHeaders) {
      requestId = headerValue(incoming.headers, name)
      if (requestId !== undefined) break
    }
    const retryAfter = parseRetryAfter(
      headerValue(incoming.headers, "retry-after-ms"),
      headerValue(incoming.headers, "retry-after"),
      nowMillis
    )
    const bytes = incoming.bytes.byteLength > MAX_ERROR_BODY
      ? incoming.bytes.subarray(0, MAX_ERROR_BODY)
      : incoming.bytes
    return ApiError.fromStatus({
      request: { method: call.method, url: call.redactedUrl() },
      attempts: 1,
      status: incoming.status,
      headers: redact.redactHeaders(incoming.headers, authHeaders),
      body: utf8.decode(bytes),
      requestId: Option.fromNullable(requestId),
      retryAfter: retryAfter === undefined ? Option.none() : Option.some(Duration.millis(retryAfter))
    })
  }

  /** Sends one request and classifies what came back: a 2xx, or an `ApiError`. */
  const classified = (call: Call, bound: Bound, hops = 0): Effect.Effect<Incoming, ApiError.ApiError> => {
    const done = (incoming: Incoming | undefined, failure: transport.Failure | undefined) => {
      if (incoming === undefined) return Effect.fail(toApiError(call, failure!, bound))
      if (incoming.status >= 200 && incoming.status < 300) return Effect.succeed(incoming)
      if (hops < resolved.followRedirects && redirectStatuses.has(incoming.status)) {
        const next = redirect(call, incoming)
        if (next !== undefined) return classified(next, bound, hops + 1)
      }
      return Effect.fail(statusError(call, incoming, bound.now()))
    }
    return dispatcher !== undefined && transport.canSendDirect(call.request)
      ? transport.sendDirect(dispatcher, call, resolved.maxResponseBytes, bound.deadline, done)
      : Effect.matchEffect(transport.sendGeneric(http, call, resolved.maxResponseBytes), {
        onSuccess: (incoming) => done(incoming, undefined),
        onFailure: (failure) => done(undefined, failure)
      })
  }

  /**
   * The request a redirect asks for, or `undefined` when it cannot be followed (no or a bad
   * Location, not http(s)). 303, and 301/302 after a POST, become a GET without a body
   * (as browsers and Python's requests do); 307/308 keep the method and body. Leaving the
   * origin drops every credential: Authorization, Proxy-Authorization, Cookie, API-key
   * headers and the headers of the `Auth` layer.
   */
  const redirect = (call: Call, incoming: Incoming): Call | undefined => {
    const location = headerValue(incoming.headers, "location")
    if (location === undefined) return undefined
    let url: URL
    try {
      url = new URL(location, call.url)
    } catch {
      return undefined
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
    const toGet = incoming.status === 303 ||
      ((incoming.status === 301 || incoming.status === 302) && call.method === "POST")
    const headers: Record<string, string> = { ...call.headers }
    if (url.origin !== call.url.origin) {
      for (const name of Object.keys(headers)) {
        if (redact.sensitiveHeaders.has(name) || (authHeaders !== undefined && authHeaders.has(name))) {
          delete headers[name]
        }
      }
    }
    let request = call.request
    if (toGet && call.method !== "GET" && call.method !== "HEAD") {
      request = HttpClientRequest.setBody(HttpClientRequest.setMethod(request, "GET"), HttpBody.empty)
      delete headers["content-type"]
      delete headers["content-length"]
    }
    return {
      ...call,
      request,
      method: request.method,
      url,
      headers,
      redactedUrl: () => redact.redactUrl(url, redactQuery)
    }
  }

  /** Sends with the current credentials; after a 401, refreshes and replays once. */
  const authenticated = (
    service: Auth.Service,
    call: Call,
    bound: Bound
  ): Effect.Effect<Incoming, ApiError.ApiError> => {
    const withCredentials = (replayed: boolean): Effect.Effect<Incoming, ApiError.ApiError> =>
      Effect.flatMap(
        Effect.mapError(
          service.credentials,
          (failure) => authInternal.toAuthenticationError(failure, { method: call.method, url: call.redactedUrl() })
        ),
        (applied) => {
          const headers = call.headers
          for (const name in applied.headers) headers[name] = applied.headers[name]
          let url = call.url
          let hasQuery = false
          for (const _ in applied.query) {
            hasQuery = true
            break
          }
          if (hasQuery) {
            url = new URL(call.url)
            for (const name in applied.query) url.searchParams.set(name, applied.query[name])
          }
          const sent = url === call.url ? classified(call, bound) : classified({ ...call, url }, bound)
          if (replayed) return sent
          return Effect.catchIf(
            sent,
            (error) => error._tag === "AuthenticationError",
            (error) =>
              Effect.flatMap(
                service.unauthorized(applied.generation),
                (replay) => (replay ? withCredentials(true) : Effect.fail(error))
              )
          )
        }
      )
    return withCredentials(false)
  }

  /**
   * One attempt, bounded by `limitMillis`, classified. On the pool's direct path under the
   * live clock, the transport's own timer enforces the limit (no fiber, no race); anywhere
   * else (a mock, a TestClock) `Effect.timeoutFail` does, on Effect's clock.
   */
  const attempt = (
    call: Call,
    limitMillis: number,
    onTimeout: () => ApiError.TimeoutError,
    clock: Clock.Clock
  ): Effect.Effect<Incoming, ApiError.ApiError> => {
    if (dispatcher !== undefined && clock === liveClock && transport.canSendDirect(call.request)) {
      const bound: Bound = { deadline: Date.now() + limitMillis, onTimeout, now: Date.now }
      return auth === undefined ? classified(call, bound) : authenticated(auth, call, bound)
    }
    const bound: Bound = { deadline: undefined, onTimeout, now: () => clock.unsafeCurrentTimeMillis() }
    return Effect.timeoutFail(auth === undefined ? classified(call, bound) : authenticated(auth, call, bound), {
      duration: Duration.millis(limitMillis),
      onTimeout
    })
  }

  const run = (
    call: Call,
    overrides: ApiClient.CallOptions | undefined,
    clock: Clock.Clock
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, ApiError.ApiError> => {
    const attemptMillis = overrides?.timeout?.attempt !== undefined
      ? positiveMillis("timeout.attempt", overrides.timeout.attempt)
      : resolved.attemptMillis
    const totalMillis = overrides?.timeout?.total !== undefined
      ? positiveMillis("timeout.total", overrides.timeout.total)
      : resolved.totalMillis
    const retry = overrides?.retry !== undefined ? resolveRetry(overrides.retry, resolved.retry) : resolved.retry
    const budget = resolved.budget
    const timeoutError = (scope: "attempt" | "total") =>
      new ApiError.TimeoutError({
        request: { method: call.method, url: call.redactedUrl() },
        attempts: 1,
        scope,
        duration: Duration.millis(scope === "attempt" ? attemptMillis : totalMillis)
      })
    const attemptTimeout = () => timeoutError("attempt")
    const totalTimeout = () => timeoutError("total")

    const start = clock.unsafeCurrentTimeMillis()
    const deadline = start + totalMillis
    let spent = 0
    let scheduleState: unknown = retry?.schedule.initial

    const succeed = (incoming: Incoming, attempts: number) => {
      if (budget !== undefined) budget.release(spent)
      return Effect.succeed(
        new BufferedResponse(
          call.request,
          incoming.status,
          incoming.headers,
          incoming.bytes,
          call.redactedUrl(),
          attempts
        )
      )
    }

    const loop = (n: number): Effect.Effect<HttpClientResponse.HttpClientResponse, ApiError.ApiError> => {
      const now = clock.unsafeCurrentTimeMillis()
      const remaining = deadline - now
      if (remaining <= 0) return Effect.fail(ApiError.withAttempts(totalTimeout(), n - 1))
      const cutByDeadline = remaining < attemptMillis
      return Effect.matchEffect(
        attempt(
          call,
          cutByDeadline ? remaining : attemptMillis,
          cutByDeadline ? totalTimeout : attemptTimeout,
          clock
        ),
        {
          onSuccess: (incoming) => succeed(incoming, n),
          onFailure: (error) => retryOrFail(error, n)
        }
      )
    }

    const retryOrFail = (
      error: ApiError.ApiError,
      n: number
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, ApiError.ApiError> => {
      const fail = Effect.fail(ApiError.withAttempts(error, n))
      if (retry === undefined || n > retry.times) return fail
      const verdict = classify.classify(error, call.method, call.hasIdempotencyKey)
      if (!verdict.retry) return fail
      const hint = "retryAfter" in error ? error.retryAfter : Option.none()
      return Effect.flatMap(
        Option.isSome(hint)
          ? Effect.succeed(Duration.toMillis(hint.value))
          : backoff(retry, error, clock.unsafeCurrentTimeMillis()),
        (delay) => {
          if (Option.isSome(hint) && delay > retry.maxRetryAfterMillis) {
            return Effect.zipRight(
              Effect.logDebug("steady: not retrying, Retry-After above maxRetryAfter").pipe(
                Effect.annotateLogs({ url: call.redactedUrl(), retryAfterMillis: delay })
              ),
              fail
            )
          }
          const left = deadline - clock.unsafeCurrentTimeMillis()
          if (delay >= left) {
            return Effect.zipRight(
              Effect.logDebug("steady: not retrying, the delay would pass the total deadline").pipe(
                Effect.annotateLogs({ url: call.redactedUrl(), delayMillis: delay, leftMillis: left })
              ),
              fail
            )
          }
          if (budget !== undefined) {
            const cost = budget.acquire(error._tag === "TimeoutError")
            if (cost === undefined) {
              return Effect.logDebug("steady: not retrying, the retry budget is spent").pipe(
                Effect.annotateLogs({ url: call.redactedUrl(), error: classify.describe(error) }),
                Effect.zipRight(Metric.increment(budgetRefusalsTotal)),
                Effect.zipRight(fail)
              )
            }
            spent += cost
          }
          return Effect.logDebug("steady: retrying").pipe(
            Effect.annotateLogs({
              method: call.method,
              url: call.redactedUrl(),
              attempt: n,
              reason: verdict.reason,
              delayMillis: Math.round(delay)
            }),
            Effect.zipRight(Metric.increment(retriesTotal)),
            Effect.zipRight(Effect.sleep(Duration.millis(delay))),
            Effect.zipRight(Effect.suspend(() => loop(n + 1)))
          )
        }
      )
    }

    /** Full jitter over the capped exponential: U(0, min(cap, base·2ⁿ)). */
    const backoff = (policy: ResolvedRetry, error: ApiError.ApiError, now: number) =>
      Effect.flatMap(policy.schedule.step(now, error, scheduleState), ([state, out, decision]) => {
        scheduleState = state
        const exp = ScheduleDecision.isDone(decision) ? policy.capMillis : Duration.toMillis(out)
        const ceiling = Math.min(policy.capMillis, exp)
        // whole milliseconds: what a timer can honour, and stable under a seeded Random
        return Effect.map(Random.nextRange(0, ceiling), Math.floor)
      })

    return loop(1)
  }

  const execute = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.withFiberRuntime<HttpClientResponse.HttpClientResponse, ApiError.ApiError>((fiber) => {
      const call = prepare(request)
      if (ApiError.isApiError(call)) return Effect.fail(call)
      const overrides = fiber.getFiberRef(currentCallOptions)
      const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
      const key = overrides?.idempotencyKey ?? resolved.idempotencyKey
      const prepared = key === "auto" && !call.hasIdempotencyKey && !classify.idempotentMethods.has(call.method)
        ? { ...call, headers: { ...call.headers, "idempotency-key": crypto.randomUUID() }, hasIdempotencyKey: true }
        : call
      // Effect's built-in tracer exports nothing: a span there is pure cost. Trace when an
      // exporting tracer (OpenTelemetry, …) is installed.
      if (fiber.currentTracer === builtInTracer || !fiber.getFiberRef(FiberRef.currentTracerEnabled)) {
        return run(prepared, overrides, clock)
      }
      return traced(
        prepared,
        fiber.getFiberRef(HttpClient.currentTracerPropagation),
        (call) => run(call, overrides, clock)
      )
    })

  /** One client span per logical call (not per attempt), with the URL redacted and no headers. */
  const traced = (
    call: Call,
    propagate: boolean,
    effect: (call: Call) => Effect.Effect<HttpClientResponse.HttpClientResponse, ApiError.ApiError>
  ) =>
    Effect.useSpan(`http.client ${call.method}`, {
      kind: "client",
      captureStackTrace: false,
      attributes: {
        "http.request.method": call.method,
        "server.address": call.url.hostname,
        "url.full": call.redactedUrl()
      }
    }, (span) =>
      Effect.withParentSpan(
        // W3C traceparent and b3 headers, as @effect/platform sends them, unless propagation is off
        Effect.onExit(
          effect(propagate ? { ...call, headers: { ...call.headers, ...HttpTraceContext.toHeaders(span) } } : call),
          (exit) =>
            Effect.sync(() => {
              if (exit._tag === "Success") {
                span.attribute("http.response.status_code", exit.value.status)
                span.attribute("steady.attempts", (exit.value as BufferedResponse).attempts)
              } else if (exit.cause._tag === "Fail") {
                const error = exit.cause.error
                span.attribute("error.type", error._tag)
                span.attribute("steady.attempts", error.attempts)
                if ("status" in error) span.attribute("http.response.status_code", error.status)
              }
            })
        ),
        span
      ))

  // `execute` is the whole client: the preprocess step of makeWith is the identity.
  const client = HttpClient.makeWith<never, never, ApiError.ApiError, never>(
    (effect) => Effect.flatMap(effect, execute),
    Effect.succeed
  )
  return Object.assign(client, { execute })
}

/** Whether a response came from a steady client (body already read). @internal */
export { isBufferedResponse } from "./response.js"
