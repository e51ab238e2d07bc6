/**
 * The generic transport: one request through any `HttpClient` (a mock, fetch, a transformed
 * pool), its body read inside the attempt and bounded by `maxResponseBytes`. The attempt's
 * deadline is enforced with `Effect.timeoutFail` on the call's clock, so `TestClock` drives it.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import { constTrue } from "effect/Function"
import * as Stream from "effect/Stream"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import type * as Transport from "../Transport.js"
import * as bytes from "./bytes.js"
import * as decode from "./decode.js"
import * as trace from "./trace.js"
import * as failure from "./transportFailure.js"

const fromHttpClientError = (request: Policy.Request, error: HttpClientError.HttpClientError): ApiError.ApiError => {
  if (error._tag === "ResponseError") {
    // the HttpClient decoded the body itself (fetch does), and it did not decode
    const corrupt = decode.decompressionFailure(request, error.response.status, error.cause)
    if (corrupt !== undefined) return corrupt
  }
  if (error._tag === "RequestError" && error.reason === "InvalidUrl") {
    return failure.connectionError(request, "InvalidUrl", false, failure.describeCause(error.cause))
  }
  if (error._tag === "RequestError" && error.reason === "Encode") {
    return failure.connectionError(
      request,
      "Transport",
      false,
      `request body could not be encoded: ${failure.describeCause(error.cause)}`,
      error.cause
    )
  }
  return failure.fromGenericCause(request, error.cause ?? error.description)
}

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
    Stream.catchAll(
      response.stream,
      (e) => e._tag === "ResponseError" && e.reason === "EmptyBody" ? Stream.empty : Stream.fail(e)
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
  const body = Stream.catchAll(
    response.stream,
    (e): Stream.Stream<never, ApiError.ApiError> =>
      e._tag === "ResponseError" && e.reason === "EmptyBody"
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
 * How a clock arms a timer: a clock that can schedule a callback (Effect's live clock offers
 * a `ClockScheduler`) arms it without a fiber; one that cannot (`TestClock`) runs
 * `Clock.sleep` in a fiber. Either way the deadline is on the request's clock, and the race
 * below is the same code.
 */
const schedulers = new WeakMap<Clock.Clock, Clock.ClockScheduler | null>()

const schedulerOf = (clock: Clock.Clock): Clock.ClockScheduler | null => {
  let scheduler = schedulers.get(clock)
  if (scheduler === undefined) {
    const get = (clock as { scheduler?: () => Effect.Effect<Clock.ClockScheduler> }).scheduler
    scheduler = typeof get === "function" ? Effect.runSync(get.call(clock)) : null
    schedulers.set(clock, scheduler)
  }
  return scheduler
}

const sleepingTimer = (millis: number, task: () => void): Effect.Effect<() => void> =>
  Effect.map(Effect.forkDaemon(Effect.sleep(Duration.millis(millis))), (fiber) => {
    fiber.addObserver((exit) => {
      if (exit._tag === "Success") task()
    })
    return () => fiber.unsafeInterruptAsFork(FiberId.none)
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
  Effect.flatMap(Effect.forkDaemon(self), (send) => {
    const millis = failure.remainingMillis(request)
    const scheduler = schedulerOf(request.clock)
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
      if (settle(Effect.fail(failure.timeoutError(request)))) send.unsafeInterruptAsFork(FiberId.none)
    }
    const race = (cancel: () => unknown) =>
      Effect.async<Policy.Response, ApiError.ApiError>((cb) => {
        if (early !== undefined) return cb(early)
        resume = cb
        send.addObserver((exit) => {
          if (settle(exit)) cancel()
        })
        return Effect.sync(() => {
          if (settled) return
          settled = true
          cancel()
          send.unsafeInterruptAsFork(FiberId.none)
        })
      })
    return scheduler !== null
      ? race(scheduler.unsafeSchedule(onDeadline, Duration.millis(millis)))
      : Effect.flatMap(sleepingTimer(millis, onDeadline), race)
  })

/**
 * The request as the pipeline made it (URL, method, headers, body): built afresh, so a header
 * a stage removed (a credential dropped by a cross-origin redirect) is not merged back.
 */
const outgoing = (request: Policy.Request): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(request.method as HttpClientRequest.HttpClientRequest["method"])(request.url.href, {
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
          Effect.locally(HttpClient.currentTracerDisabledWhen, constTrue),
          Effect.locally(trace.viaSteady, true)
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
