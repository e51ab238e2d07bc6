/**
 * Content coding on the pool's fast path: the undici transport decodes a compressed body as it
 * arrives, the decoded size bounded by `maxResponseBytes` (the client asks for it: see
 * `options.askForCompression`). Decoding is strict: a body that ends before its coding does (no
 * gzip trailer, an unfinished deflate or brotli stream) or whose check fails (CRC, length) is a
 * failure, never a shorter body. Stacked codings (`gzip, br`) are decoded in turn. zstd is
 * decoded where the runtime's zlib has it (Node 22.15 or later: undici decodes it with the same
 * zlib, it has no decoder of its own), and named as not supported where it does not (Node 20).
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

/** zlib's zstd decoder where the runtime has one (Node 22.15 or later), typed for Node 20's zlib too. */
const zstdDecompress = (Zlib as unknown as {
  readonly createZstdDecompress?: (
    options: { readonly params: Readonly<Record<number, number>> }
  ) => Transform & { reset(): void }
}).createZstdDecompress
const zstdWindowLogMax = (Zlib.constants as unknown as { readonly ZSTD_d_windowLogMax?: number }).ZSTD_d_windowLogMax

/** Whether the pool decodes `Content-Encoding: zstd` on this runtime. @internal */
export const decodesZstd = zstdDecompress !== undefined && zstdWindowLogMax !== undefined

/**
 * The largest window a zstd frame may ask for: 8 MiB (2^23), as RFC 9659 has HTTP's zstd use
 * and browsers decode. It bounds the decoder's memory: a frame that needs more fails, where
 * zlib's default would allocate up to 128 MiB for one body.
 *
 * @internal
 */
export const zstdWindowLog = 23

/**
 * The most frames (but skippable ones) one zstd body may have. Each costs the decoder a round
 * trip to zlib's thread pool (a frame's end must be known to be decoded before the decoder is
 * reset): a body of empty frames, 9 bytes each, would buy seconds of work with a megabyte. One
 * frame is what a compressor writes, even flushing as it streams; a few are files joined.
 *
 * @internal
 */
export const maxZstdFrames = 1_000

/** A zstd frame's magic number, as it is sent. */
const zstdMagic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])

/**
 * `zstd`, decoded by zlib with its window bounded by `zstdWindowLog`. zlib's decoder stops at
 * the end of the first frame (it drops the frames after it, skippable ones included) and ends
 * without an error on a frame cut short, with what it could decode; so the frames are followed
 * here (RFC 8878, section 3.1: the magic numbers, the frame header's descriptor, the blocks'
 * headers; the rest is passed over, for the decoder to check). The decoder is reset after each
 * frame (at most `maxZstdFrames` of them), a skippable frame goes to it not at all, and a body
 * that does not end where a frame does fails as one cut short.
 */
class Zstd extends Transform {
  private state: "magic" | "skippable" | "descriptor" | "block" = "magic"
  /** The little-endian field being read, and how many of its bytes are in. */
  private field = 0
  private have = 0
  /** Bytes to pass over: the rest of a frame header, a block's content, a checksum. */
  private skip = 0
  private checksum = false
  /** Whether the frame ends when `skip` is done (its last block's content and checksum). */
  private ending = false
  /** The frames so far that are not skippable ones. */
  private frames = 0
  private readonly decoder: Transform & { reset(): void }

