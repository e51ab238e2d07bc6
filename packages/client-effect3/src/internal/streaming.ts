/**
 * Streamed response bodies: `ApiClient.stream` runs a call with a `Streaming` context in a
 * fiber ref, so the client's transport hands a 2xx body over unread; the stream's scope
 * releases every body the call opened when it ends.
 *
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as classify from "@steady/core/Classification"
import type * as Lines from "@steady/core/Lines"
import * as Ndjson from "@steady/core/Ndjson"
import { redactUrl } from "@steady/core/Redaction"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import * as bodies from "./body.js"
import * as decode from "./decode.js"
import { isBufferedResponse } from "./response.js"
import * as failure from "./transportFailure.js"

/**
 * What one streamed call carries: the bodies it opened, headers to set (Last-Event-ID) and
 * headers to set unless the request has them (Accept).
 *
 * @internal
 */
export class Streaming implements Policy.Streaming {
  private releases: Array<() => void> = []
  constructor(
    readonly headers: Readonly<Record<string, string>> | undefined,
    readonly defaultHeaders?: Readonly<Record<string, string>> | undefined
  ) {}
  /** The request's headers with these applied. */
  apply(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    if (this.headers === undefined && this.defaultHeaders === undefined) return headers
    return { ...this.defaultHeaders, ...headers, ...this.headers }
  }
  readonly opened = (release: () => void): void => {
    this.releases.push(release)
  }
  releaseAll(): void {
    const all = this.releases
    this.releases = []
    for (const release of all) release()
  }
}

/** Set by `ApiClient.stream` around the call: read once per call by `execute`. @internal */
export const currentStreaming = globalValue(
  Symbol.for("@steady/client-effect3/ApiClient/currentStreaming"),
  () => FiberRef.unsafeMake<Streaming | undefined>(undefined)
)

/** Bodies whose transport bounds each wait for a chunk itself (the pool's), so no timer is added. */
const selfTimed = new WeakSet<Stream.Stream<Uint8Array, ApiError.ApiError>>()

/** Marks a body stream as timed by its transport (`timeout.idle`). @internal */
export const timedStream = (
  stream: Stream.Stream<Uint8Array, ApiError.ApiError>
): Stream.Stream<Uint8Array, ApiError.ApiError> => {
  selfTimed.add(stream)
  return stream
}

/** A body from a client that is not steady's, its failures as `ApiError`s. */
const foreignBody = (response: HttpClientResponse.HttpClientResponse): Stream.Stream<Uint8Array, ApiError.ApiError> =>
  Stream.mapError(
    response.stream,
    (e) =>
      new ApiError.ConnectionError({
        request: { method: response.request.method, url: redactUrl(response.request.url) },
        attempts: 1,
        reason: "Transport",
        sent: true,
        detail: `the response body could not be read: ${e.message}`,
        cause: e
      })
  )

/** The body of a response, with the idle timeout of its call. @internal */
export const bodyOf = (
  response: HttpClientResponse.HttpClientResponse
): Stream.Stream<Uint8Array, ApiError.ApiError> => {
  if (!isBufferedResponse(response)) return foreignBody(response)
  const sent = response.sent
  // a transport that does not stream read the body inside the attempt: it is one chunk
  const body = response.bodyStream ?? (response.bytes.byteLength === 0 ? Stream.empty : Stream.succeed(response.bytes))
  if (
    sent === undefined || response.bodyStream === undefined || selfTimed.has(response.bodyStream) ||
    !Duration.isFinite(sent.settings.idleTimeout)
  ) {
    return body
  }
  return Stream.timeoutFail(body, () => failure.idleTimeout(sent), sent.settings.idleTimeout)
}

/**
 * Whether a body that failed before its first byte reached the caller may be fetched again:
 * the connection broke or went idle, and the request may be sent twice (its method, or an
 * Idempotency-Key) with a body that can be read again.
 */
const refetchable = (response: HttpClientResponse.HttpClientResponse, error: unknown): boolean => {
  if (!isBufferedResponse(response) || response.sent === undefined || !ApiError.isApiError(error)) return false
  if (error._tag !== "ConnectionError" && !(error._tag === "TimeoutError" && error.scope === "idle")) return false
  const sent = response.sent
  return (classify.idempotentMethods.has(sent.method) || sent.headers["idempotency-key"] !== undefined) &&
    !bodies.isOneShot(sent.body)
}

/** The retries the call's policy allows, for a body that broke before its first byte. */
const refetches = (response: HttpClientResponse.HttpClientResponse): number => {
  const retry = isBufferedResponse(response) ? response.sent?.settings.retry : undefined
  return retry !== undefined && retry._tag === "Standard" ? retry.times : 0
}

/**
 * Runs the call `self` with its body streamed, and hands `use` the response and its body (with
 * the idle timeout); every body the call opened is released (its connection closed, if it has
 * not ended) when the stream ends. Retries stop once the first byte has been handed on: a body
 * that breaks before it is fetched again, as the call's retry policy allows.
 *
 * @internal
 */
