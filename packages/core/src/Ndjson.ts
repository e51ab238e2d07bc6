/**
 * Newline-delimited JSON (NDJSON, JSON Lines) as it streams in: the lines of the body with
 * their numbers, blank lines skipped but counted, so an error names the line a person sees in
 * an editor. Decoding each line (JSON and a schema) is the line's.
 *
 * @since 0.3.0
 */
import * as Lines from "./Lines.js"

/**
 * A non-blank line, and its number in the body (from 1; blank lines count).
 *
 * @since 0.3.0
 * @category models
 */
export interface Line {
  readonly text: string
  readonly number: number
}

/**
 * The lines of an NDJSON body (LF or CRLF), each at most `maxChars` characters: a longer one
 * is `TooLarge` ("a line is longer than … characters"), after the lines before it.
 *
 * @since 0.3.0
 * @category decoding
 */
export class Decoder implements Lines.Decoder<Line> {
  private readonly splitter: Lines.Splitter
  private readonly lines: Array<string> = []
  private number = 0
  constructor(readonly maxChars: number) {
    this.splitter = new Lines.Splitter({ bareCr: false, maxChars })
  }
  write(chunk: Uint8Array, out: Array<Line>): Lines.TooLarge | undefined {
    return this.flush(this.splitter.write(chunk, this.lines), out)
  }
  end(out: Array<Line>): Lines.TooLarge | undefined {
    return this.flush(this.splitter.end(this.lines), out)
  }
  private flush(within: boolean, out: Array<Line>): Lines.TooLarge | undefined {
    for (const text of this.lines) {
      this.number++
      if (text.trim() === "") continue
      out.push({ text, number: this.number })
    }
    this.lines.length = 0
    return within ? undefined : Lines.tooLarge(`a line is longer than ${this.maxChars} characters`)
  }
}
