/**
 * Requests the client builds from a response (a next-page link), and the credential values
 * of the request that got that response: a hostile server may copy them into the URL, which
 * the next call then shows in its errors, logs and spans. Kept beside the request, never in
 * it: `prepare` hands them to the call as `redactValues`.
 *
 * @internal
 */
import * as redact from "@steady/core/Redaction"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import { isBufferedResponse } from "./response.js"

const secrets = new WeakMap<HttpClientRequest.HttpClientRequest, ReadonlyArray<string>>()

/** The credential values a steady response's request carried (none for other responses). @internal */
export const secretsOfResponse = (response: HttpClientResponse.HttpClientResponse): ReadonlyArray<string> => {
  if (!isBufferedResponse(response) || response.sent === undefined) return []
  const sent = response.sent
  return redact.secretsOf(
    sent.headers,
    sent.url,
    response.redaction?.sensitiveHeaders,
    sent.redactQuery,
    response.redaction?.secretValues,
    sent.redactValues
  )
}

/** Marks `request` as built from `response`. @internal */
export const builtFrom = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse
): void => {
  const found = secretsOfResponse(response)
  if (found.length > 0) secrets.set(request, found)
}

/** The values to hide wherever `request` is shown, when it was built from a response. @internal */
export const redactValuesOf = (request: HttpClientRequest.HttpClientRequest): ReadonlyArray<string> | undefined =>
  secrets.get(request)
