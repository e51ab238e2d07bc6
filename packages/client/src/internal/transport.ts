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
import type * as Undici from "undici"
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

const requestBody = (body: HttpBody.HttpBody): Undici.Dispatcher.DispatchOptions["body"] | FormData => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return body.body as any
    case "FormData":
      return body.formData
    case "Stream":
      return undefined
  }
}

/** Whether the direct path can send this request (stream bodies take the generic path). @internal */
export const canSendDirect = (request: HttpClientRequest.HttpClientRequest): boolean => request.body._tag !== "Stream"

/**
 * Sends on an undici dispatcher and reads at most `maxBytes` of body. Interruption aborts
 * the request, which closes its socket.
 *
 * @internal
 */
export const sendDirect = (
  dispatcher: Undici.Dispatcher,
  out: Outgoing,
  maxBytes: number
): Effect.Effect<Incoming, Failure> =>
  Effect.async<Incoming, Failure>((resume) => {
    const controller = new AbortController()
    let done = false
    const finish = (effect: Effect.Effect<Incoming, Failure>) => {
      if (done) return
      done = true
      resume(effect)
    }
    dispatcher.request({
      origin: out.url.origin,
      path: out.url.pathname + out.url.search,
      method: out.method as Undici.Dispatcher.HttpMethod,
      headers: out.headers,
      body: requestBody(out.request.body) as any,
      signal: controller.signal,
      // The attempt timeout is the only clock: undici's own timeouts never fire first.
      headersTimeout: 0,
      bodyTimeout: 0
    }).then(
      (res) => {
        const body = res.body
        const declared = res.headers["content-length"]
        if (declared !== undefined) {
          const size = Number(declared)
          if (size > maxBytes) {
            body.destroy()
            return finish(Effect.fail({ _tag: "TooLarge", status: res.statusCode, limit: maxBytes, size }))
          }
        }
        const chunks: Array<Buffer> = []
        let size = 0
        body.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBytes) {
            body.destroy()
            finish(Effect.fail({ _tag: "TooLarge", status: res.statusCode, limit: maxBytes, size: undefined }))
          } else {
            chunks.push(chunk)
          }
        })
        body.on("end", () => {
          const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
          finish(Effect.succeed({ status: res.statusCode, headers: res.headers, bytes }))
        })
        body.on("error", (cause: unknown) => finish(Effect.fail(connectionFailure(cause, true))))
      },
      (cause: unknown) => finish(Effect.fail(connectionFailure(cause, true)))
    )
    return Effect.sync(() => {
      done = true
      controller.abort()
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
      if (declared !== undefined && Number(declared) > maxBytes) {
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
