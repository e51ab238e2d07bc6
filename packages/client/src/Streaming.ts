/**
 * Response bodies read as they arrive, instead of whole: the raw bytes (`stream`),
 * newline-delimited JSON (`ndjson`) and Server-Sent Events (`sse`, with reconnection). Pipe a
 * call into one of them. Up to the response headers a streamed call is an ordinary one
 * (timeouts, retries, auth, policies, status classification); from then on `timeout.idle`
 * bounds each wait for the next chunk.
 *
 * `ApiClient` exports the same functions and types under the same names (`ApiClient.stream`,
 * `ApiClient.ndjson`, `ApiClient.sse`, since 0.2).
 *
 * @since 0.3.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as ApiError from "./ApiError.js"
import * as sseInternal from "./internal/sse.js"
import * as streamingInternal from "./internal/streaming.js"

/**
 * The response body as it arrives, instead of read whole: for downloads larger than
 * `maxResponseBytes`, and for bodies that never end. Pipe a call into it
 * (`client.get(...).pipe(Streaming.stream)`).
 *
 * - Up to the response headers the call is an ordinary one: attempt timeout, total deadline,
 *   retries, auth, policies, status classification (a non-2xx fails with its typed error,
 *   its body read as usual).
 * - From then on the body is handed over as it arrives. A body that breaks before its first
 *   byte reached you is fetched again (as the retry policy allows, for a request that may be
 *   sent twice); after that it is never retried. `timeout.idle`
 *   (default 60 seconds) bounds the wait for each next chunk, and nothing bounds the whole
 *   body unless you do (`Stream.timeoutFail`, `Stream.interruptAfter`).
 * - Backpressure reaches the socket: on the pool's fast path the connection is paused while
 *   256 KiB wait for you. Compressed bodies are decompressed as they stream.
 * - When the stream ends, fails or is interrupted before the body's end, the request is
 *   aborted and its connection closed.
 *
 * The stream can be run once per run of the call: each run sends the request again.
 *
 * @example
 * ```ts
 * import { type ApiClient, Streaming } from "@steady/client"
 * import { Effect, Stream } from "effect"
 *
 * declare const client: ApiClient.Client
 *
 * // counts the bytes of a large download without holding it
 * const size = client.get("/exports/2026.csv").pipe(
 *   Streaming.stream,
 *   Stream.runFold(() => 0, (n, chunk) => n + chunk.byteLength)
 * )
 * ```
 *
 * @since 0.3.0
 * @category streaming
 */
export const stream = <E, R>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
): Stream.Stream<Uint8Array, E | ApiError.ApiError, R> => streamingInternal.stream(self)

/**
 * Newline-delimited JSON (`application/x-ndjson`, JSON Lines), streamed: each line decoded
 * with `schema` as it arrives; blank lines are skipped. A line that is not JSON or does not
 * match fails the stream with a `DecodeError` whose `detail` names the line number; a line
 * longer than `maxResponseBytes` fails with `TooLarge`. Everything `stream` says about
 * timeouts, retries and closing applies.
 *
 * @example
 * ```ts
 * import { type ApiClient, Streaming } from "@steady/client"
 * import { Schema, Stream } from "effect"
 *
 * const LogLine = Schema.Struct({ at: Schema.String, message: Schema.String })
 * declare const client: ApiClient.Client
 *
 * const lines = client.get("/logs?follow=true").pipe(Streaming.ndjson(LogLine), Stream.take(100))
 * ```
 *
 * @since 0.3.0
 * @category streaming
 */
export const ndjson = <A, RS>(schema: Schema.Decoder<A, RS>) =>
<E, R>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
): Stream.Stream<A, E | ApiError.ApiError, R | RS> => streamingInternal.ndjson(self, schema)

/**
 * One Server-Sent Event (`text/event-stream`).
 *
 * @since 0.3.0
 * @category streaming
 */
export interface ServerSentEvent<A = string> {
  /** The event type: `"message"` when the server named none. */
  readonly event: string
  /** The data lines, joined with `\n` (decoded with the schema given to `sse`). */
  readonly data: A
  /** The last event ID the stream set (`""` when none has been). */
  readonly id: string
  /** The reconnection delay the server last asked for, in milliseconds. */
  readonly retry: number | undefined
}

/**
 * Options of `sse`.
 *
 * @since 0.3.0
 * @category streaming
 */
