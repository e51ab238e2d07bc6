/**
 * Request bodies: which can be sent again (bytes, text, `Blob`, `FormData`, `URLSearchParams`)
 * and which can be read only once (an Effect `Stream`, a `ReadableStream`, a Node stream, an
 * async iterable). No Node-only import here: the core uses it.
 *
 * @internal
 */
import type * as HttpBody from "effect/http/HttpBody"

/** Any `FormData` (the global one, undici's): its values are strings and blobs, read again at will. */
const isFormDataLike = (u: unknown): boolean =>
  typeof u === "object" && u !== null && typeof (u as FormData).append === "function" &&
  typeof (u as FormData).getAll === "function" && typeof (u as FormData).forEach === "function"

const isReplayableValue = (body: unknown): boolean =>
  typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer ||
  ArrayBuffer.isView(body) || body instanceof Blob || body instanceof URLSearchParams || isFormDataLike(body) ||
  body === null || body === undefined

/**
 * Whether a body may be readable only once, so that sending it again (a retry, an auth
 * replay, a 307/308 redirect) could send an empty or partial body. An Effect `Stream` is
 * counted as one: whether it replays depends on its source, which cannot be seen.
 *
 * @internal
 */
export const isOneShot = (body: HttpBody.HttpBody): boolean =>
  body._tag === "Stream" || (body._tag === "Raw" && !isReplayableValue(body.body))
