/**
 * `text/event-stream` (Server-Sent Events), parsed as the WHATWG HTML standard says
 * (§9.2.6, "Interpreting an event stream"), with reconnection that resumes from the last
 * event ID.
 *
 * @internal
 */
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

/** The parser's state across events and reconnections: what `id` and `retry` last said. @internal */
export interface EventState {
  lastEventId: string
  retry: number | undefined
}

/** What `Parser.line` returns when the pending event's data passes its bound. @internal */
export const tooLarge: unique symbol = Symbol.for("@steady/client/sse/tooLarge")

/**
 * Feeds lines to the event-stream grammar: fields accumulate until a blank line dispatches
 * an event (one without `data` is dropped); comments (`:` lines) and unknown fields are
 * ignored; `retry` (digits only) updates `state`, and so does `id` (without NUL) at the
 * blank line that ends its block. The data of the pending event is bounded by `maxChars`
 * (each line counted with its LF): past it, `line` returns `tooLarge`.
 *
 * @internal
 */
export class Parser {
  private data: Array<string> = []
  /** The characters the pending event's data holds, each line with its LF. */
  private size = 0
  private event = ""
  private sawData = false
  /** The id read in the current block: it becomes the stream's last event ID at the blank line. */
  private idBuffer: string
  constructor(readonly state: EventState, readonly maxChars: number = Infinity) {
    this.idBuffer = state.lastEventId
  }

  /** The event a line completes, if any; `tooLarge` when the pending event grows past `maxChars`. */
  line(line: string): ApiClient.ServerSentEvent | undefined | typeof tooLarge {
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
        this.size += value.length + 1
        if (this.size > this.maxChars) return tooLarge
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
    this.size = 0
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
  const parser = new Parser(state, maxChars)
  let first = true
  const text = streaming.lines(body, {
    bareCr: true,
    maxChars,
    tooLong: () =>
      decode.decodeFailure(response, "TooLarge", "", `an event-stream line is longer than ${maxChars} characters`)
  })
  return streaming.mapChunksUntil(text, (lines, out: Array<ApiClient.ServerSentEvent>) => {
    for (let line of lines) {
      if (first) {
        first = false
        // one leading BOM is not part of the stream
        if (line.charCodeAt(0) === 0xfeff) line = line.slice(1)
      }
      const event = parser.line(line)
      if (event === tooLarge) {
        return decode.decodeFailure(
          response,
          "TooLarge",
          "",
          `an event's data is longer than ${maxChars} characters (no blank line ended the event)`
        )
      }
      if (event !== undefined) out.push(event)
    }
    return undefined
  })
}

const reconnectable = (error: ApiError.ApiError): boolean =>
  (error._tag === "ConnectionError" && error.reason !== "InvalidUrl" && error.reason !== "InvalidRequest" &&
    error.reason !== "OriginNotAllowed" && error.reason !== "PoolClosed") ||
  (error._tag === "TimeoutError" && error.scope !== "total")

/** The defaults of `sse`'s reconnection options. @internal */
export const defaults = {
  /** The wait when the server set no `retry:`, as browsers do. */
  reconnectDelay: Duration.seconds(3),
  minReconnectDelay: Duration.millis(500),
  maxReconnectDelay: Duration.seconds(60),
  reconnectResetAfter: Duration.seconds(10)
} as const

/** The reconnection options of one `sse`, checked, in milliseconds. @internal */
export interface Reconnection {
  readonly times: number
  /** `reconnectDelay`: the wait when the server set no `retry:`. */
  readonly delayMillis: number
  readonly minMillis: number
  readonly maxMillis: number
  readonly resetAfterMillis: number
}

const millis = (name: string, d: Duration.Input | undefined, fallback: Duration.Duration): number =>
  Duration.toMillis(d === undefined ? fallback : retry.duration(`sse ${name}`, d, false))

/** Checks the reconnection options (throws a `RangeError` for a bad one). @internal */
export const reconnection = (options: ApiClient.SseOptions): Reconnection => {
  const minMillis = millis("minReconnectDelay", options.minReconnectDelay, defaults.minReconnectDelay)
  const maxMillis = millis("maxReconnectDelay", options.maxReconnectDelay, defaults.maxReconnectDelay)
  if (minMillis > maxMillis) {
    throw new RangeError(
      `sse minReconnectDelay (${minMillis} ms) must not be longer than maxReconnectDelay (${maxMillis} ms)`
    )
  }
  return {
    times: options.reconnect === undefined ? 0 : retry.wholeNumber("sse reconnect", options.reconnect),
    delayMillis: millis("reconnectDelay", options.reconnectDelay, defaults.reconnectDelay),
    minMillis,
    maxMillis,
    resetAfterMillis: millis("reconnectResetAfter", options.reconnectResetAfter, defaults.reconnectResetAfter)
  }
}

/**
 * The wait before a reconnection: the server's `retry:` (or `reconnectDelay` when it set none)
 * raised to `minReconnectDelay`, doubled for each reconnection already made in a row
 * (`quick`), and at most `maxReconnectDelay`.
 *
 * @internal
 */
export const reconnectDelay = (settings: Reconnection, serverRetry: number | undefined, quick: number): number => {
  const base = Math.max(settings.minMillis, serverRetry ?? settings.delayMillis)
  // past 2^32 any base is over any cap: the exponent is bounded so the product stays finite
  return Math.min(settings.maxMillis, base * 2 ** Math.min(quick, 32))
}

/** A header value cannot carry a control character other than tab. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const unsendable = /[\u0000-\u0008\u000a-\u001f\u007f]/

const printableAscii = /^[\u0020-\u007e]*$/

const utf8 = new TextEncoder()

/**
 * `Last-Event-ID` as browsers send it: the id's UTF-8 bytes (a header value is bytes, each
 * written as one latin-1 character). `undefined` when the id has a control character, which
 * no header value can carry.
 *
 * @internal
 */
export const lastEventIdHeader = (id: string): string | undefined => {
  if (printableAscii.test(id)) return id
  if (unsendable.test(id)) return undefined
  const bytes = utf8.encode(id)
  let out = ""
  for (let at = 0; at < bytes.length; at += 8192) {
    out += String.fromCharCode(...bytes.subarray(at, at + 8192))
  }
  return out
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
    const state: EventState = { lastEventId: options.lastEventId ?? "", retry: undefined }
    const connect = (quick: number): Stream.Stream<ApiClient.ServerSentEvent, E | ApiError.ApiError, R> => {
      let openedAt: number | undefined
      const id = state.lastEventId
      const header = id === "" ? undefined : lastEventIdHeader(id)
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
        if (opened === undefined || !ApiError.isApiError(error) || !reconnectable(error)) return Stream.fail(error)
        return Stream.unwrap(Effect.map(Clock.currentTimeMillis, (now) => {
          const inARow = now - opened >= settings.resetAfterMillis ? 0 : quick
          if (inARow >= settings.times) return Stream.fail(error)
          const delay = Duration.millis(reconnectDelay(settings, state.retry, inARow))
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
