/**
 * Content coding on the pool's fast path: the undici transport decodes a compressed body as it
 * arrives, the decoded size bounded by `maxResponseBytes` (the client asks for it: see
 * `options.askForCompression`).
 *
 * @internal
 */
import * as Option from "effect/Option"
import { Transform, type TransformCallback } from "node:stream"
import * as Zlib from "node:zlib"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import * as policy from "./policy.js"

/** A decompressing stream. @internal */
export type Decoder = Zlib.Gunzip | Zlib.Inflate | Zlib.BrotliDecompress | Deflate

const zlibFlush = { flush: Zlib.constants.Z_SYNC_FLUSH, finishFlush: Zlib.constants.Z_SYNC_FLUSH }

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

/**
 * A decoder for a `Content-Encoding`, or `undefined` for identity and for codings it does not
 * know (the body is then handed over as received). Decoding is lenient about a truncated end,
 * as browsers are.
 *
 * @internal
 */
export const decoder = (encoding: string | ReadonlyArray<string>): Decoder | undefined => {
  const coding = (typeof encoding === "string" ? encoding : encoding.join(",")).trim().toLowerCase()
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return Zlib.createGunzip(zlibFlush)
    case "deflate":
      return new Deflate()
    case "br":
      return Zlib.createBrotliDecompress({
        flush: Zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: Zlib.constants.BROTLI_OPERATION_FLUSH
      })
    default:
      return undefined
  }
}

/** A body that does not decompress: a `DecodeError` (`Read`), not retried. @internal */
export const decodeFailure = (request: Policy.Request, status: number, cause: Error): ApiError.DecodeError =>
  new ApiError.DecodeError({
    request: policy.requestInfo(request),
    attempts: 1,
    reason: "Read",
    status,
    body: "",
    issue: Option.none(),
    detail: `the compressed body could not be decoded: ${cause.message}`
  })
