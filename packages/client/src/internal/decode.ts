import { redactUrl, redactValues, secretsOf } from "@steady/core/Redaction"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaParser from "effect/SchemaParser"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import { formatIssue } from "./errorMessage.js"
import * as policy from "./policy.js"
import { isBufferedResponse } from "./response.js"

const MAX_EXCERPT = 8 * 1024

/** A body as errors keep it: its first 8 KiB. @internal */
export const excerpt = (text: string) => (text.length > MAX_EXCERPT ? text.slice(0, MAX_EXCERPT) : text)

/**
 * The `DecodeError` for a response: a body that echoes a credential the request carried is
 * masked by value in the body and the detail, and the raw Schema issue (which holds the
 * values) is then left out. Built only on failure: a successful decode pays for no redaction.
 *
 * @internal
 */
export const decodeFailure = (
  response: HttpClientResponse.HttpClientResponse,
  reason: ApiError.DecodeError["reason"],
  body: string,
  detail: string,
  issue?: SchemaIssue.Issue
): ApiError.DecodeError => {
  const buffered = isBufferedResponse(response)
  const sent = buffered ? response.sent : undefined
  const secrets = sent === undefined || !buffered
    ? []
    : secretsOf(
      sent.headers,
      sent.url,
      response.redaction?.sensitiveHeaders,
      sent.redactQuery,
      response.redaction?.secretValues
    )
  const echoed = secrets.some((secret) => body.includes(secret))
  return new ApiError.DecodeError({
    request: buffered
      ? { method: response.method, url: response.redactedUrl }
      : { method: response.request.method, url: redactUrl(response.request.url) },
    attempts: buffered ? response.attempts : 1,
    reason,
    status: response.status,
    body: echoed ? redactValues(excerpt(body), secrets) : excerpt(body),
    issue: echoed ? Option.none() : Option.fromNullishOr(issue),
    detail: echoed ? redactValues(detail, secrets) : detail
  })
}

/** Control characters (C0, DEL, C1): a message shows them escaped, never raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controls = /[\u0000-\u001f\u007f-\u009f]/g

/** `text` with its control characters escaped (`\x1f`), as a message may show it. @internal */
export const printable = (text: string): string =>
  text.replace(controls, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)

/** A body that is not text: a control character other than tab, CR, LF and form feed. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const binary = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/

/** The response's `Content-Encoding`, unless it is none or identity. */
const codingOf = (response: HttpClientResponse.HttpClientResponse): string | undefined => {
  const coding = response.headers["content-encoding"]
  return coding === undefined || coding.trim() === "" || coding.trim().toLowerCase() === "identity"
    ? undefined
    : coding
}

/**
 * The error for a body that is not JSON: the parser's message, escaped. A binary body is not
 * kept (nor shown in the message); when it declares a `Content-Encoding`, it was not decoded
 * (a transport that does not decode it, or `compression: false`), and the detail says so.
 */
const notJson = (
  response: HttpClientResponse.HttpClientResponse,
  text: string,
  at: string,
  e: unknown
): ApiError.DecodeError => {
  if (binary.test(text.slice(0, 1024))) {
    const coding = codingOf(response)
    return decodeFailure(
      response,
      "InvalidJson",
      "",
      at + (coding === undefined
        ? `the body is binary, not JSON text (${text.length} characters)`
        : `the body is still encoded (Content-Encoding ${JSON.stringify(printable(coding.slice(0, 64)))}): ` +
          "the transport did not decode it")
    )
  }
  return decodeFailure(response, "InvalidJson", text, at + printable(e instanceof Error ? e.message : String(e)))
}

/** Node's zlib and brotli error codes. */
const decompressionCodes = /^(Z_[A-Z_]+|ERR__ERROR_[A-Z0-9_]+)$/

/**
 * The `DecodeError` (`Read`) for a body whose decompression failed in the `HttpClient` (fetch
 * decodes content itself), if `cause` is one: a corrupt body is not a connection failure, and
 * is not retried.
 *
 * @internal
 */
export const decompressionFailure = (
  request: Policy.Request,
  status: number,
  cause: unknown
): ApiError.DecodeError | undefined => {
  let current: unknown = cause
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string" && decompressionCodes.test(code)) {
      const message = (current as { message?: unknown }).message
      return new ApiError.DecodeError({
        request: policy.requestInfo(request),
        attempts: 1,
        reason: "Read",
        status,
        body: "",
        issue: Option.none(),
        detail: `the compressed body could not be decoded: ${printable(String(message))} (${code})`
      })
    }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/**
 * Decodes one JSON text of `response` with `schema`; `where` (e.g. "line 3") prefixes the
 * detail of a failure.
 *
 * @internal
 */
export const jsonTextDecoder = <A, R>(schema: Schema.Decoder<A, R>) => {
  const decodeUnknown = SchemaParser.decodeUnknownEffect(schema)
  return (
    response: HttpClientResponse.HttpClientResponse,
    text: string,
    where?: string
  ): Effect.Effect<A, ApiError.DecodeError, R> => {
    const at = where === undefined ? "" : `${where}: `
    let parsed: unknown
    try {
      parsed = text === "" ? null : JSON.parse(text)
    } catch (e) {
      return Effect.fail(notJson(response, text, at, e))
    }
    return Effect.mapError(
      decodeUnknown(parsed),
      (issue) => decodeFailure(response, "SchemaMismatch", text, at + formatIssue(issue), issue)
    )
  }
}

/** @internal */
export const jsonDecoder = <A, R>(schema: Schema.Decoder<A, R>) => {
  const fromText = jsonTextDecoder(schema)
  return (response: HttpClientResponse.HttpClientResponse): Effect.Effect<A, ApiError.DecodeError, R> => {
    if (isBufferedResponse(response)) return fromText(response, response.bodyText)
    return Effect.flatMap(
      Effect.mapError(response.text, (e) => decodeFailure(response, "Read", "", e.message)),
      (text) => fromText(response, text)
    )
  }
}
