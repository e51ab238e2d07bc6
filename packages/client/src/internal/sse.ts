/**
 * `text/event-stream` (Server-Sent Events): the core parses the stream and does the
 * reconnections' arithmetic (`@steady/core/EventStream`); here are the Stream, the clock and
 * the requests, with reconnection that resumes from the last event ID.
 *
 * @internal
 */
import * as EventStream from "@steady/core/EventStream"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as ApiClient from "../ApiClient.js"
import * as ApiError from "../ApiError.js"
import * as decode from "./decode.js"
import * as retry from "./retry.js"
import * as streaming from "./streaming.js"

/** The events of one response, parsed by the core as the body arrives. */
const eventsOf = (
  response: HttpClientResponse.HttpClientResponse,
  body: Stream.Stream<Uint8Array, ApiError.ApiError>,
  state: EventStream.State
): Stream.Stream<ApiClient.ServerSentEvent, ApiError.ApiError> =>
  streaming.decodeWith(response, body, () => new EventStream.Decoder(state, streaming.maxLine(response)))

const millis = (name: string, d: Duration.Input | undefined, fallback: number): number =>
  d === undefined ? fallback : Duration.toMillis(retry.duration(`sse ${name}`, d, false))

/** Checks the reconnection options (throws a `RangeError` for a bad one), in milliseconds. @internal */
export const reconnection = (options: ApiClient.SseOptions): EventStream.Reconnection => {
  const d = EventStream.defaults
  return EventStream.reconnection({
    times: options.reconnect === undefined ? 0 : retry.wholeNumber("sse reconnect", options.reconnect),
    delayMillis: millis("reconnectDelay", options.reconnectDelay, d.reconnectDelayMillis),
    minMillis: millis("minReconnectDelay", options.minReconnectDelay, d.minReconnectDelayMillis),
    maxMillis: millis("maxReconnectDelay", options.maxReconnectDelay, d.maxReconnectDelayMillis),
    resetAfterMillis: millis("reconnectResetAfter", options.reconnectResetAfter, d.reconnectResetAfterMillis)
  })
}

/** What an `EventSource` asks for, unless the request says otherwise. */
const acceptEvents = { accept: "text/event-stream" }

/**
 * The events of the call `self`, reconnecting as `options` say. A connection that breaks is
 * reconnected when it was open (the call itself has its retries) and the error may mend
 * (a connection error, the idle timeout); `quick` counts the reconnections made in a row: a
 * connection that stayed open `reconnectResetAfter` starts the count (and the backoff) again,
 * events or not.
 *
 * @internal
 */
export const events = <E, R>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>,
  options: ApiClient.SseOptions
): Stream.Stream<ApiClient.ServerSentEvent, E | ApiError.ApiError, R> =>
  Stream.suspend(() => {
    const settings = reconnection(options)
    const state: EventStream.State = { lastEventId: options.lastEventId ?? "", retry: undefined }
    const connect = (quick: number): Stream.Stream<ApiClient.ServerSentEvent, E | ApiError.ApiError, R> => {
      let openedAt: number | undefined
      const id = state.lastEventId
      const header = id === "" ? undefined : EventStream.lastEventIdHeader(id)
      const once = streaming.withResponse(
        self,
        header === undefined ? undefined : { "last-event-id": header },
        (response, body) =>
          Stream.unwrap(Effect.map(Clock.currentTimeMillis, (now) => {
            openedAt = now
            return eventsOf(response, body, state)
          })),
        acceptEvents
      )
      const sent = id !== "" && header === undefined
        ? Stream.unwrap(Effect.as(
          Effect.logWarning(
            "sse: the last event ID has a control character, which no header can carry: connecting without " +
              "Last-Event-ID (the server may send events again)"
          ),
          once
        ))
        : once
      return Stream.catch(sent, (error): Stream.Stream<ApiClient.ServerSentEvent, E | ApiError.ApiError, R> => {
        const opened = openedAt
        if (opened === undefined || !ApiError.isApiError(error) || !EventStream.reconnectable(error)) {
          return Stream.fail(error)
        }
        return Stream.unwrap(Effect.map(Clock.currentTimeMillis, (now) => {
          const inARow = EventStream.inARow(settings, opened, now, quick)
          if (inARow >= settings.times) return Stream.fail(error)
          const delay = Duration.millis(EventStream.reconnectDelay(settings, state.retry, inARow))
          return Stream.unwrap(Effect.as(Effect.sleep(delay), connect(inARow + 1)))
        }))
      })
    }
    return connect(0)
  })

/** Each event's `data` decoded as JSON with `schema`, up to the `done` sentinel. @internal */
export const decoded = <A, RS, E, R>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>,
  schema: Schema.Decoder<A, RS>,
  options: ApiClient.SseOptions
): Stream.Stream<ApiClient.ServerSentEvent<A>, E | ApiError.ApiError, R | RS> => {
  const decodeData = decode.jsonTextDecoder(schema)
  let response: HttpClientResponse.HttpClientResponse | undefined
  const capture = Effect.map(self, (r) => {
    response = r
    return r
  })
  let n = 0
  const all = events(capture, options)
  const until = options.done === undefined ? all : Stream.takeWhile(all, (event) => event.data !== options.done)
  return Stream.mapEffect(until, (event) => {
    n++
    return Effect.map(
      decodeData(response!, event.data, `event ${n}${event.id === "" ? "" : ` (id ${event.id})`}`),
      (data): ApiClient.ServerSentEvent<A> => ({ ...event, data })
    )
  })
}
