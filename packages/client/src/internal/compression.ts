/**
 * Content coding on the pool's fast path: the undici transport decodes a compressed body as it
 * arrives, the decoded size bounded by `maxResponseBytes` (the client asks for it: see
 * `options.askForCompression`).
 *
 * @internal
 */
import * as Option from "effect/Option"
import * as Zlib from "node:zlib"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import * as policy from "./policy.js"

/** A decompressing stream. @internal */
export type Decoder = Zlib.Gunzip | Zlib.Inflate | Zlib.BrotliDecompress

/**
 * A decoder for a `Content-Encoding`, or `undefined` for identity and for codings it does not
 * know (the body is then handed over as received). Decoding is lenient about a truncated end,
 * as browsers are.
 *
 * @internal
 */
export const decoder = (encoding: string | ReadonlyArray<string>): Decoder | undefined => {
  const coding = (typeof encoding === "string" ? encoding : encoding.join(",")).trim().toLowerCase()
  const flush = { flush: Zlib.constants.Z_SYNC_FLUSH, finishFlush: Zlib.constants.Z_SYNC_FLUSH }
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return Zlib.createGunzip(flush)
    case "deflate":
      return Zlib.createInflate(flush)
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
