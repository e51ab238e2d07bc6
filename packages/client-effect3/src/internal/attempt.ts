/**
 * The built-in per-attempt steps that frame an attempt: its timeout (outermost) and the
 * classification of its status (innermost, just above the transport).
 *
 * @internal
 */
import * as redact from "@steady/core/Redaction"
import * as RetryAfter from "@steady/core/RetryAfter"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import * as policy from "./policy.js"
import { errorBodyLimit } from "./transportFailure.js"

const utf8 = new TextDecoder()

/**
 * The attempt timeout: the attempt's deadline becomes `now + settings.attemptTimeout`, unless
 * the total deadline comes first (then a timeout says `scope: "total"`). The transport
 * enforces it.
 *
 * @internal
 */
export const attemptTimeout: Policy.Policy = policy.make({
  name: "attempt-timeout",
  stage: "attempt",
  wrap: (next) => (request) => {
    const limit = request.settings.attemptTimeout
    const deadline = request.clock.unsafeCurrentTimeMillis() + Duration.toMillis(limit)
    return next(
      deadline < request.deadline
        ? { ...request, timeout: { deadline, scope: "attempt", limit } }
        : request
    )
  }
})

const requestIdHeaders = [
  "x-request-id",
  "request-id",
  "x-amzn-requestid",
  "x-amz-request-id",
  "x-correlation-id",
  "cf-ray"
]

/** @internal */
export const headerValue = (headers: Policy.Response["headers"], name: string): string | undefined => {
  const v = headers[name]
  return v === undefined ? undefined : typeof v === "string" ? v : v.join(", ")
}

/** The typed error for a non-2xx response. @internal */
export const statusError = (
  request: Policy.Request,
  response: Policy.Response,
  sensitiveHeaders: ReadonlySet<string> | undefined,
  secretValues?: ReadonlyArray<string> | undefined
): ApiError.StatusError => {
  let requestId: string | undefined
  for (const name of requestIdHeaders) {
    requestId = headerValue(response.headers, name)
    if (requestId !== undefined) break
  }
  const retryAfter = RetryAfter.parse(
    headerValue(response.headers, "retry-after-ms"),
    headerValue(response.headers, "retry-after"),
    request.clock.unsafeCurrentTimeMillis()
  )
  const bytes = response.body.byteLength > errorBodyLimit ? response.body.subarray(0, errorBodyLimit) : response.body
  // a server may echo what it was sent (a Location with the query, a body quoting the
  // header): every credential the request carried is masked by value too
  const secrets = redact.secretsOf(
    request.headers,
    request.url,
    sensitiveHeaders,
    request.redactQuery,
    secretValues,
    request.redactValues
  )
  const headers = redact.redactHeaders(response.headers, sensitiveHeaders)
  if (secrets.length > 0) { for (const name in headers) headers[name] = redact.redactValues(headers[name], secrets) }
  const error = ApiError.fromStatus({
    request: policy.requestInfo(request),
    attempts: 1,
    status: response.status,
    headers,
    body: redact.redactValues(utf8.decode(bytes), secrets),
    requestId: Option.fromNullable(requestId),
    retryAfter: retryAfter === undefined ? Option.none() : Option.some(Duration.millis(retryAfter))
  })
  const location = response.status >= 300 && response.status < 400
    ? headerValue(response.headers, "location")
    : undefined
  if (location !== undefined) redirectSources.set(error, { location, secrets })
  if (response.undecoded !== undefined) undecodedBodies.set(error, response.undecoded)
  return error
}

/**
 * The errors whose body did not decode, with the coding: their `body` is what could be read,
 * which a decoder of declared errors (`ApiClient.httpApi`) must not take for the whole body.
 *
 * @internal
 */
export const undecodedBodies = new WeakMap<ApiError.StatusError, string>()

/**
 * What a redirect stage needs of a 3xx error and that the error must not show: the `Location`
 * as the server sent it (the error's copy is masked for display; following that would request
 * `<redacted>`), and the credential values of the request that got it, to hide wherever the
 * next hop is shown. Kept beside the error, never in it.
 *
 * @internal
 */
export const redirectSources = new WeakMap<ApiError.StatusError, {
  readonly location: string
  readonly secrets: ReadonlyArray<string>
}>()

/**
 * Status classification: a 2xx is the response; anything else fails with its typed error
 * (`NotFoundError`, `ServerError`, …), headers in it redacted (the built-in sensitive names
 * and `sensitiveHeaders`).
 *
 * @internal
 */
export const classifyStatus = (
  sensitiveHeaders: ReadonlySet<string> | undefined,
  secretValues?: ReadonlyArray<string> | undefined
): Policy.Policy =>
  policy.make({
    name: "classify-status",
    stage: "attempt",
    wrap: (next) => (request) =>
      Effect.flatMap(
        next(request),
        (response) =>
          response.status >= 200 && response.status < 300
            ? Effect.succeed(response)
            : Effect.fail(statusError(request, response, sensitiveHeaders, secretValues))
      )
  })
