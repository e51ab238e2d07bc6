/**
 * Request bodies on the pool's fast path: each as undici's dispatcher takes it.
 *
 * @internal
 */
import type * as HttpBody from "effect/http/HttpBody"
import * as Undici from "undici"

/** A body undici's dispatcher takes as it is, and headers it needs beside it. @internal */
export interface FastBody {
  readonly body: string | Uint8Array | Blob | Undici.FormData | AsyncIterable<Uint8Array> | null
  /** Set unless the request has the header. */
  readonly contentType?: string | undefined
  readonly contentLength?: number | undefined
}

/**
 * Past this size a `Blob` is streamed: undici would read a `Blob` body whole into memory
 * first, and a `File` from `fs.openAsBlob` can be gigabytes. Each attempt streams it afresh,
 * so it stays replayable.
 */
const streamBlobsFrom = 1024 * 1024

const empty: FastBody = { body: null }

/**
 * A global `FormData` (Node's built-in undici) as one of this undici's, which is the only kind
 * its dispatcher serialises: same fields, same files, in order.
 */
const toUndiciFormData = (form: FormData): Undici.FormData => {
  if ((form as unknown) instanceof Undici.FormData) return form as unknown as Undici.FormData
  const out = new Undici.FormData()
  form.forEach((value, name) => {
    if (typeof value === "string") out.append(name, value)
    else out.append(name, value as Blob, (value as File).name)
  })
  return out
}

const isAsyncIterable = (u: unknown): u is AsyncIterable<Uint8Array> =>
  typeof u === "object" && u !== null && Symbol.asyncIterator in u

/**
 * The body as undici's dispatcher takes it, or `undefined` when the generic transport must
 * send it (an Effect `Stream`, which needs a runtime: see `undiciTransport`).
 *
 * @internal
 */
export const fastBody = (body: HttpBody.HttpBody): FastBody | undefined => {
  switch (body._tag) {
    case "Empty":
      return empty
    case "Uint8Array":
      return { body: body.body }
    case "FormData":
      return { body: toUndiciFormData(body.formData) }
    case "Stream":
      return undefined
    case "Raw": {
      const raw = body.body
      if (typeof raw === "string" || raw instanceof Uint8Array) return { body: raw }
      if (raw instanceof ArrayBuffer) return { body: new Uint8Array(raw) }
      if (ArrayBuffer.isView(raw)) return { body: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) }
      if (raw instanceof Blob) {
        if (raw.size <= streamBlobsFrom) return { body: raw }
        return {
          body: raw.stream() as unknown as AsyncIterable<Uint8Array>,
          contentType: raw.type === "" ? undefined : raw.type,
          contentLength: raw.size
        }
      }
      if (raw instanceof URLSearchParams) {
        return { body: raw.toString(), contentType: "application/x-www-form-urlencoded;charset=UTF-8" }
      }
      if (raw instanceof FormData || raw instanceof Undici.FormData) return { body: toUndiciFormData(raw as FormData) }
      if (raw === null || raw === undefined) return empty
      if (isAsyncIterable(raw)) return { body: raw }
      return undefined
    }
  }
}
