import { reasonPhrase } from "@steady/core/StatusText"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as ApiError from "../ApiError.js"

const attemptsText = (n: number) => `${n} attempt${n === 1 ? "" : "s"}`

/** @internal */
export const statusMessage = (e: ApiError.StatusError): string => {
  const text = reasonPhrase(e.status)
  const parts: Array<string> = []
  if (Option.isSome(e.requestId)) parts.push(`request id ${e.requestId.value}`)
  if (Option.isSome(e.retryAfter)) parts.push(`retry after ${Duration.format(e.retryAfter.value)}`)
  parts.push(attemptsText(e.attempts))
  return `${e.request.method} ${e.request.url} failed: ${e.status}${text ? " " + text : ""} (${parts.join("; ")})`
}

/** @internal */
export const authenticationMessage = (e: ApiError.AuthenticationError): string => {
  if (e.source !== "token-endpoint") return statusMessage(e)
  const oauth = e.oauthError === undefined
    ? ""
    : `: ${e.oauthError.error}${e.oauthError.description === undefined ? "" : ` (${e.oauthError.description})`}`
  return `${e.request.method} ${e.request.url} failed: credentials could not be obtained: ${e.detail ?? ""}${oauth}` +
    ` (${attemptsText(e.attempts)})`
}

const reasonTexts: Record<ApiError.ConnectionReason, string> = {
  Refused: "connection refused",
  Dns: "host name not found",
  ConnectTimeout: "connection not established in time",
  Tls: "TLS handshake failed",
  Reset: "connection closed before the response was complete",
  Transport: "transport error",
  InvalidUrl: "invalid URL",
  InvalidRequest: "invalid request",
  OriginNotAllowed: "origin not allowed",
  PoolClosed: "the connection pool is closed"
}

/** @internal */
export const connectionMessage = (e: ApiError.ConnectionError): string =>
  `${e.request.method} ${e.request.url} failed: ${reasonTexts[e.reason]}` +
  ` (${e.sent ? "may have reached the server" : "not sent"}; ${attemptsText(e.attempts)})` +
  (e.detail === "" ? "" : `: ${e.detail}`)

/** @internal */
export const timeoutMessage = (e: ApiError.TimeoutError): string =>
  `${e.request.method} ${e.request.url} timed out: ${
    e.scope === "attempt" ? "attempt timeout" : e.scope === "idle" ? "idle timeout between chunks" : "total deadline"
  } of ${Duration.format(e.duration)} passed (${attemptsText(e.attempts)})`

/** @internal */
export const decodeMessage = (e: ApiError.DecodeError): string => {
  const what = e.reason === "InvalidJson"
    ? "response body is not valid JSON"
    : e.reason === "SchemaMismatch"
    ? "response body does not match the schema"
    : e.reason === "TooLarge"
    ? "response body is too large"
    : "response body could not be read"
  const excerpt = e.body.length > 200 ? e.body.slice(0, 200) + "…" : e.body
  return `${e.request.method} ${e.request.url} → ${e.status}: ${what}${e.detail === "" ? "" : `: ${e.detail}`}` +
    (excerpt === "" ? "" : ` (body: ${JSON.stringify(excerpt)})`)
}

/** @internal */
export const rejectedMessage = (e: ApiError.RejectedError): string => {
  const head = `${e.request.method} ${e.request.url} refused by the client, not sent: `
  switch (e._tag) {
    case "CircuitOpenError":
      return head + `circuit breaker ${e.breaker} is ${e.state} for ${e.key}` +
        ` (retry after ${Duration.format(e.retryAfter)}; ${attemptsText(e.attempts)})`
    case "BulkheadRejectedError":
      return head +
        `bulkhead ${e.bulkhead} ${
          e.reason === "QueueFull" ? "is full" : "queue wait timed out"
        } (${e.maxConcurrent} in flight, queue of ${e.maxQueue}; ${attemptsText(e.attempts)})`
    case "RateLimiterRejectedError":
      return head + `rate limiter ${e.limiter} has no permit for ${e.key} within its maxWait` +
        ` (retry after ${Duration.format(e.retryAfter)}; ${attemptsText(e.attempts)})`
  }
}

/** @internal */
const formatter = SchemaIssue.makeFormatterDefault()

/** @internal */
export const formatIssue = (issue: SchemaIssue.Issue): string => formatter(issue)

/** @internal */
export const toJSON = (e: ApiError.ApiError): unknown => {
  const out: Record<string, unknown> = { _tag: e._tag, message: e.message }
  for (const key of Object.keys(e)) {
    if (key === "_tag" || key === "message" || key === "stack") continue
    const value = (e as any)[key]
    if (key === "cause") {
      out.cause = value instanceof Error ? `${value.name}: ${value.message}` : String(value)
    } else if (key === "issue") {
      out.issue = Option.isSome(value)
        ? formatIssue(value.value as SchemaIssue.Issue)
        : undefined
    } else if (Duration.isDuration(value)) out[key] = Duration.toMillis(value)
    else if (Option.isOption(value)) {
      const inner = Option.getOrUndefined(value)
      out[key] = Duration.isDuration(inner) ? Duration.toMillis(inner) : inner
    } else out[key] = value
  }
  // Effect 4's Data.Error keeps `cause` as Error's own non-enumerable property
  const cause = (e as { readonly cause?: unknown }).cause
  if (cause !== undefined && !("cause" in out)) {
    out.cause = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
  }
  return out
}

/** The message of any member. @internal */
export const message = (e: ApiError.ApiError): string => {
  switch (e._tag) {
    case "AuthenticationError":
      return authenticationMessage(e)
    case "ConnectionError":
      return connectionMessage(e)
    case "TimeoutError":
      return timeoutMessage(e)
    case "DecodeError":
      return decodeMessage(e)
    case "CircuitOpenError":
    case "BulkheadRejectedError":
    case "RateLimiterRejectedError":
      return rejectedMessage(e)
    default:
      return statusMessage(e)
  }
}
