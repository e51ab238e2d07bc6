/**
 * The fast transport: one request on an undici dispatcher through its handler interface
 * (`onRequestStart`, `onResponseStart`, `onResponseData`, `onResponseEnd`,
 * `onResponseError`): no stream, no promise and no AbortController per request. The body is
 * read inside the attempt, bounded by `maxResponseBytes`. The attempt's deadline is one
 * timer that aborts the request (closing its socket); so does interruption.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Network from "@steady/core/Network"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Undici from "undici"
import type * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import type * as Transport from "../Transport.js"
import { BodyQueue } from "./bodyQueue.js"
import * as compression from "./compression.js"
import * as httpClientTransport from "./httpClientTransport.js"
import { timedStream } from "./streaming.js"
import * as failure from "./transportFailure.js"
import * as bodies from "./undiciBody.js"

const aborted = () => new Undici.errors.RequestAbortedError()

const noBytes = new Uint8Array(0)

/** The request's headers with what the body says of itself, unless the request says otherwise. */
const withBodyHeaders = (headers: Readonly<Record<string, string>>, body: bodies.FastBody) => {
  const out = { ...headers }
  if (body.contentType !== undefined && out["content-type"] === undefined) out["content-type"] = body.contentType
  if (body.contentLength !== undefined && out["content-length"] === undefined) {
    out["content-length"] = String(body.contentLength)
  }
  return out
}

type Controller = Undici.Dispatcher.DispatchController

/** The proxy a URL goes through, asked only when a request fails. @internal */
export type ProxyOf = ((url: URL) => Network.ProxyTarget | undefined) | undefined

/**
 * Sends `request` on `dispatcher`; `proxyOf` says, when it fails, which proxy it went through.
 *
 * @internal
 */
