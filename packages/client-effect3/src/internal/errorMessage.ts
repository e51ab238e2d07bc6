/**
 * The message of each member of the union: the core writes the text (`@steady/core/Messages`)
 * from the member's plain fields; this line turns its Options and Durations into them.
 *
 * @internal
 */
import * as Messages from "@steady/core/Messages"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as ApiError from "../ApiError.js"

const optionMillis = (o: Option.Option<Duration.Duration>): number | undefined =>
  Option.isSome(o) ? Duration.toMillis(o.value) : undefined

/** @internal */
export const statusMessage = (e: ApiError.StatusError): string =>
  Messages.status({
    request: e.request,
    status: e.status,
    requestId: Option.getOrUndefined(e.requestId),
    retryAfterMillis: optionMillis(e.retryAfter),
    attempts: e.attempts,
    redirects: e._tag === "UnexpectedStatusError" ? e.redirects : undefined
  })

/** @internal */
export const authenticationMessage = (e: ApiError.AuthenticationError): string =>
  e.source !== "token-endpoint"
    ? statusMessage(e)
    : Messages.credentials({ request: e.request, detail: e.detail, oauthError: e.oauthError, attempts: e.attempts })

/** @internal */
export const rejectedMessage = (e: ApiError.RejectedError): string => {
  switch (e._tag) {
    case "CircuitOpenError":
      return Messages.circuitOpen({
        request: e.request,
        breaker: e.breaker,
        state: e.state,
        key: e.key,
        retryAfterMillis: Duration.toMillis(e.retryAfter),
        attempts: e.attempts
      })
    case "BulkheadRejectedError":
      return Messages.bulkheadRejected(e)
    case "RateLimiterRejectedError":
      return Messages.rateLimiterRejected({
        request: e.request,
        limiter: e.limiter,
        key: e.key,
        retryAfterMillis: Duration.toMillis(e.retryAfter),
        attempts: e.attempts
      })
  }
}

/** @internal */
export const formatIssue = (issue: ParseResult.ParseIssue): string => ParseResult.TreeFormatter.formatIssueSync(issue)

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
        ? formatIssue(value.value as ParseResult.ParseIssue)
        : undefined
    } else if (Duration.isDuration(value)) out[key] = Duration.toMillis(value)
    else if (Option.isOption(value)) {
      const inner = Option.getOrUndefined(value)
      out[key] = Duration.isDuration(inner) ? Duration.toMillis(inner) : inner
    } else out[key] = value
  }
  return out
}

/** The message of any member. @internal */
export const message = (e: ApiError.ApiError): string => {
  switch (e._tag) {
    case "AuthenticationError":
      return authenticationMessage(e)
    case "ConnectionError":
      return Messages.connection(e)
    case "TimeoutError":
      return Messages.timeout({
        request: e.request,
        scope: e.scope,
        durationMillis: Duration.toMillis(e.duration),
        attempts: e.attempts
      })
    case "DecodeError":
      return Messages.decode(e)
    case "CircuitOpenError":
    case "BulkheadRejectedError":
    case "RateLimiterRejectedError":
      return rejectedMessage(e)
    default:
      return statusMessage(e)
  }
}
