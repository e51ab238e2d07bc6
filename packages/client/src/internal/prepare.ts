/**
 * The first step of a call: the caller's request made absolute against the base URL, held
 * to the base URL's origin, merged with the default headers, and given an idempotency key
 * when the client adds them.
 *
 * @internal
 */
import * as classify from "@steady/core/Classification"
import * as redact from "@steady/core/Redaction"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Url from "effect/http/Url"
import * as Option from "effect/Option"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import * as echoed from "./echoed.js"
import type { Resolved } from "./options.js"

/** Before the total deadline starts. */
const noTimeout: Policy.Timeout = { deadline: Infinity, scope: "total", limit: Duration.infinity }

const absoluteUrl = /^[a-zA-Z][a-zA-Z0-9+.-]*:/

const refused = (
  method: string,
  url: string | URL,
  redactQuery: ReadonlySet<string> | undefined,
  redactValues: ReadonlyArray<string> | undefined
) =>
(
  reason: ApiError.ConnectionReason,
  detail: string
) =>
  new ApiError.ConnectionError({
    request: { method, url: redact.redactUrl(url, redactQuery, redactValues) },
    attempts: 1,
    reason,
    sent: false,
    detail
  })

const join = (resolved: Resolved, raw: string): string | undefined => {
  if (absoluteUrl.test(raw)) return raw
  if (resolved.base === undefined) return undefined
  if (raw === "") return resolved.basePrefix
  const first = raw.charCodeAt(0)
  return first === 47 /* / */ || first === 63 /* ? */ ? resolved.basePrefix + raw : resolved.basePrefix + "/" + raw
}

/** @internal */
export const prepare = (
  resolved: Resolved,
  redactQuery: ReadonlySet<string> | undefined,
  source: HttpClientRequest.HttpClientRequest,
  settings: Policy.Settings,
  idempotencyKey: "auto" | undefined,
  clock: Clock.Clock
): Policy.Request | ApiError.ConnectionError => {
  const method = source.method
  // a request built from a response (a next-page link) may echo the credentials sent before
  const redactValues = echoed.redactValuesOf(source)
  const href = join(resolved, source.url)
  if (href === undefined) {
    return refused(method, source.url, redactQuery, redactValues)(
      "InvalidUrl",
      "a relative URL needs the client's baseUrl"
    )
  }
  const made = Url.make(href, source.urlParams, Option.getOrUndefined(source.hash))
  if (made._tag === "Failure") {
    const cause = made.failure.cause
    return refused(method, href, redactQuery, redactValues)(
      "InvalidUrl",
      cause instanceof Error ? cause.message : String(cause)
    )
  }
  const url = made.success
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return refused(method, url, redactQuery, redactValues)("InvalidUrl", `unsupported protocol ${url.protocol}`)
  }
  if (resolved.base !== undefined && url.origin !== resolved.base.origin && !resolved.allowOtherOrigins) {
    return refused(method, url, redactQuery, redactValues)(
      "OriginNotAllowed",
      `the client's baseUrl is ${resolved.base.origin}; set allowOtherOrigins: true to send requests (and credentials) elsewhere`
    )
  }
  const headers: Record<string, string> = { ...resolved.headers }
  const own = source.headers
  for (const name in own) headers[name] = own[name]
  if (
    idempotencyKey === "auto" && headers["idempotency-key"] === undefined && !classify.idempotentMethods.has(method)
  ) {
    headers["idempotency-key"] = crypto.randomUUID()
  }
  return {
    method,
    url,
    headers,
    body: source.body,
    source,
    attempt: 0,
    hop: 0,
    credentials: true,
    deadline: Infinity,
    timeout: noTimeout,
    clock,
    settings,
    redactQuery,
    redactValues
  }
}
