/**
 * Content coding on the pool's fast path: the undici transport decodes a compressed body as it
 * arrives, the decoded size bounded by `maxResponseBytes` (the client asks for it: see
 * `options.askForCompression`). Decoding is strict: a body that ends before its coding does (no
 * gzip trailer, an unfinished deflate or brotli stream) or whose check fails (CRC, length) is a
 * failure, never a shorter body. Stacked codings (`gzip, br`) are decoded in turn.
 *
 * @internal
 */
import * as Option from "effect/Option"
import { EventEmitter } from "node:events"
import { Transform, type TransformCallback } from "node:stream"
import * as Zlib from "node:zlib"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import * as policy from "./policy.js"
import * as failure from "./transportFailure.js"

/**
 * Each chunk's output is handed on as soon as it is decoded (an event stream must not wait);
 * the end is checked (`finishFlush` is left at its default, `Z_FINISH`), so a body cut short
 * fails with "unexpected end of file".
 */
const zlibFlush = { flush: Zlib.constants.Z_SYNC_FLUSH }

/**
 * `deflate` as servers send it: the zlib format RFC 9110 names, or the raw DEFLATE data that
 * some servers send instead (as browsers, it accepts both). The first two bytes tell: a zlib
 * header has compression method 8 and a check that makes it a multiple of 31.
 */
class Deflate extends Transform {
  private inner: Zlib.Inflate | Zlib.InflateRaw | undefined
  private head: Buffer | undefined
  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback) {
    if (this.inner === undefined) {
      const start = this.head === undefined ? chunk : Buffer.concat([this.head, chunk])
      if (start.length < 2) {
        this.head = start
        return done()
      }
      this.head = undefined
      chunk = start
      const zlib = (start[0] & 0x0f) === 8 && ((start[0] << 8) | start[1]) % 31 === 0
      const inner = zlib ? Zlib.createInflate(zlibFlush) : Zlib.createInflateRaw(zlibFlush)
      inner.on("data", (out: Buffer) => {
        // the consumer's backpressure reaches the inflater
        if (!this.push(out)) inner.pause()
      })
      inner.on("error", (cause) => this.destroy(cause))
      this.inner = inner
    }
    this.inner.write(chunk, () => done())
  }
  override _read(size: number) {
    this.inner?.resume()
    super._read(size)
  }
  override _flush(done: TransformCallback) {
    const inner = this.inner
    if (inner === undefined) {
      return done(this.head === undefined ? null : new Error("the deflate body ends after one byte"))
    }
    inner.once("end", () => done())
    inner.end()
  }
  override _destroy(error: Error | null, done: (error: Error | null) => void) {
    this.inner?.destroy()
    done(error)
  }
}

/** The most codings one body may stack (`gzip, br`), as undici's `fetch` allows. @internal */
export const maxCodings = 5

/** The decoding stream of one coding, or `undefined` for one it does not know (zstd: Node 20 has none). */
const stage = (coding: string): Transform | undefined => {
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return Zlib.createGunzip(zlibFlush)
    case "deflate":
      return new Deflate()
    case "br":
      return Zlib.createBrotliDecompress({ flush: Zlib.constants.BROTLI_OPERATION_FLUSH })
    default:
      return undefined
  }
}

/**
 * A decompressing stream: what the transport writes the body to, and reads the decoded body
 * from. `write` returns `false` when the input waiting to be decoded is past its high-water
 * mark: the transport then pauses the socket until `drain`.
 *
 * @internal
 */
export interface Decoder {
  on(event: "data", listener: (chunk: Buffer) => void): unknown
  on(event: "end", listener: () => void): unknown
  on(event: "error", listener: (error: Error) => void): unknown
  on(event: "drain", listener: () => void): unknown
  write(chunk: Buffer): boolean
  end(): void
  pause(): void
  resume(): void
  destroy(): void
}

/** A coding that failed to decode, named. */
class CodingError extends Error {
  constructor(readonly coding: string, readonly reason: Error) {
    super(reason.message)
  }
}

/** A stacked coding's intermediate output past the limit. */
class StageTooLarge extends Error {}

/**
 * The stages of a body's codings, the last applied first, each piped into the next (so the
 * consumer's backpressure reaches the first). An intermediate stage's output is bounded by
 * `limit`; the last one's is the caller's to bound. A failure of any stage fails the whole,
 * once, and destroys every stage.
 */
