/**
 * The generic transport: one request through any `HttpClient` (a mock, fetch, a transformed
 * pool), its body read inside the attempt and bounded by `maxResponseBytes`. The attempt's
 * deadline is enforced on the call's clock (a timer of its own), so `TestClock` drives it.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { constTrue } from "effect/Function"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as HttpMethod from "effect/http/HttpMethod"
import * as Stream from "effect/Stream"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import type * as Transport from "../Transport.js"
import * as bytes from "./bytes.js"
import * as decode from "./decode.js"
import * as trace from "./trace.js"
import * as failure from "./transportFailure.js"

const fromHttpClientError = (request: Policy.Request, error: HttpClientError.HttpClientError): ApiError.ApiError => {
  const reason = error.reason
  if (reason._tag === "DecodeError" || reason._tag === "StatusCodeError" || reason._tag === "EmptyBodyError") {
    // the HttpClient decoded the body itself (fetch does), and it did not decode
    const corrupt = decode.decompressionFailure(request, reason.response.status, reason.cause)
    if (corrupt !== undefined) return corrupt
  }
  if (reason._tag === "InvalidUrlError") {
    return failure.connectionError(request, "InvalidUrl", false, failure.describeCause(reason.cause))
  }
  if (reason._tag === "EncodeError") {
    return failure.connectionError(
      request,
      "Transport",
      false,
      `request body could not be encoded: ${failure.describeCause(reason.cause)}`,
      reason.cause
    )
  }
  return failure.fromGenericCause(request, reason.cause ?? reason.description)
}

const isEmptyBody = (error: HttpClientError.HttpClientError) => error.reason._tag === "EmptyBodyError"

/**
 * Reads the body, bounded by `maxResponseBytes`: at once when the declared length fits (the
 * transport fails a body longer than it declared), else chunk by chunk, failing as soon as it
 * passes the limit.
 */
