/**
 * One attempt on the wire: send the request, read the body (bounded) and hand back the
 * status, headers and bytes. Two paths: a direct one on the undici dispatcher of a steady
 * `ConnectionPool`, and a generic one on any `HttpClient` (mocks, fetch, user transforms).
 *
 * @internal
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import { constTrue } from "effect/Function"
import * as Stream from "effect/Stream"
import * as Undici from "undici"
import type * as ApiError from "../ApiError.js"

/** @internal */
export const FastPathTypeId: unique symbol = Symbol.for("@steady/client/ConnectionPool/dispatcher")

/** @internal */
export interface WithDispatcher {
  readonly [FastPathTypeId]: Undici.Dispatcher
}

/** @internal */
export const dispatcherOf = (client: HttpClient.HttpClient): Undici.Dispatcher | undefined =>
  (client as unknown as Partial<WithDispatcher>)[FastPathTypeId]

/** What one attempt sends. @internal */
export interface Outgoing {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
}

/** What one attempt received. @internal */
export interface Incoming {
  readonly status: number
  readonly headers: Record<string, string | ReadonlyArray<string> | undefined>
  readonly bytes: Uint8Array
}

/** A failure without a usable response, before `request` and `attempts` are filled in. @internal */
export type Failure =
  | {
    readonly _tag: "Connection"
    readonly reason: ApiError.ConnectionReason
    readonly sent: boolean
    readonly detail: string
    readonly cause: unknown
  }
  | { readonly _tag: "Timeout" }
  | {
    readonly _tag: "TooLarge"
    readonly status: number
    readonly limit: number
    readonly size: number | undefined
  }

const notSentCodes: Record<string, ApiError.ConnectionReason> = {
  ECONNREFUSED: "Refused",
  EHOSTUNREACH: "Refused",
  ENETUNREACH: "Refused",
  EADDRNOTAVAIL: "Refused",
  ENOTFOUND: "Dns",
  EAI_AGAIN: "Dns",
  EAI_NONAME: "Dns",
  UND_ERR_CONNECT_TIMEOUT: "ConnectTimeout",
  ETIMEDOUT: "ConnectTimeout",
  DEPTH_ZERO_SELF_SIGNED_CERT: "Tls",
  SELF_SIGNED_CERT_IN_CHAIN: "Tls",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "Tls",
  CERT_HAS_EXPIRED: "Tls",
  ERR_TLS_CERT_ALTNAME_INVALID: "Tls",
  ERR_SSL_WRONG_VERSION_NUMBER: "Tls"
}

const errorCode = (cause: unknown): string | undefined => {
  let current: unknown = cause
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const describeCause = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = errorCode(cause)
    const message = cause.message === "" && cause instanceof AggregateError
      ? cause.errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; ")
      : cause.message
    return code !== undefined && !message.includes(code) ? `${message} (${code})` : message
  }
  return String(cause)
}

/**
 * Maps a transport failure to its reason. Only failures that prove nothing was written
 * (refused, DNS, connect timeout, TLS) say `sent: false`; anything else may have reached the
 * server.
 *
 * @internal
 */
export const connectionFailure = (cause: unknown, defaultSent = true): Failure => {
  const code = errorCode(cause)
  if (code === "UND_ERR_INVALID_ARG" || code === "UND_ERR_NOT_SUPPORTED" || code === "ERR_INVALID_CHAR") {
    // undici refused the request as malformed before writing it: resending cannot help
    return { _tag: "Connection", reason: "InvalidRequest", sent: false, detail: describeCause(cause), cause }
  }
  const notSent = code !== undefined ? notSentCodes[code] : undefined
  if (notSent !== undefined) {
    return { _tag: "Connection", reason: notSent, sent: false, detail: describeCause(cause), cause }
  }
  const reset = code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" ||
    code === "UND_ERR_CLOSED" || code === "UND_ERR_RES_CONTENT_LENGTH_MISMATCH" || code === "ERR_STREAM_PREMATURE_CLOSE"
  return {
    _tag: "Connection",
    reason: reset ? "Reset" : "Transport",
    sent: defaultSent,
    detail: describeCause(cause),
    cause
  }
}

const directBody = (body: HttpBody.HttpBody): string | Uint8Array | FormData | null | undefined => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array ? body.body : undefined
    case "FormData":
      return body.formData
    case "Stream":
      return undefined
  }
}

/** Whether the direct path can send this request (other bodies take the generic path). @internal */
export const canSendDirect = (request: HttpClientRequest.HttpClientRequest): boolean =>
  directBody(request.body) !== undefined

/** undici's raw headers (name, value, name, value…) as a record; repeated names become arrays. */
const parseRawHeaders = (raw: ReadonlyArray<Buffer | string>): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = Object.create(null)
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toString("latin1").toLowerCase()
    const value = raw[i + 1].toString("latin1")
    const existing = out[name]
    if (existing === undefined) out[name] = value
    else if (typeof existing === "string") out[name] = [existing, value]
    else existing.push(value)
  }
  return out
}

const aborted = () => new Undici.errors.RequestAbortedError()

/** Whether a response to `method` with `status` has a body (RFC 9110 §6.4.1). */
const hasBody = (method: string, status: number) => method !== "HEAD" && status !== 204 && status !== 304

/**
 * Sends on an undici dispatcher through its handler interface (no stream, no promise, no
 * AbortController per request) and reads at most `maxBytes` of body. Interruption aborts the
 * request, which closes its socket. When `deadline` is given (epoch milliseconds on the
 * live clock), a timer aborts the request then and the attempt fails with `Timeout`.
 *
 * @internal
 */