class Chain extends EventEmitter implements Decoder {
  private received = 0
  private failed = false
  constructor(
    private readonly stages: ReadonlyArray<{ readonly coding: string; readonly stream: Transform }>,
    limit: number
  ) {
    super()
    stages[0].stream.on("drain", () => this.emit("drain"))
    stages.forEach(({ coding, stream }, i) => {
      stream.on("error", (reason: Error) => this.fail(new CodingError(coding, reason)))
      const next = stages[i + 1]
      if (next === undefined) {
        stream.on("data", (chunk: Buffer) => this.emit("data", chunk))
        stream.on("end", () => this.emit("end"))
        return
      }
      if (limit !== Infinity) {
        let size = 0
        stream.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > limit) this.fail(new StageTooLarge(`the ${coding} coding decodes to more than ${limit} bytes`))
        })
      }
      stream.pipe(next.stream)
    })
  }
  write(chunk: Buffer): boolean {
    if (this.failed) return true
    this.received += chunk.length
    return this.stages[0].stream.write(chunk)
  }
  end(): void {
    if (this.failed) return
    // an empty body is empty, whatever coding it names (a server's quirk, not a cut body)
    if (this.received === 0) {
      this.destroy()
      this.emit("end")
      return
    }
    this.stages[0].stream.end()
  }
  pause(): void {
    this.stages[this.stages.length - 1].stream.pause()
  }
  resume(): void {
    this.stages[this.stages.length - 1].stream.resume()
  }
  destroy(): void {
    for (const { stream } of this.stages) stream.destroy()
  }
  private fail(error: Error) {
    if (this.failed) return
    this.failed = true
    this.destroy()
    this.emit("error", error)
  }
}

/** A `Content-Encoding` the client cannot decode: `detail` says why. @internal */
export class Unsupported {
  constructor(readonly detail: string) {}
}

/** A coding's name from a header, as a message may show it: quoted, escaped, short. */
const show = (name: string): string => JSON.stringify(name.length > 32 ? name.slice(0, 32) + "…" : name)

/**
 * The decoder of a `Content-Encoding` (its codings in the order they were applied, decoded
 * last first), `undefined` for none or identity, or `Unsupported` for a coding it does not
 * know or more than `maxCodings` of them. `limit` bounds each intermediate stage's output.
 *
 * @internal
 */
export const decoder = (
  encoding: string | ReadonlyArray<string>,
  limit: number
): Decoder | Unsupported | undefined => {
  const codings = (typeof encoding === "string" ? encoding : encoding.join(",")).split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity")
  if (codings.length === 0) return undefined
  if (codings.length > maxCodings) return new Unsupported(`${codings.length} stacked codings (at most ${maxCodings})`)
  const stages: Array<{ readonly coding: string; readonly stream: Transform }> = []
  for (let i = codings.length - 1; i >= 0; i--) {
    const stream = stage(codings[i])
    if (stream === undefined) {
      for (const s of stages) s.stream.destroy()
      return new Unsupported(`the coding ${show(codings[i])} is not supported (gzip, deflate and br are)`)
    }
    stages.push({ coding: codings[i], stream })
  }
  return new Chain(stages, limit)
}

const readError = (request: Policy.Request, status: number, detail: string): ApiError.DecodeError =>
  new ApiError.DecodeError({
    request: policy.requestInfo(request),
    attempts: 1,
    reason: "Read",
    status,
    body: "",
    issue: Option.none(),
    detail
  })

/**
 * A body that does not decompress: a `DecodeError` (`Read`), not retried, that names the
 * coding; `TooLarge` for a stacked coding's stage past the limit.
 *
 * @internal
 */
export const decodeFailure = (request: Policy.Request, status: number, cause: Error): ApiError.DecodeError => {
  if (cause instanceof StageTooLarge) return failure.tooLarge(request, status, undefined)
  const coding = cause instanceof CodingError ? cause.coding : "compressed"
  const reason = cause instanceof CodingError ? cause.reason : cause
  const incomplete = (reason as { code?: unknown }).code === "Z_BUF_ERROR"
  return readError(
    request,
    status,
    `the ${coding} body could not be decoded: ${reason.message}${
      incomplete ? " (the body ends before its compressed data does)" : ""
    }`
  )
}

/** A body in a coding the client cannot decode: a `DecodeError` (`Read`) that names it. @internal */
export const unsupported = (
  request: Policy.Request,
  status: number,
  encoding: string | ReadonlyArray<string>,
  coding: Unsupported
): ApiError.DecodeError =>
  readError(
    request,
    status,
    `the body's Content-Encoding ${show(typeof encoding === "string" ? encoding : encoding.join(", "))} ` +
      `cannot be decoded: ${coding.detail}`
  )
