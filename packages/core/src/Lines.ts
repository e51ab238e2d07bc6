/**
 * The lines of a streamed UTF-8 body, split as they arrive, each bounded: the ground under
 * the NDJSON and event-stream parsers (`Ndjson`, `EventStream`). A decoder here is an
 * incremental object fed one chunk at a time; each Effect line wraps it in its own Stream.
 *
 * @since 0.3.0
 */

/**
 * What a body too large for its bound becomes: the line maps it to its `DecodeError` with
 * reason `"TooLarge"` and this `detail`.
 *
 * @since 0.3.0
 * @category models
 */
export interface TooLarge {
  readonly _tag: "TooLarge"
  readonly detail: string
}

/**
 * A "too large" result.
 *
 * @since 0.3.0
 * @category constructors
 */
export const tooLarge = (detail: string): TooLarge => ({ _tag: "TooLarge", detail })

/**
 * An incremental decoder of a streamed body: `write` each chunk, then `end`. Each pushes what
 * it completed to `out`, and returns `TooLarge` when the body passed a bound: the items before
 * the failure are in `out` (deliver them first), and nothing after it may be written.
 *
 * @since 0.3.0
 * @category models
 */
export interface Decoder<A> {
  write(chunk: Uint8Array, out: Array<A>): TooLarge | undefined
  end(out: Array<A>): TooLarge | undefined
}

/**
 * How lines end and how long one may be.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /** Whether a CR alone ends a line (the event-stream grammar), besides LF and CRLF. */
  readonly bareCr: boolean
  /** The most characters in one line (a line's end not counted). */
  readonly maxChars: number
}

/**
 * Splits a UTF-8 body into lines (LF, CRLF; and CR alone when `bareCr`), each at most
 * `maxChars` long; the last line counts even without its end (`end`). A CRLF cut between two
 * chunks is one line end, and a character cut between two chunks is decoded whole. The part
 * of a line not yet ended is bounded too, so a body without a line end never grows past
 * `maxChars`.
 *
 * @since 0.3.0
 * @category splitting
 */
export class Splitter {
  private readonly decoder = new TextDecoder("utf-8")
  private readonly bareCr: boolean
  private readonly maxChars: number
  /** The start of a line whose end has not come yet. */
  private pending = ""
  /** The last chunk ended with a CR: an LF at the start of the next one is its other half. */
  private skipLf = false
  constructor(options: Options) {
    this.bareCr = options.bareCr
    this.maxChars = options.maxChars
  }

  /** Pushes the lines `chunk` completes to `out`; `false` when a line is longer than `maxChars`. */
  write(chunk: Uint8Array, out: Array<string>): boolean {
    return this.split(this.decoder.decode(chunk, { stream: true }), out)
  }

  /** The end of the body: the rest, and the last line even without its end. */
  end(out: Array<string>): boolean {
    if (!this.split(this.decoder.decode(), out) || this.pending.length > this.maxChars) return false
    if (this.pending !== "") out.push(this.pending)
    this.pending = ""
    return true
  }

  private split(text: string, out: Array<string>): boolean {
    let i = 0
    if (this.skipLf) {
      // the CR that ended the last chunk was the first half of a CRLF
      this.skipLf = false
      if (text.charCodeAt(0) === 10) i = 1
    }
    let start = i
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c !== 10 && !(this.bareCr && c === 13)) continue
      let line = this.pending + text.slice(start, i)
      this.pending = ""
      if (!this.bareCr && line.endsWith("\r")) line = line.slice(0, -1)
      if (line.length > this.maxChars) return false
      out.push(line)
      if (c === 13) {
        if (i + 1 === text.length) this.skipLf = true
        else if (text.charCodeAt(i + 1) === 10) i++
      }
      start = i + 1
    }
    this.pending += text.slice(start)
    const pending = this.pending
    // a CR that may be the first half of a CRLF is not counted yet
    return pending.length <= this.maxChars ||
      (pending.length === this.maxChars + 1 && !this.bareCr && pending.charCodeAt(pending.length - 1) === 13)
  }
}
