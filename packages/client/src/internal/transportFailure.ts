/**
 * What every transport shares: turning a failure without a response into an `ApiError`
 * that says whether the request may have reached the server.
 *
 * @internal
 */
import type * as Network from "@steady/core/Network"
import { classifyCodes, throughProxy } from "@steady/core/Network"
import { redactUserInfo, redactValues } from "@steady/core/Redaction"
import * as Option from "effect/Option"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import { requestInfo } from "./policy.js"
import * as poolFailure from "./poolFailure.js"

/** The codes along a failure's cause chain, outermost first (at most 4 deep). */
const errorCodes = (cause: unknown): Array<string> => {
  const out: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") out.push(code)
    current = (current as { cause?: unknown }).cause
  }
  return out
}

const errorCode = (cause: unknown): string | undefined => errorCodes(cause)[0]

/** @internal */
export const describeCause = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = errorCode(cause)
    const message = cause.message === "" && cause instanceof AggregateError
      ? cause.errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; ")
      : cause.message
    return code !== undefined && !message.includes(code) ? `${message} (${code})` : message
  }
  return String(cause)
}

/** @internal */
export const connectionError = (
  request: Policy.Request,
  reason: ApiError.ConnectionReason,
  sent: boolean,
  detail: string,
  cause?: unknown,
  code?: string | undefined,
  proxy?: Network.ProxyTarget | undefined
): ApiError.ConnectionError =>
  new ApiError.ConnectionError({
    request: requestInfo(request),
    attempts: 1,
    reason,
    sent,
    detail: proxy === undefined
      ? redactUserInfo(detail, request.url)
      : `through the proxy ${proxy.shown}: ${redactValues(redactUserInfo(detail, request.url), proxy.secrets)}`,
    cause: causeWithoutSecrets(request.url, cause, proxy),
    ...(code === undefined ? {} : { code })
  })

/**
 * `cause` with the URL's user info and the proxy's credentials masked in its message: a
 * transport's own message may quote the URL (fetch: "Request cannot be constructed from a URL
 * that includes credentials: http://user:password@…").
 */
const causeWithoutSecrets = (url: URL, cause: unknown, proxy: Network.ProxyTarget | undefined): unknown => {
  if (!(cause instanceof Error)) return cause
  if (url.password === "" && url.username === "" && (proxy === undefined || proxy.secrets.length === 0)) return cause
  const message = proxy === undefined
    ? redactUserInfo(cause.message, url)
    : redactValues(redactUserInfo(cause.message, url), proxy.secrets)
  if (message === cause.message) return cause
  const masked = new Error(message)
  masked.name = cause.name
  return masked
}

/**
 * Maps a transport failure to its reason (`Network.classifyCodes`). Only failures that prove
 * nothing was written (refused, DNS, connect timeout, TLS, an HTTP/2 stream the server
 * refused, a request refused as malformed) say `sent: false`; anything else may have reached
 * the server. Through a proxy (`proxy`), a failure before the request started is the proxy's
 * (`Proxy`, not sent), and its credentials are masked.
 *
 * @internal
 */
export const fromCause = (
  request: Policy.Request,
  cause: unknown,
  proxy?: Network.ProxyTarget | undefined,
  started = true
): ApiError.ConnectionError => {
  const codes = errorCodes(cause)
  const code = codes[0]
  if (code === "UND_ERR_DESTROYED" || code === "UND_ERR_CLOSED_POOL") {
    return connectionError(
      request,
      "PoolClosed",
      false,
      "its scope has ended, so nothing can be sent on it. Provide ConnectionPool.layer to the layer or " +
        "program that makes the calls (e.g. Petstore.Default.pipe(Layer.provide(ConnectionPool.layer()))), " +
        "not to ApiClient.make alone: Effect.provide closes it as soon as make returns",
      cause
    )
  }
  if (code === "UND_ERR_INVALID_ARG" || code === "UND_ERR_NOT_SUPPORTED" || code === "ERR_INVALID_CHAR") {
    // refused as malformed before anything was written: resending cannot help
    return connectionError(request, "InvalidRequest", false, describeCause(cause), cause)
  }
  const message = cause instanceof Error ? cause.message : String(cause)
  const classified = classifyCodes(codes, message)
  const failure = proxy === undefined ? classified : throughProxy(classified, started, message)
  return connectionError(request, failure.reason, failure.sent, describeCause(cause), cause, failure.code, proxy)
}

