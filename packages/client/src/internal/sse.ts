/**
 * `text/event-stream` (Server-Sent Events), parsed as the WHATWG HTML standard says
 * (§9.2.6, "Interpreting an event stream"), with reconnection that resumes from the last
 * event ID.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as ApiClient from "../ApiClient.js"
import * as ApiError from "../ApiError.js"
import * as decode from "./decode.js"
import * as streaming from "./streaming.js"

/** The parser's state across events and reconnections: what `id` and `retry` last said. @internal */
export interface EventState {
  lastEventId: string
  retry: number | undefined
}

/**
 * Feeds lines to the event-stream grammar: fields accumulate until a blank line dispatches
 * an event (one without `data` is dropped); comments (`:` lines) and unknown fields are
 * ignored; `retry` (digits only) updates `state`, and so does `id` (without NUL) at the
 * blank line that ends its block.
 *
 * @internal
 */
export class Parser {
  private data: Array<string> = []
  private event = ""
  private sawData = false
  /** The id read in the current block: it becomes the stream's last event ID at the blank line. */
  private idBuffer: string
  constructor(readonly state: EventState) {
    this.idBuffer = state.lastEventId
  }

  /** The event a line completes, if any. */
  line(line: string): ApiClient.ServerSentEvent | undefined {
    if (line === "") return this.dispatch()
    if (line.charCodeAt(0) === 58 /* : */) return undefined
    const colon = line.indexOf(":")
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? "" : line.slice(colon + 1)
    if (value.charCodeAt(0) === 32 /* space */) value = value.slice(1)
    switch (field) {
      case "event":
        this.event = value
        break
      case "data":
        this.data.push(value)
        this.sawData = true
        break
      case "id":
        if (!value.includes("\u0000")) this.idBuffer = value
        break
      case "retry":
        if (/^[0-9]+$/.test(value)) this.state.retry = Number(value)
        break
    }
    return undefined
  }

  private dispatch(): ApiClient.ServerSentEvent | undefined {
    // the id is committed by the blank line, also for a block without data; an event cut off
    // before its blank line does not move it (a reconnection resumes after the last whole one)
    this.state.lastEventId = this.idBuffer
    if (!this.sawData) {
      this.event = ""
      return undefined
    }
    const event: ApiClient.ServerSentEvent = {
      event: this.event === "" ? "message" : this.event,
      data: this.data.join("\n"),
      id: this.state.lastEventId,
      retry: this.state.retry
    }
    this.data = []
    this.event = ""
    this.sawData = false
    return event
  }
}

/** The events of one response. */
const eventsOf = (
  response: HttpClientResponse.HttpClientResponse,
  body: Stream.Stream<Uint8Array, ApiError.ApiError>,
  state: EventState
): Stream.Stream<ApiClient.ServerSentEvent, ApiError.ApiError> => {
  const maxChars = streaming.maxLine(response)
  const parser = new Parser(state)
  let first = true
  const text = streaming.lines(body, {
    bareCr: true,
    maxChars,
    tooLong: () =>
      decode.decodeFailure(response, "TooLarge", "", `an event-stream line is longer than ${maxChars} characters`)
  })
  return Stream.filter(
    Stream.map(text, (line) => {
      if (first) {
        first = false
        // one leading BOM is not part of the stream
        if (line.charCodeAt(0) === 0xfeff) line = line.slice(1)
      }
      return parser.line(line)
    }),
    (event): event is ApiClient.ServerSentEvent => event !== undefined
  )
}

const reconnectable = (error: ApiError.ApiError): boolean =>
  (error._tag === "ConnectionError" && error.reason !== "InvalidUrl" && error.reason !== "InvalidRequest" &&
    error.reason !== "OriginNotAllowed" && error.reason !== "PoolClosed") ||
  (error._tag === "TimeoutError" && error.scope !== "total")

/** The default wait before a reconnection when the server set none (`retry:`), as browsers do. @internal */
export const defaultReconnectDelay = Duration.seconds(3)

/** What an `EventSource` asks for, unless the request says otherwise. */
const acceptEvents = { accept: "text/event-stream" }

/** @internal */
export const events = <E, R>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>,
  options: ApiClient.SseOptions
): Stream.Stream<ApiClient.ServerSentEvent, E | ApiError.ApiError, R> =>
  Stream.suspend(() => {
    const state: EventState = { lastEventId: options.lastEventId ?? "", retry: undefined }
    const reconnects = options.reconnect ?? 0
    const connect = (left: number): Stream.Stream<ApiClient.ServerSentEvent, E | ApiError.ApiError, R> => {
      let received = false
      let connected = false
      const headers = state.lastEventId === "" ? undefined : { "last-event-id": state.lastEventId }
      const once = Stream.tap(
        streaming.withResponse(self, headers, (response, body) => {
          connected = true
          return eventsOf(response, body, state)
        }, acceptEvents),
        () =>
          Effect.sync(() => {
            received = true
          })
      )
      return Stream.catch(once, (error): Stream.Stream<ApiClient.ServerSentEvent, E | ApiError.ApiError, R> => {
        // only a stream that was open reconnects (the call itself has its retries); one that
        // brought events starts the count again
        const budget = received ? reconnects : left
        if (budget <= 0 || !connected || !ApiError.isApiError(error) || !reconnectable(error)) return Stream.fail(error)
        const delay = state.retry !== undefined
          ? Duration.millis(state.retry)
          : options.reconnectDelay !== undefined
          ? Duration.fromInputUnsafe(options.reconnectDelay)
          : defaultReconnectDelay
        return Stream.unwrap(Effect.as(Effect.sleep(delay), connect(budget - 1)))
      })
    }
    return connect(reconnects)
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
