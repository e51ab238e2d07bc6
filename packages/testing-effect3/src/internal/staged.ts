/**
 * Replies and faults done in memory, on Effect's clock: what `MockHttpClient` answers, and what
 * `Cassette` injects on replay.
 *
 * @internal
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Faults from "../Fault.js"
import type { Fault, MockResponse, Reply } from "../MockHttpClient.js"

export const faultError = (request: HttpClientRequest.HttpClientRequest, kind: Exclude<Fault["kind"], "hang">) => {
  const [code, message] = kind === "refused"
    ? ["ECONNREFUSED", "connect ECONNREFUSED (mock)"]
    : kind === "dns"
    ? ["ENOTFOUND", "getaddrinfo ENOTFOUND (mock)"]
    : ["ECONNRESET", "socket hang up (mock)"]
  return new HttpClientError.RequestError({
    request,
    reason: "Transport",
    cause: Object.assign(new Error(message), { code })
  })
}

export const toWeb = (reply: MockResponse): Response => {
  const headers = new globalThis.Headers(reply.headers as Record<string, string> | undefined)
  let body: BodyInit | null = null
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json)
    if (!headers.has("content-type")) headers.set("content-type", "application/json")
  } else if (reply.body !== undefined) {
    body = reply.body as BodyInit
  }
  const status = reply.status ?? 200
  return new Response(status === 204 || status === 304 ? null : body, { status, headers })
}

export const answer = (
  request: HttpClientRequest.HttpClientRequest,
  reply: Reply,
  path = "/"
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  if (typeof reply === "number") return Effect.succeed(HttpClientResponse.fromWeb(request, toWeb({ status: reply })))
  if (Faults.isFault(reply)) return staged(request, reply, path)
  if ("_tag" in reply) {
    return reply.kind === "hang" ? Effect.never : Effect.fail(faultError(request, reply.kind))
  }
  const response = Effect.sync(() => HttpClientResponse.fromWeb(request, toWeb(reply)))
  return reply.delay === undefined ? response : Effect.zipRight(Effect.sleep(Duration.decode(reply.delay)), response)
}

const encoder = new TextEncoder()

/** Answers with `body` streamed on Effect's clock (so `TestClock` drives its waits, and its failure is the body's). */
export const streamed = (
  request: HttpClientRequest.HttpClientRequest,
  status: number,
  headers: Record<string, string>,
  body: Stream.Stream<Uint8Array, Error>
): Effect.Effect<HttpClientResponse.HttpClientResponse> =>
  Effect.map(
    Stream.toReadableStreamEffect(body),
    (readable) => HttpClientResponse.fromWeb(request, new Response(readable, { status, headers }))
  )

/** The connection broke: what a body read meets when the server resets the socket. */
export const broken = () => Object.assign(new Error("socket hang up (mock)"), { code: "ECONNRESET" })

const jsonHeaders = { "content-type": "application/json" }

/** A fault of the shared vocabulary, done in memory; the healthy answer is ChaosServer's default. */
export const staged = (
  request: HttpClientRequest.HttpClientRequest,
  fault: Faults.Fault,
  path: string
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  const healthy = () => encoder.encode(JSON.stringify({ ok: true, path }))
  switch (fault._tag) {
    case "Status": {
      const body = fault.body ?? JSON.stringify({ error: `injected ${fault.status}` })
      return answer(request, { status: fault.status, headers: { ...jsonHeaders, ...fault.headers }, body })
    }
    case "Delay":
      return answer(request, { headers: jsonHeaders, body: healthy(), delay: Duration.millis(fault.millis) })
    case "SlowBody": {
      const text = healthy()
      const chunks = Math.max(1, Math.floor(fault.chunks))
      const size = Math.ceil(text.length / chunks)
      const pieces = Array.from({ length: chunks }, (_, i) => text.subarray(i * size, (i + 1) * size))
      return streamed(
        request,
        200,
        { ...jsonHeaders, "content-length": String(text.length) },
        Stream.mapEffect(
          Stream.fromIterable(pieces),
          (piece) => Effect.as(Effect.sleep(Duration.millis(fault.chunkDelayMillis)), piece)
        )
      )
    }
    case "StallBody":
      return streamed(
        request,
        200,
        { ...jsonHeaders, "content-length": "64" },
        Stream.concat(Stream.make(encoder.encode("{\"stalled\":")), Stream.never)
      )
    case "Truncate":
      return streamed(
        request,
        200,
        { ...jsonHeaders, "content-length": "64" },
        Stream.concat(Stream.make(encoder.encode("{\"truncated\":")), Stream.fail(broken()))
      )
    case "ResetBeforeHeaders":
      return Effect.fail(faultError(request, "reset"))
    case "ResetAfterHeaders":
      return streamed(request, 200, { ...jsonHeaders, "content-length": "64" }, Stream.fail(broken()))
    case "MalformedJson":
      return answer(request, { headers: jsonHeaders, body: "{\"id\": 1, \"name\": " })
    case "Oversized": {
      const bytes = Math.max(0, Math.floor(fault.bytes))
      const chunk = new Uint8Array(Math.min(bytes, 64 * 1024)).fill(0x20)
      const pieces = function*() {
        for (let left = bytes; left > 0; left -= chunk.length) {
          yield left >= chunk.length ? chunk : chunk.subarray(0, left)
        }
      }
      return streamed(
        request,
        200,
        { ...jsonHeaders, "content-length": String(bytes) },
        Stream.fromIterable({ [Symbol.iterator]: pieces })
      )
    }
    case "DropStream":
      return streamed(
        request,
        200,
        { "content-type": "text/event-stream", "cache-control": "no-cache" },
        Stream.concat(Stream.make(encoder.encode("dat")), Stream.fail(broken()))
      )
    case "Hang":
      return Effect.never
  }
}