const readBody = (
  request: Policy.Request,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Policy.Response, ApiError.ApiError> => {
  const maxBytes = request.settings.maxResponseBytes
  const ok = response.status >= 200 && response.status < 300
  const declared = response.headers["content-length"]
  const declaredBytes = declared === undefined ? NaN : Number(declared)
  if (ok && declaredBytes > maxBytes && failure.hasBody(request.method, response.status)) {
    return Effect.fail(failure.tooLarge(request, response.status, declaredBytes))
  }
  const done = (body: Uint8Array): Policy.Response => ({
    status: response.status,
    headers: response.headers,
    body,
    request
  })
  if (ok && declaredBytes <= maxBytes) {
    return Effect.mapBoth(response.arrayBuffer, {
      onFailure: (e) => fromHttpClientError(request, e),
      onSuccess: (buffer) => done(new Uint8Array(buffer))
    })
  }
  // an error's body is only shown, bounded: keep its beginning, and let the status speak
  const limit = ok ? maxBytes : Math.min(maxBytes, failure.errorBodyLimit)
  const chunks: Array<Uint8Array> = []
  let size = 0
  return Stream.runForEachWhile(
    Stream.catch(
      response.stream,
      (e) => isEmptyBody(e) ? Stream.empty : Stream.fail(e)
    ),
    (chunk): Effect.Effect<boolean, ApiError.ApiError> => {
      size += chunk.byteLength
      if (size <= limit) {
        chunks.push(chunk)
        return Effect.succeed(true)
      }
      if (ok) return Effect.fail(failure.tooLarge(request, response.status, undefined))
      chunks.push(chunk.subarray(0, chunk.byteLength - (size - limit)))
      size = limit
      return Effect.succeed(false)
    }
  ).pipe(
    Effect.mapError((e) => (ApiError.isApiError(e) ? e : fromHttpClientError(request, e))),
    Effect.map(() => done(bytes.concat(chunks, size)))
  )
}

const noBytes = new Uint8Array(0)

/**
 * A 2xx body handed over unread to a caller that streams it. A body the caller never starts
 * (a policy dropped the response) is abandoned when the caller's stream ends: reading it with
 * an immediate interruption runs the client's own abort.
 */
const handOver = (
  request: Policy.Request,
  streaming: Policy.Streaming,
  response: HttpClientResponse.HttpClientResponse
): Policy.Response => {
  let started = false
  const body = Stream.catch(
    response.stream,
    (e): Stream.Stream<never, ApiError.ApiError> =>
      isEmptyBody(e)
        ? Stream.empty
        : Stream.fail(fromHttpClientError(request, e))
  )
  streaming.opened(() => {
    if (!started) Effect.runFork(Stream.runDrain(Stream.interruptWhen(body, Effect.void)))
  })
  return {
    status: response.status,
    headers: response.headers,
    body: noBytes,
    request,
    stream: Stream.suspend(() => {
      started = true
      return body
    })
  }
}

/**
 * How a clock arms a timer: Effect's live clock (its default `Clock`) is `setTimeout`, so the
 * timer is armed without a fiber; any other clock (`TestClock`) runs `Clock.sleep` in a fiber.
 * Either way the deadline is on the request's clock, and the race below is the same code.
 * Returns the timer's cancel.
 */
const liveClock = Clock.Clock.defaultValue().constructor

const MAX_TIMER_MILLIS = 2 ** 31 - 1

const liveTimer = (millis: number, task: () => void): () => void => {
  let handle: ReturnType<typeof setTimeout> | undefined
  const arm = (left: number) => {
    handle = setTimeout(() => {
      if (left > MAX_TIMER_MILLIS) arm(left - MAX_TIMER_MILLIS)
      else task()
    }, Math.min(left, MAX_TIMER_MILLIS))
  }
  arm(millis)
  return () => clearTimeout(handle)
}

const sleepingTimer = (clock: Clock.Clock, millis: number, task: () => void): Effect.Effect<() => void> =>
  Effect.map(Effect.forkDetach(clock.sleep(Duration.millis(millis))), (fiber) => {
    fiber.addObserver((exit) => {
      if (exit._tag === "Success") task()
    })
    return () => fiber.interruptUnsafe()
  })

/**
 * Runs `self` with the request's deadline on its clock: `self` runs in a fiber of its own,
 * and whichever comes first, its end or the deadline, settles the call; at the deadline the
 * fiber is interrupted, which aborts its request. It does what `Effect.timeoutFail` does at a
 * fraction of its cost per call.
 */
const withDeadline = (
  self: Effect.Effect<Policy.Response, ApiError.ApiError>,
  request: Policy.Request
): Effect.Effect<Policy.Response, ApiError.ApiError> =>
  Effect.flatMap(Effect.forkDetach(self), (send) => {
    const millis = failure.remainingMillis(request)
    let settled = false
    let resume: ((effect: Effect.Effect<Policy.Response, ApiError.ApiError>) => void) | undefined
    let early: Effect.Effect<Policy.Response, ApiError.ApiError> | undefined
    const settle = (effect: Effect.Effect<Policy.Response, ApiError.ApiError>) => {
      if (settled) return false
      settled = true
      if (resume !== undefined) resume(effect)
      else early = effect
      return true
    }
    const onDeadline = () => {
      if (settle(Effect.fail(failure.timeoutError(request)))) send.interruptUnsafe()
    }
    const race = (cancel: () => unknown) =>
      Effect.callback<Policy.Response, ApiError.ApiError>((cb) => {
        if (early !== undefined) return cb(early)
        resume = cb
        send.addObserver((exit) => {
          if (settle(exit)) cancel()
        })
        return Effect.sync(() => {
          if (settled) return
          settled = true
          cancel()
          send.interruptUnsafe()
        })
      })
    return request.clock.constructor === liveClock
      ? race(liveTimer(millis, onDeadline))
      : Effect.flatMap(sleepingTimer(request.clock, millis, onDeadline), race)
  })

/**
 * The request as the pipeline made it (URL, method, headers, body): built afresh, so a header
 * a stage removed (a credential dropped by a cross-origin redirect) is not merged back.
 */
const outgoing = (request: Policy.Request): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(request.method as HttpMethod.HttpMethod)(request.url.href, {
    headers: request.headers,
    body: request.body
  })

/**
 * Whether this runtime is a browser (or a browser's worker), where a fetch with
 * `redirect: "manual"` hands back an opaque response that cannot be followed.
 */
const inBrowser = typeof (globalThis as { readonly document?: unknown }).document !== "undefined" ||
  typeof (globalThis as { readonly WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined"

/**
 * Outside a browser, a fetch-based client is asked not to follow redirects itself: it would
 * follow them past steady's redirect stage (the origin lock, credentials dropped, one-shot
 * bodies kept), sending headers such as `x-api-key` to wherever the server points. Other
 * clients ignore `FetchHttpClient.RequestInit`; the caller's own fields are kept.
 */
const noFetchRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  inBrowser ? effect : Effect.flatMap(
    Effect.serviceOption(FetchHttpClient.RequestInit),
    (init) =>
      Effect.provideService(effect, FetchHttpClient.RequestInit, {
        ...(init._tag === "Some" ? init.value : undefined),
        redirect: "manual"
      })
  )

/** @internal */
export const send = (
  client: HttpClient.HttpClient,
  request: Policy.Request
): Effect.Effect<Policy.Response, ApiError.ApiError> =>
  withDeadline(
    Effect.flatMap(
      // No platform span: it would record the full URL (query secrets included). steady
      // traces the call itself, with the URL redacted.
      Effect.mapError(
        noFetchRedirects(client.execute(outgoing(request))).pipe(
          Effect.provideService(HttpClient.TracerDisabledWhen, constTrue),
          Effect.provideService(trace.viaSteady, true)
        ),
        (e) => fromHttpClientError(request, e)
      ),
      (response) =>
        request.streaming !== undefined && response.status >= 200 && response.status < 300 &&
          failure.hasBody(request.method, response.status)
          ? Effect.succeed(handOver(request, request.streaming, response))
          : readBody(request, response)
    ),
    request
  )

/** @internal */
export const make = (client: HttpClient.HttpClient): Transport.Transport => ({
  name: "http-client",
  httpClient: client,
  send: (request) => send(client, request)
})