export const sendDirect = <A, E>(
  dispatcher: Undici.Dispatcher,
  out: Outgoing,
  maxBytes: number,
  deadline: number | undefined,
  done: (incoming: Incoming | undefined, failure: Failure | undefined) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    let finished = false
    let abort: ((reason: Error) => void) | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    let status = 0
    let headers: Record<string, string | Array<string>> | undefined
    let chunks: Array<Buffer> = []
    let size = 0
    const finish = (incoming: Incoming | undefined, failure: Failure | undefined) => {
      if (finished) return
      finished = true
      if (timer !== undefined) clearTimeout(timer)
      resume(done(incoming, failure))
    }
    const stop = (failure: Failure) => {
      finish(undefined, failure)
      abort?.(aborted())
    }
    if (deadline !== undefined) {
      timer = setTimeout(() => stop({ _tag: "Timeout" }), Math.max(0, deadline - Date.now()))
    }
    try {
      dispatcher.dispatch({
        origin: out.url.origin,
        path: out.url.pathname + out.url.search,
        method: out.method as Undici.Dispatcher.HttpMethod,
        headers: out.headers,
        body: directBody(out.request.body) as string | Uint8Array | null,
        // The attempt timeout is the only clock: undici's own timeouts never fire first.
        headersTimeout: 0,
        bodyTimeout: 0
      }, {
        onConnect(abortRequest: (reason: Error) => void) {
          if (finished) abortRequest(aborted())
          else abort = abortRequest
        },
        onHeaders(statusCode: number, raw: Array<Buffer>) {
          if (statusCode < 200) return true // 1xx: the final response follows
          status = statusCode
          headers = parseRawHeaders(raw)
          const declared = headers["content-length"]
          // a HEAD answer (and a 204 or 304) declares a length but carries no body
          if (typeof declared === "string" && Number(declared) > maxBytes && hasBody(out.method, status)) {
            stop({ _tag: "TooLarge", status, limit: maxBytes, size: Number(declared) })
            return false
          }
          return true
        },
        onData(chunk: Buffer) {
          if (finished) return false
          size += chunk.length
          if (size > maxBytes) {
            chunks = []
            stop({ _tag: "TooLarge", status, limit: maxBytes, size: undefined })
            return false
          }
          chunks.push(chunk)
          return true
        },
        onComplete() {
          const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
          finish({ status, headers: headers ?? {}, bytes }, undefined)
        },
        onError(cause: Error) {
          finish(undefined, connectionFailure(cause, true))
        }
      } as Undici.Dispatcher.DispatchHandler)
    } catch (cause) {
      // undici validates before anything is written: nothing was sent, and sending it again
      // would fail the same way
      finish(undefined, {
        _tag: "Connection",
        reason: "InvalidRequest",
        sent: false,
        detail: cause instanceof Error ? cause.message : String(cause),
        cause
      })
    }
    return Effect.sync(() => {
      if (finished) return
      finished = true
      if (timer !== undefined) clearTimeout(timer)
      abort?.(aborted())
    })
  })

const fromHttpClientError = (error: HttpClientError.HttpClientError): Failure => {
  if (error._tag === "RequestError") {
    if (error.reason === "InvalidUrl") {
      return {
        _tag: "Connection",
        reason: "InvalidUrl",
        sent: false,
        detail: describeCause(error.cause),
        cause: undefined
      }
    }
    if (error.reason === "Encode") {
      return {
        _tag: "Connection",
        reason: "Transport",
        sent: false,
        detail: `request body could not be encoded: ${describeCause(error.cause)}`,
        cause: error.cause
      }
    }
    return connectionFailure(error.cause ?? error.description, true)
  }
  return connectionFailure(error.cause ?? error.description, true)
}

/**
 * Sends through any `HttpClient` and reads at most `maxBytes` of body.
 *
 * @internal
 */
export const sendGeneric = (
  client: HttpClient.HttpClient,
  out: Outgoing,
  maxBytes: number
): Effect.Effect<Incoming, Failure> => {
  // A URL object replaces the request's query parameters and hash with its own.
  const request = HttpClientRequest.setHeaders(HttpClientRequest.setUrl(out.request, out.url), out.headers)
  return Effect.flatMap(
    // No platform span: it would record the full URL (query secrets included). steady
    // traces the call itself, with the URL redacted.
    Effect.mapError(
      Effect.locally(client.execute(request), HttpClient.currentTracerDisabledWhen, constTrue),
      fromHttpClientError
    ),
    (response) => {
      const declared = response.headers["content-length"]
      if (declared !== undefined && Number(declared) > maxBytes && hasBody(out.method, response.status)) {
        return Effect.fail<Failure>({
          _tag: "TooLarge",
          status: response.status,
          limit: maxBytes,
          size: Number(declared)
        })
      }
      const chunks: Array<Uint8Array> = []
      let size = 0
      return Stream.runForEach(
        Stream.catchAll(
          response.stream,
          (e) => e._tag === "ResponseError" && e.reason === "EmptyBody" ? Stream.empty : Stream.fail(e)
        ),
        (chunk) => {
          size += chunk.byteLength
          if (size > maxBytes) {
            return Effect.fail<Failure>({ _tag: "TooLarge", status: response.status, limit: maxBytes, size: undefined })
          }
          chunks.push(chunk)
          return Effect.void
        }
      ).pipe(
        Effect.mapError((e): Failure =>
          "_tag" in e && (e._tag === "Connection" || e._tag === "TooLarge")
            ? e
            : fromHttpClientError(e as HttpClientError.HttpClientError)
        ),
        Effect.map((): Incoming => {
          const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
          return { status: response.status, headers: response.headers, bytes }
        })
      )
    }
  )
}
