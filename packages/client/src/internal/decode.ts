import { redactUrl, redactValues, secretsOf } from "@steady/core/Redaction"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaParser from "effect/SchemaParser"
import * as ApiError from "../ApiError.js"
import { formatIssue } from "./errorMessage.js"
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
      return Effect.fail(
        decodeFailure(response, "InvalidJson", text, at + (e instanceof Error ? e.message : String(e)))
      )
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
