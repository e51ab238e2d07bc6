/**
 * Observability: spans that follow the OpenTelemetry HTTP semantic conventions, span events
 * for the decisions the pipeline takes, and the HTTP client metrics.
 *
 * - One span per logical call (`http.client GET`, kind internal), made only when an
 *   exporting tracer is installed: Effect's built-in tracer exports nothing, so a span there
 *   would be pure cost.
 * - Under it, one client span per request sent (`GET`): every attempt, every redirect hop,
 *   every 401 replay, with `http.request.resend_count` after the first and its own
 *   `traceparent`.
 * - Events on the current span for retries, refusals, breaker, limiter and bulkhead
 *   decisions; they are only written on the paths that fail or wait.
 * - `http.client.request.duration` and `http.client.active_requests` per attempt, when the
 *   client asks for metrics.
 *
 * A client builds its pipeline twice at most: without instrumentation (the fast path) and
 * with it, chosen per call.
 *
 * @internal
 */
import { redactUrl } from "@steady/core/Redaction"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpTraceContext from "effect/http/HttpTraceContext"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import type * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import * as policy from "./policy.js"

const builtInTracer = Effect.runSync(Effect.tracer)

/** Whether the fiber has a tracer that exports spans. @internal */
export const exporting = (fiber: Fiber.Fiber<unknown, unknown>): boolean =>
  fiber.getRef(Tracer.Tracer) !== builtInTracer && fiber.getRef(References.TracerEnabled)

/** `http.client.request.duration`: seconds per request sent, semconv buckets. @internal */
export const requestDuration = Metric.histogram("http.client.request.duration", {
  description: "Duration of HTTP client requests, in seconds",
  boundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
})

/** `http.client.active_requests`: requests in flight (goes up and down). @internal */
export const activeRequests = Metric.counter("http.client.active_requests", {
  description: "Number of active HTTP client requests"
})

/**
 * Set while steady's generic transport runs a request through an `HttpClient`: the pool's
 * `HttpClient` uses it to tell steady's calls from direct ones.
 *
 * @internal
 */
export const viaSteady = Context.Reference<boolean>("@steady/client/viaSteady", { defaultValue: () => false })

/** Connections open now, by pool (`ConnectionPool` updates it). @internal */
export const openConnections = Metric.gauge("steady_pool_open_connections", {
  description: "Connections a steady connection pool has open now"
})

const portOf = (url: URL): number => (url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80)

/** `error.type` as the semantic conventions want it: the status code, or the failure's kind. */
const errorType = (error: ApiError.ApiError): string => ("status" in error ? String(error.status) : error._tag)

/**
 * Adds an event to the current span, if there is one. Used only where the pipeline fails,
 * waits or refuses, never on a plain success.
 *
 * @internal
 */
export const event = (name: string, attributes: Record<string, unknown>): Effect.Effect<void> =>
  Effect.flatMap(
    Effect.option(Effect.currentSpan),
    (span) =>
      Option.isNone(span) ?
        Effect.void :
        Effect.flatMap(Clock.currentTimeNanos, (now) => Effect.sync(() => span.value.event(name, now, attributes)))
  )

const recordOutcome = (span: Tracer.Span, exit: Exit.Exit<Policy.Response, ApiError.ApiError>) =>
  Effect.sync(() => {
    if (Exit.isSuccess(exit)) {
      span.attribute("http.response.status_code", exit.value.status)
      span.attribute("steady.attempts", exit.value.attempts ?? 1)
    } else {
      const failed = Cause.findErrorOption(exit.cause)
      if (Option.isNone(failed)) return
      const error = failed.value
      span.attribute("error.type", errorType(error))
      span.attribute("steady.attempts", error.attempts)
      if ("status" in error) span.attribute("http.response.status_code", error.status)
    }
  })

/** Runs `handler` inside the call's span. @internal */
export const traced = (
  request: Policy.Request,
  handler: Policy.Handler
): Effect.Effect<Policy.Response, ApiError.ApiError> =>
  Effect.useSpan(`http.client ${request.method}`, {
    kind: "internal",
    attributes: {
      "http.request.method": request.method,
      "server.address": request.url.hostname,
      "server.port": portOf(request.url),
      "url.full": redactUrl(request.url, request.redactQuery, request.redactValues)
    }
  }, (span) => Effect.withParentSpan(Effect.onExit(handler(request), (exit) => recordOutcome(span, exit)), span))

const measured = (request: Policy.Request, effect: Effect.Effect<Policy.Response, ApiError.ApiError>) =>
  Effect.withFiber((fiber) => {
    const base: Record<string, string> = {
      "http.request.method": request.method,
      "server.address": request.url.hostname,
      "server.port": String(portOf(request.url))
    }
    const start = request.clock.currentTimeMillisUnsafe()
    const context = fiber.context
    const active = Metric.withAttributes(activeRequests, base)
    active.updateUnsafe(1, context)
    return Effect.onExit(effect, (exit) =>
      Effect.sync(() => {
        active.updateUnsafe(-1, context)
        const labels = { ...base }
        if (Exit.isSuccess(exit)) labels["http.response.status_code"] = String(exit.value.status)
        else {
          const failed = Cause.findErrorOption(exit.cause)
          if (Option.isSome(failed)) {
            const error = failed.value
            if ("status" in error) labels["http.response.status_code"] = String(error.status)
            labels["error.type"] = errorType(error)
          } else labels["error.type"] = "interrupted"
        }
        Metric.withAttributes(requestDuration, labels).updateUnsafe(
          (request.clock.currentTimeMillisUnsafe() - start) / 1000,
          context
        )
      }))
  })

/**
 * The per-request instrumentation: a client span with its own `traceparent` when traced,
 * the duration and active-requests metrics when measured. Sits just above status
 * classification, so it sees every request sent and its typed outcome.
 *
 * @internal
 */
export const instrumentAttempt = (traceSpans: boolean, metrics: boolean): Policy.Policy =>
  policy.make({
    name: "instrument",
    stage: "attempt",
    wrap: (next) => (request) => {
      const send = (r: Policy.Request) => (metrics ? measured(r, next(r)) : next(r))
      if (!traceSpans) return send(request)
      const resend = request.attempt - 1 + request.hop
      return Effect.withFiber<Policy.Response, ApiError.ApiError>((fiber) => {
        const propagate = fiber.getRef(HttpClient.TracerPropagationEnabled)
        return Effect.useSpan(request.method, {
          kind: "client",
          attributes: {
            "http.request.method": request.method,
            "server.address": request.url.hostname,
            "server.port": portOf(request.url),
            "url.full": redactUrl(request.url, request.redactQuery, request.redactValues),
            ...(resend > 0 ? { "http.request.resend_count": resend } : {})
          }
        }, (span) =>
          Effect.withParentSpan(
            Effect.onExit(
              // W3C traceparent and b3 headers, as Effect's HttpClient sends them, unless propagation is off
              send(
                propagate
                  ? { ...request, headers: { ...request.headers, ...HttpTraceContext.toHeaders(span) } }
                  : request
              ),
              (exit) => recordOutcome(span, exit)
            ),
            span
          ))
      })
    }
  })