export const withResponse = <A, E, R, E2, R2>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>,
  headers: Readonly<Record<string, string>> | undefined,
  use: (
    response: HttpClientResponse.HttpClientResponse,
    body: Stream.Stream<Uint8Array, ApiError.ApiError>
  ) => Stream.Stream<A, E2, R2>,
  defaultHeaders?: Readonly<Record<string, string>> | undefined
): Stream.Stream<A, E | E2, R | R2> => {
  const once = (left: number | undefined): Stream.Stream<A, E | E2, R | R2> =>
    Stream.unwrapScoped(
      Effect.flatMap(
        Effect.acquireRelease(Effect.sync(() => new Streaming(headers, defaultHeaders)), (streaming) =>
          Effect.sync(() => streaming.releaseAll())),
        (streaming) =>
          Effect.map(Effect.locally(self, currentStreaming, streaming), (response) => {
            let handed = false
            const body = Stream.mapChunks(bodyOf(response), (chunk) => {
              handed = true
              return chunk
            })
            const budget = left ?? refetches(response)
            return Stream.catchAll(
              use(response, body),
              (error): Stream.Stream<A, E | E2, R | R2> =>
                !handed && budget > 0 && refetchable(response, error) ? once(budget - 1) : Stream.fail(error)
            )
          })
      )
    )
  return once(undefined)
}

/** @internal */
export const stream = <E, R>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
): Stream.Stream<Uint8Array, E | ApiError.ApiError, R> => withResponse(self, undefined, (_, body) => body)

/** The items a chunk made before its failure, and the failure. */
class Cut<B, E> {
  constructor(readonly items: ReadonlyArray<B>, readonly error: E) {}
}

/**
 * Maps each chunk of `self` with `f`, which pushes its items to `out` and returns a failure,
 * if any: the items a chunk made before its failure are emitted, then the failure.
 *
 * @internal
 */
export const mapChunksUntil = <A, B, E, E2>(
  self: Stream.Stream<A, E>,
  f: (chunk: Chunk.Chunk<A>, out: Array<B>) => E2 | undefined
): Stream.Stream<B, E | E2> =>
  Stream.catchAll(
    Stream.mapChunksEffect(self, (chunk) => {
      const out: Array<B> = []
      const error = f(chunk, out)
      return error === undefined ? Effect.succeed(Chunk.unsafeFromArray(out)) : Effect.fail(new Cut(out, error))
    }),
    (e): Stream.Stream<B, E | E2> =>
      e instanceof Cut ? Stream.concat(Stream.fromIterable<B>(e.items), Stream.fail(e.error as E2)) : Stream.fail(e)
  )

/**
 * The items a core decoder (`@steady/core/Lines`) makes of a body, as the body arrives; a
 * decoder's "too large" becomes the response's `DecodeError` (`TooLarge`), after the items
 * before it. `make` is called once per run of the stream.
 *
 * @internal
 */
export const decodeWith = <A>(
  response: HttpClientResponse.HttpClientResponse,
  body: Stream.Stream<Uint8Array, ApiError.ApiError>,
  make: () => Lines.Decoder<A>
): Stream.Stream<A, ApiError.ApiError> =>
  Stream.suspend(() => {
    const decoder = make()
    const fail = (tooLarge: Lines.TooLarge) => decode.decodeFailure(response, "TooLarge", "", tooLarge.detail)
    return Stream.concat(
      mapChunksUntil(body, (chunks, out: Array<A>) => {
        for (const chunk of chunks) {
          const tooLarge = decoder.write(chunk, out)
          if (tooLarge !== undefined) return fail(tooLarge)
        }
        return undefined
      }),
      Stream.suspend(() => {
        const out: Array<A> = []
        const tooLarge = decoder.end(out)
        if (tooLarge !== undefined) return Stream.concat(Stream.fromIterable(out), Stream.fail(fail(tooLarge)))
        return Stream.fromIterable(out)
      })
    )
  })

/** The most characters in one line of a streamed body: the client's `maxResponseBytes`. @internal */
export const maxLine = (response: HttpClientResponse.HttpClientResponse): number =>
  isBufferedResponse(response) && response.sent !== undefined
    ? response.sent.settings.maxResponseBytes
    : 16 * 1024 * 1024

/** Newline-delimited JSON: each non-blank line decoded with `schema`, named by its number (blank lines count). @internal */
export const ndjson = <A, I, RS, E, R>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>,
  schema: Schema.Schema<A, I, RS>
): Stream.Stream<A, E | ApiError.ApiError, R | RS> =>
  withResponse(self, undefined, (response, body) => {
    const decodeLine = decode.jsonTextDecoder(schema)
    const max = maxLine(response)
    return Stream.mapEffect(
      decodeWith(response, body, () => new Ndjson.Decoder(max)),
      (line) => decodeLine(response, line.text, `line ${line.number}`)
    )
  })
