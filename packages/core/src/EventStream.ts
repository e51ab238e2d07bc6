/**
 * `text/event-stream` (Server-Sent Events), parsed as the WHATWG HTML standard says (§9.2.6,
 * "Interpreting an event stream"), and the arithmetic of its reconnections: how long to wait,
 * when the count of quick reconnections starts again, what `Last-Event-ID` carries. The
 * clock, the sleeping and the requests are the line's.
 *
 * @since 0.3.0
 */
import { transientReasons } from "./Classification.js"
import * as Lines from "./Lines.js"

/**
 * An event, dispatched by the blank line that ends its block.
 *
 * @since 0.3.0
 * @category models
 */
export interface Event {
  /** The event type: `"message"` when the server named none. */
  readonly event: string
  /** The data lines, joined with `\n`. */
  readonly data: string
  /** The last event ID the stream set (`""` when none has been). */
  readonly id: string
  /** The reconnection delay the server last asked for, in milliseconds. */
  readonly retry: number | undefined
}

/**
 * What the stream has said so far, across events and reconnections: the last event ID and the
 * server's `retry`. One per stream, shared by the parsers of its connections.
 *
 * @since 0.3.0
 * @category models
 */
export interface State {
  lastEventId: string
  retry: number | undefined
}

/**
 * What `Parser.line` returns when the pending event's data passes its bound.
 *
 * @since 0.3.0
 * @category parsing
 */
export const tooLarge: unique symbol = Symbol.for("@steady/core/EventStream/tooLarge")

/**
 * Feeds lines to the event-stream grammar: fields accumulate until a blank line dispatches an
 * event (one without `data` is dropped); comments (`:` lines) and unknown fields are ignored;
 * `retry` (digits only) updates `state`, and so does `id` (without NUL) at the blank line that
 * ends its block, so a reconnection resumes after the last whole event. The data of the
 * pending event is bounded by `maxChars` (each line counted with its LF): past it, `line`
 * returns `tooLarge`.
 *
 * @since 0.3.0
 * @category parsing
 */
export class Parser {
  private data: Array<string> = []
  /** The characters the pending event's data holds, each line with its LF. */
  private size = 0
  private event = ""
  private sawData = false
  /** The id read in the current block: it becomes the stream's last event ID at the blank line. */
  private idBuffer: string
  constructor(readonly state: State, readonly maxChars: number = Infinity) {
    this.idBuffer = state.lastEventId
  }