export interface SseOptions {
  /**
   * How many times in a row to reconnect when an open stream breaks (a connection error, the
   * idle timeout), sending `Last-Event-ID` so the server resumes after the last event seen.
   * Only a connection that stayed open `reconnectResetAfter` starts the count again (events
   * alone do not); past the count the stream fails with the last error. Each reconnection in
   * a row waits twice as long as the one before: the server's `retry:` (or `reconnectDelay`),
   * then ×2, ×4…, within [`minReconnectDelay`, `maxReconnectDelay`]. A stream the server
   * ends cleanly is not reconnected. Default `0`. The call is sent again as it was built: for
   * a POST, make sure the server accepts it twice.
   */
  readonly reconnect?: number | undefined
  /** The first wait before reconnecting when the server set no `retry:`. Default `3 seconds`. */
  readonly reconnectDelay?: Duration.Input | undefined
  /** The shortest wait before a reconnection, whatever the server's `retry:`. Default `500 millis`. */
  readonly minReconnectDelay?: Duration.Input | undefined
  /** The longest wait before a reconnection, whatever the server's `retry:`. Default `60 seconds`. */
  readonly maxReconnectDelay?: Duration.Input | undefined
  /**
   * How long a connection must stay open for the reconnection count and its backoff to start
   * again. Default `10 seconds`.
   */
  readonly reconnectResetAfter?: Duration.Input | undefined
  /** Resume an earlier stream: sent as `Last-Event-ID` on the first request. */
  readonly lastEventId?: string | undefined
  /**
   * A `data` value that ends the stream (OpenAI's `"[DONE]"`): it is not decoded, and nothing
   * after it is read. Only with a schema.
   */
  readonly done?: string | undefined
}

/**
 * Server-Sent Events, streamed: the body parsed as the WHATWG standard says (multi-line
 * `data`, `event`, `id`, `retry`, comments, CR/LF/CRLF line ends, a leading BOM; an event
 * without its closing blank line at the end is dropped; an event whose data grows past
 * `maxResponseBytes` characters fails with `DecodeError` `TooLarge`). With a schema, each
 * event's `data` is decoded as JSON with it, and a mismatch fails the stream with a
 * `DecodeError` naming the event. `reconnect` resumes a broken stream with `Last-Event-ID`.
 * Everything `stream` says about timeouts, retries and closing applies.
 *
 * @example
 * ```ts
 * import { type ApiClient, Streaming } from "@steady/client"
 * import { Schema, Stream } from "effect"
 *
 * const Delta = Schema.Struct({ text: Schema.String })
 * declare const client: ApiClient.Client
 *
 * // every event of a feed, resuming after a dropped connection up to 5 times in a row
 * const feed = client.get("/feed").pipe(Streaming.sse({ reconnect: 5 }))
 *
 * // a completion streamed as JSON deltas, up to the "[DONE]" sentinel
 * const text = client.post("/completions").pipe(
 *   Streaming.sse(Delta, { done: "[DONE]" }),
 *   Stream.map((event) => event.data.text),
 *   Stream.mkString
 * )
 * ```
 *
 * @since 0.3.0
 * @category streaming
 */
export const sse: {
  (options?: SseOptions): <E, R>(
    self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
  ) => Stream.Stream<ServerSentEvent, E | ApiError.ApiError, R>
  <A, RS>(schema: Schema.Decoder<A, RS>, options?: SseOptions): <E, R>(
    self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
  ) => Stream.Stream<ServerSentEvent<A>, E | ApiError.ApiError, R | RS>
} = ((schemaOrOptions?: Schema.Decoder<any, any> | SseOptions, options?: SseOptions) => {
  if (Schema.isSchema(schemaOrOptions)) {
    const schema = schemaOrOptions
    return (self: Effect.Effect<HttpClientResponse.HttpClientResponse, any, any>) =>
      sseInternal.decoded(self, schema, checkSse(options ?? {}))
  }
  const checked = checkSse((schemaOrOptions as SseOptions | undefined) ?? {})
  if (checked.done !== undefined) throw new TypeError("sse: done needs a schema (the sentinel is a data value)")
  return (self: Effect.Effect<HttpClientResponse.HttpClientResponse, any, any>) => sseInternal.events(self, checked)
}) as any

const checkSse = (options: SseOptions): SseOptions => {
  sseInternal.reconnection(options)
  return options
}
