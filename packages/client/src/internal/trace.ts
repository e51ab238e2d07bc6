/**
 * One client span per logical call (not per attempt), with the URL redacted and no headers,
 * when an exporting tracer is installed. Effect's built-in tracer exports nothing: a span
 * there would be pure cost.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import type * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import { redactUrl } from "./redact.js"

const builtInTracer = Effect.runSync(Effect.tracer)

/** Whether the fiber has a tracer that exports spans. @internal */
export const exporting = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean =>
  fiber.currentTracer !== builtInTracer && fiber.getFiberRef(FiberRef.currentTracerEnabled)

/** Runs `handler` inside the call's span; the trace context travels with every attempt. @internal */
export const traced = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  request: Policy.Request,
  handler: Policy.Handler
): Effect.Effect<Policy.Response, ApiError.ApiError> => {
  const propagate = fiber.getFiberRef(HttpClient.currentTracerPropagation)
  return Effect.useSpan(`http.client ${request.method}`, {
    kind: "client",
    captureStackTrace: false,
    attributes: {
      "http.request.method": request.method,
      "server.address": request.url.hostname,
      "url.full": redactUrl(request.url, request.redactQuery)
    }
  }, (span) =>
    Effect.withParentSpan(
      // W3C traceparent and b3 headers, as @effect/platform sends them, unless propagation is off
      Effect.onExit(
        handler(
          propagate ? { ...request, headers: { ...request.headers, ...HttpTraceContext.toHeaders(span) } } : request
        ),
        (exit) =>
          Effect.sync(() => {
            if (exit._tag === "Success") {
              span.attribute("http.response.status_code", exit.value.status)
              span.attribute("steady.attempts", exit.value.attempts ?? 1)
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
}