  /** The event a line completes, if any; `tooLarge` when the pending event grows past `maxChars`. */
  line(line: string): Event | undefined | typeof tooLarge {
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

  private dispatch(): Event | undefined {
    // the id is committed by the blank line, also for a block without data; an event cut off
    // before its blank line does not move it (a reconnection resumes after the last whole one)
    this.state.lastEventId = this.idBuffer
    if (!this.sawData) {
      this.event = ""
      return undefined
    }
    const event: Event = {
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

/**
 * The events of one response's body: its lines (CR, LF or CRLF; one leading BOM dropped), each
 * at most `maxChars` characters, fed to a `Parser` on `state`. A line or a pending event
 * longer than `maxChars` is `TooLarge`, after the events before it; an event the body ends
 * before its blank line is not dispatched.
 *
 * @since 0.3.0
 * @category parsing
 */
export class Decoder implements Lines.Decoder<Event> {
  private readonly splitter: Lines.Splitter
  private readonly parser: Parser
  private readonly lines: Array<string> = []
  private first = true
  constructor(state: State, readonly maxChars: number) {
    this.splitter = new Lines.Splitter({ bareCr: true, maxChars })
    this.parser = new Parser(state, maxChars)
  }
  write(chunk: Uint8Array, out: Array<Event>): Lines.TooLarge | undefined {
    return this.feed(this.splitter.write(chunk, this.lines), out)
  }
  end(out: Array<Event>): Lines.TooLarge | undefined {
    return this.feed(this.splitter.end(this.lines), out)
  }
  private feed(within: boolean, out: Array<Event>): Lines.TooLarge | undefined {
    const lines = this.lines
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]
      if (this.first) {
        this.first = false
        // one leading BOM is not part of the stream
        if (line.charCodeAt(0) === 0xfeff) line = line.slice(1)
      }
      const event = this.parser.line(line)
      if (event === tooLarge) {
        lines.length = 0
        return Lines.tooLarge(
          `an event's data is longer than ${this.maxChars} characters (no blank line ended the event)`
        )
      }
      if (event !== undefined) out.push(event)
    }
    lines.length = 0
    return within ? undefined : Lines.tooLarge(`an event-stream line is longer than ${this.maxChars} characters`)
  }
}

/**
 * The defaults of the reconnection options, in milliseconds.
 *
 * @since 0.3.0
 * @category reconnection
 */
export const defaults = {
  /** The wait when the server set no `retry:`, as browsers do: 3 seconds. */
  reconnectDelayMillis: 3000,
  /** The shortest wait, whatever the server's `retry:`: 500 ms. */
  minReconnectDelayMillis: 500,
  /** The longest wait, whatever the server's `retry:`: 60 seconds. */
  maxReconnectDelayMillis: 60_000,
  /** How long a connection must stay open for the count to start again: 10 seconds. */
  reconnectResetAfterMillis: 10_000
} as const

/**
 * The reconnection options of one stream, in milliseconds.
 *
 * @since 0.3.0
 * @category reconnection
 */
export interface Reconnection {
  /** How many reconnections in a row. */
  readonly times: number
  /** `reconnectDelay`: the wait when the server set no `retry:`. */
  readonly delayMillis: number
  readonly minMillis: number
  readonly maxMillis: number
  readonly resetAfterMillis: number
}

/**
 * Checks the options together (each one is checked by the line as it reads it): a
 * `minReconnectDelay` longer than `maxReconnectDelay` throws a `RangeError`.
 *
 * @since 0.3.0
 * @category reconnection
 */
export const reconnection = (settings: Reconnection): Reconnection => {
  if (settings.minMillis > settings.maxMillis) {
    throw new RangeError(
      `sse minReconnectDelay (${settings.minMillis} ms) must not be longer than maxReconnectDelay ` +
        `(${settings.maxMillis} ms)`
    )
  }
  return settings
}

/**
 * How many quick reconnections in a row a break makes, given the connection opened at
 * `openedAt` and broke at `now` after `quick` of them: a connection that stayed open
 * `resetAfterMillis` starts the count (and the backoff) again, events or not.
 *
 * @since 0.3.0
 * @category reconnection
 */
export const inARow = (settings: Reconnection, openedAt: number, now: number, quick: number): number =>
  now - openedAt >= settings.resetAfterMillis ? 0 : quick

/**
 * The wait before a reconnection: the server's `retry:` (or `reconnectDelay` when it set none)
 * raised to `minReconnectDelay`, doubled for each reconnection already made in a row
 * (`quick`), and at most `maxReconnectDelay`.
 *
 * @since 0.3.0
 * @category reconnection
 */
export const reconnectDelay = (settings: Reconnection, serverRetry: number | undefined, quick: number): number => {
  const base = Math.max(settings.minMillis, serverRetry ?? settings.delayMillis)
  // past 2^32 any base is over any cap: the exponent is bounded so the product stays finite
  return Math.min(settings.maxMillis, base * 2 ** Math.min(quick, 32))
}

/**
 * Whether a broken stream may mend by reconnecting: a transient connection failure (the
 * allow-list of `Classification.transientReasons`), or a timeout other than the call's total
 * deadline (the idle timeout between chunks).
 *
 * @since 0.3.0
 * @category reconnection
 */
export const reconnectable = (
  failure: { readonly _tag: string; readonly reason?: unknown; readonly scope?: unknown }
): boolean =>
  (failure._tag === "ConnectionError" && typeof failure.reason === "string" && transientReasons.has(failure.reason)) ||
  (failure._tag === "TimeoutError" && failure.scope !== "total")

/** A header value cannot carry a control character other than tab. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const unsendable = /[\u0000-\u0008\u000a-\u001f\u007f]/

const printableAscii = /^[\u0020-\u007e]*$/

const utf8 = new TextEncoder()

/**
 * `Last-Event-ID` as browsers send it: the id's UTF-8 bytes (a header value is bytes, each
 * written as one latin-1 character). `undefined` when the id has a control character, which
 * no header value can carry: connect without it.
 *
 * @since 0.3.0
 * @category reconnection
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