export const send = (
  dispatcher: Undici.Dispatcher,
  request: Policy.Request,
  body: bodies.FastBody,
  proxyOf?: ProxyOf
): Effect.Effect<Policy.Response, ApiError.ApiError> =>
  Effect.async<Policy.Response, ApiError.ApiError>((resume) => {
    const maxBytes = request.settings.maxResponseBytes
    let finished = false
    let controller: Controller | undefined
    let status = 0
    let headers: Record<string, string | Array<string> | undefined> = {}
    let chunks: Array<Buffer> = []
    let size = 0
    /** The body handed to a caller that streams it, once the headers are in. */
    let queue: BodyQueue | undefined
    const finish = (effect: Effect.Effect<Policy.Response, ApiError.ApiError>) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      // a decoder still inflating (a body past the limit, a timeout) stops here
      if (queue === undefined) decoder?.destroy()
      resume(effect)
    }
    const stop = (error: ApiError.ApiError) => {
      finish(Effect.fail(error))
      controller?.abort(aborted())
    }
    let decoder: compression.Decoder | undefined
    // the socket is paused while the caller's queue is full or the decoder's input is
    let heldByQueue = false
    let heldByDecoder = false
    /** An error's body in a coding the client cannot decode: it is dropped. */
    let unreadable = false
    /** The coding of an error's body that did not decode (what was decoded is kept). */
    let undecoded: string | undefined
    /** A chunk of the body (decoded, when it is compressed), bounded by `maxResponseBytes`. */
    const accept = (chunk: Buffer) => {
      if (finished) return
      size += chunk.length
      if (size > maxBytes) {
        if (status < 300) {
          chunks = []
          stop(failure.tooLarge(request, status, undefined))
          return
        }
        // an error keeps the beginning of its body, cut at the limit, and its status speaks
        chunks.push(chunk.subarray(0, chunk.length - (size - maxBytes)))
        finish(Effect.succeed({ status, headers, body: Buffer.concat(chunks, maxBytes), request }))
        controller?.abort(aborted())
        return
      }
      chunks.push(chunk)
    }
    const complete = () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
      finish(Effect.succeed(
        undecoded === undefined ? { status, headers, body, request } : {
          status,
          headers,
          body,
          request,
          undecoded
        }
      ))
    }
    // where the (decoded) body goes: the caller's stream, or the buffer read inside the attempt
    const sink = (chunk: Buffer) => queue !== undefined ? queue.push(chunk) : accept(chunk)
    const ended = () => queue !== undefined ? queue.end() : complete()
    const broken = (error: ApiError.ApiError) => {
      if (queue === undefined) return stop(error)
      queue.fail(error)
      controller?.abort(aborted())
    }
    /** Hands a 2xx body to a caller that streams it: the attempt ends with the headers. */
    const handOver = (streaming: Policy.Streaming) => {
      const abandon = (error: ApiError.ApiError) => {
        if (body.settled) return
        body.fail(error)
        decoder?.destroy()
        controller?.abort(aborted())
      }
      const body: BodyQueue = new BodyQueue(
        () => {
          heldByQueue = true
          controller?.pause()
          decoder?.pause()
        },
        () => {
          heldByQueue = false
          if (!heldByDecoder) controller?.resume()
          decoder?.resume()
        },
        Duration.toMillis(request.settings.idleTimeout),
        () => abandon(failure.idleTimeout(request))
      )
      queue = body
      streaming.opened(() =>
        abandon(failure.connectionError(request, "Reset", true, "the body was abandoned before its end"))
      )
      finish(Effect.succeed({ status, headers, body: noBytes, request, stream: timedStream(body.stream) }))
    }
    const timer = setTimeout(() => stop(failure.timeoutError(request)), failure.remainingMillis(request))
    try {
      dispatcher.dispatch({
        origin: request.url.origin,
        path: request.url.pathname + request.url.search,
        method: request.method as Undici.Dispatcher.HttpMethod,
        headers: body.contentType === undefined && body.contentLength === undefined
          ? request.headers
          : withBodyHeaders(request.headers, body),
        body: body.body as string | Uint8Array | null,
        // The attempt's deadline is the only clock: undici's own timeouts never fire first.
        headersTimeout: 0,
        bodyTimeout: 0
      }, {
        onRequestStart(c: Controller) {
          if (finished) c.abort(aborted())
          else controller = c
        },
        onResponseStart(_c: Controller, statusCode: number, responseHeaders: Record<string, string | Array<string>>) {
          if (statusCode < 200) return // 1xx: the final response follows
          status = statusCode
          headers = responseHeaders
          const encoding = responseHeaders["content-encoding"]
          if (encoding !== undefined && request.settings.compression && failure.hasBody(request.method, status)) {
            // a streamed body is bounded by backpressure; one read whole, at each stage too
            const streamed = request.streaming !== undefined && status < 300
            const coding = compression.decoder(encoding, streamed ? Infinity : maxBytes)
            if (coding instanceof compression.Unsupported) {
              // a 2xx body nobody can read fails; an error keeps its status, not the unreadable bytes
              if (status < 300) return stop(compression.unsupported(request, status, encoding, coding))
              unreadable = true
              undecoded = typeof encoding === "string" ? encoding : encoding.join(", ")
            } else if (coding !== undefined) {
              decoder = coding
              // the body handed up is the decoded one: its coding and length no longer apply
              const { "content-encoding": _, "content-length": __, ...rest } = responseHeaders
              headers = rest
              coding.on("data", sink)
              coding.on("end", ended)
              coding.on("drain", () => {
                heldByDecoder = false
                if (!heldByQueue) controller?.resume()
              })
              coding.on("error", (cause: Error) => {
                // an error's body is only shown: it keeps what was decoded, and its status speaks
                if (status >= 300 && queue === undefined) {
                  undecoded = typeof encoding === "string" ? encoding : encoding.join(", ")
                  complete()
                  controller?.abort(aborted())
                } else {
                  broken(compression.decodeFailure(request, status, cause))
                }
              })
            }
          }
          if (request.streaming !== undefined && status < 300 && failure.hasBody(request.method, status)) {
            return handOver(request.streaming)
          }
          // the declared length of a compressed body is the compressed one: the limit applies as it inflates
          if (decoder !== undefined) return
          const declared = responseHeaders["content-length"]
          // a HEAD answer (and a 204 or 304) declares a length but carries no body
          // (an error's body is read up to the limit and cut there, so its status keeps its meaning)
          if (
            status < 300 && typeof declared === "string" && Number(declared) > maxBytes &&
            failure.hasBody(request.method, status)
          ) {
            stop(failure.tooLarge(request, status, Number(declared)))
          }
        },
        onResponseData(_c: Controller, chunk: Buffer) {
          if ((finished && queue === undefined) || unreadable) return
          if (decoder === undefined) return sink(chunk)
          // compressed input that arrives faster than it inflates waits in the socket, not here
          if (!decoder.write(chunk)) {
            heldByDecoder = true
            controller?.pause()
          }
        },
        onResponseEnd() {
          if (decoder !== undefined) decoder.end()
          else ended()
        },
        onResponseError(_c: Controller, cause: Error) {
          // before onRequestStart nothing was written: the request provably did not leave
          const proxy = proxyOf === undefined ? undefined : proxyOf(request.url)
          const error = controller === undefined
            ? failure.notStarted(request, cause, proxy)
            : failure.fromCause(request, cause, proxy)
          if (queue !== undefined) queue.fail(error)
          else finish(Effect.fail(error))
        }
      })
    } catch (cause) {
      // undici refuses before anything is written (a closed pool, a malformed request):
      // nothing was sent, and sending it again would fail the same way
      const known = failure.fromCause(request, cause, proxyOf === undefined ? undefined : proxyOf(request.url))
      finish(Effect.fail(
        known.reason === "PoolClosed" ? known : failure.connectionError(
          request,
          "InvalidRequest",
          false,
          cause instanceof Error ? cause.message : String(cause),
          cause
        )
      ))
    }
    return Effect.sync(() => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      controller?.abort(aborted())
    })
  })

/**
 * The transport of a steady `ConnectionPool`: every body goes straight to the dispatcher
 * (bytes, text, `Blob`, `FormData`, `URLSearchParams`, a `ReadableStream` or async iterable, an
 * Effect `Stream` read through the caller's runtime); anything else goes through the pool's
 * `HttpClient`.
 *
 * @internal
 */
export const make = (
  dispatcher: Undici.Dispatcher,
  httpClient: HttpClient.HttpClient,
  proxyOf?: ProxyOf
): Transport.Transport => {
  const generic = httpClientTransport.make(httpClient)
  return {
    name: "undici",
    httpClient,
    decodesContent: true,
    send: (request) => {
      const body = bodies.fastBody(request.body)
      if (body !== undefined) return send(dispatcher, request, body, proxyOf)
      if (request.body._tag === "Stream") {
        const stream = request.body.stream
        return Effect.flatMap(
          Effect.runtime<never>(),
          (runtime) => send(dispatcher, request, { body: Stream.toAsyncIterableRuntime(stream, runtime) }, proxyOf)
        )
      }
      return generic.send(request)
    }
  }
}