/**
 * A failure before the request reached a connection (undici had not started writing it):
 * nothing left the process. A network failure keeps its reason and is retried; anything else
 * is about the request itself (a body that cannot be serialised), which sending it again
 * would not mend.
 *
 * @internal
 */
export const notStarted = (
  request: Policy.Request,
  cause: unknown,
  proxy?: Network.ProxyTarget | undefined
): ApiError.ConnectionError => {
  const known = fromCause(request, cause, proxy, false)
  if (!known.sent) return known
  return new ApiError.ConnectionError({
    request: known.request,
    attempts: known.attempts,
    reason: known.reason === "Transport" ? "InvalidRequest" : known.reason,
    sent: false,
    detail: known.detail,
    cause: known.cause,
    ...(known.code === undefined ? {} : { code: known.code })
  })
}

/**
 * A failure the generic transport saw. Through the pool's own `HttpClient` (transformed, or a
 * body the fast path does not take), fetch reports only "fetch failed": the pool's dispatcher
 * marked the error underneath (`poolFailure`) with what the fast path knows itself, whether the
 * request had started and the proxy it went through, and it is classified as the fast path
 * classifies it: a refused or reset proxy, or its 407, is `Proxy`, not sent. Any other
 * `HttpClient`'s failure is classified by its codes alone.
 *
 * @internal
 */
export const fromGenericCause = (request: Policy.Request, cause: unknown): ApiError.ConnectionError => {
  const marked = poolFailure.find(cause)
  if (marked === undefined) return fromCause(request, cause)
  return marked.mark.started
    ? fromCause(request, marked.error, marked.mark.proxy)
    : notStarted(request, marked.error, marked.mark.proxy)
}

/** The `TimeoutError` for a request whose `timeout` passed. @internal */
export const timeoutError = (request: Policy.Request): ApiError.TimeoutError =>
  new ApiError.TimeoutError({
    request: requestInfo(request),
    attempts: 1,
    scope: request.timeout.scope,
    duration: request.timeout.limit
  })

/** The `TimeoutError` for a streamed body that brought nothing for `settings.idleTimeout`. @internal */
export const idleTimeout = (request: Policy.Request): ApiError.TimeoutError =>
  new ApiError.TimeoutError({
    request: requestInfo(request),
    attempts: 1,
    scope: "idle",
    duration: request.settings.idleTimeout
  })

/** A body over `maxResponseBytes`. @internal */
export const tooLarge = (request: Policy.Request, status: number, size: number | undefined): ApiError.DecodeError =>
  new ApiError.DecodeError({
    request: requestInfo(request),
    attempts: 1,
    reason: "TooLarge",
    status,
    body: "",
    issue: Option.none(),
    detail: `more than maxResponseBytes (${request.settings.maxResponseBytes} bytes)${
      size !== undefined ? `: Content-Length is ${size}` : ""
    }`
  })

/**
 * How much of a non-2xx body is kept: errors show a bounded excerpt. The generic transport
 * stops reading there; the undici transport, whose hot path stays as small as it can, reads an
 * error body up to `maxResponseBytes` and cuts it there. Either way an error body over the
 * limit is cut, not failed, and its status keeps its meaning.
 *
 * @internal
 */
export const errorBodyLimit = 8 * 1024

/** Whether a response to `method` with `status` has a body (RFC 9110 §6.4.1). @internal */
export const hasBody = (method: string, status: number) => method !== "HEAD" && status !== 204 && status !== 304

/** Milliseconds left before the attempt's deadline, on the call's clock. @internal */
export const remainingMillis = (request: Policy.Request): number =>
  Math.max(0, request.timeout.deadline - request.clock.currentTimeMillisUnsafe())