  constructor(decoder: Transform & { reset(): void }) {
    super()
    decoder.on("data", (out: Buffer) => {
      // the consumer's backpressure reaches the decoder
      if (!this.push(out)) decoder.pause()
    })
    decoder.on("error", (cause) => this.destroy(cause))
    this.decoder = decoder
  }

  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback) {
    this.consume(chunk).then(() => done(), done)
  }

  private async consume(chunk: Buffer) {
    // the start of the bytes of `chunk` that go to the current frame's decoder
    let from = 0
    let i = 0
    while (i < chunk.length && !this.destroyed) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i)
        this.skip -= n
        i += n
        if (this.skip === 0 && this.ending) {
          this.ending = false
          if (this.state === "block") await this.endFrame(chunk.subarray(from, i))
          this.state = "magic"
          from = i
        }
        continue
      }
      this.field += chunk[i++] * 2 ** (8 * this.have++)
      if (this.have < (this.state === "descriptor" ? 1 : this.state === "block" ? 3 : 4)) continue
      const value = this.field
      this.field = 0
      this.have = 0
      switch (this.state) {
        case "magic":
          if (value === 0xfd2fb528) {
            if (++this.frames > maxZstdFrames) throw new Error(`more than ${maxZstdFrames} zstd frames`)
            if (i >= 4) {
              from = i - 4
            } else {
              // the magic number came in two chunks: the decoder gets it whole
              await this.feed(zstdMagic)
              from = i
            }
            this.state = "descriptor"
          } else if (value >= 0x184d2a50 && value <= 0x184d2a5f) {
            this.state = "skippable"
          } else {
            throw new Error("not a zstd frame (unknown magic number)")
          }
          break
        case "skippable":
          // its content is passed over, and goes to no decoder
          this.skip = value
          if (value === 0) this.state = "magic"
          else this.ending = true
          break
        case "descriptor": {
          const single = (value >> 5) & 1
          this.checksum = ((value >> 2) & 1) === 1
          // window descriptor, dictionary id, frame content size
          this.skip = (1 - single) + [0, 1, 2, 4][value & 3] + [single, 2, 4, 8][value >> 6]
          this.state = "block"
          break
        }
        case "block": {
          const type = (value >> 1) & 3
          if (type === 3) throw new Error("a zstd block of the reserved type")
          // an RLE block's content is one byte
          this.skip = type === 1 ? 1 : value >> 3
          if ((value & 1) === 1) {
            // the frame's last block, then its checksum
            if (this.checksum) this.skip += 4
            this.ending = true
            if (this.skip === 0) {
              this.ending = false
              await this.endFrame(chunk.subarray(from, i))
              this.state = "magic"
              from = i
            }
          }
          break
        }
      }
    }
    // the rest of a data frame's bytes in this chunk (a skippable frame's go nowhere)
    const inFrame = this.state === "descriptor" || this.state === "block"
    if (inFrame && from < chunk.length) await this.feed(chunk.subarray(from))
  }

  /** Hands `bytes` to the decoder; resolves once it has taken them (its output handed on). */
  private feed(bytes: Buffer) {
    return new Promise<void>((resolve) => this.decoder.write(bytes, () => resolve()))
  }

  /** The last bytes of a frame: the decoder takes them, then is reset for the next frame. */
  private async endFrame(last: Buffer) {
    await this.feed(last)
    if (!this.destroyed) this.decoder.reset()
  }

  override _read(size: number) {
    this.decoder.resume()
    super._read(size)
  }

  override _flush(done: TransformCallback) {
    const whole = this.state === "magic" && this.have === 0 && this.skip === 0
    if (!whole) return done(Object.assign(new Error("unexpected end of file"), { code: "Z_BUF_ERROR" }))
    this.decoder.once("end", () => done())
    this.decoder.end()
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void) {
    this.decoder.destroy()
    done(error)
  }
}

/** The most codings one body may stack (`gzip, br`), as undici's `fetch` allows. @internal */
export const maxCodings = 5

/** The decoding stream of one coding, or `undefined` for one it does not know (zstd on Node 20, whose zlib has none). */
const stage = (coding: string): Transform | undefined => {
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return Zlib.createGunzip(zlibFlush)
    case "deflate":
      return new Deflate()
    case "br":
      return Zlib.createBrotliDecompress({ flush: Zlib.constants.BROTLI_OPERATION_FLUSH })
    case "zstd": {
      if (zstdDecompress === undefined || zstdWindowLogMax === undefined) return undefined
      const params = { [zstdWindowLogMax]: zstdWindowLog }
      return new Zstd(zstdDecompress({ params }))
    }
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

/** What the message of a coding the client does not know says it knows. */
const supported = decodesZstd
  ? "gzip, deflate, br and zstd are"
  : "gzip, deflate and br are; zstd needs a runtime whose zlib has it, Node 22.15 or later"

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
      return new Unsupported(`the coding ${show(codings[i])} is not supported (${supported})`)
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
