/**
 * A response whose body was read (bounded) inside the attempt, so the attempt timeout
 * covered the whole exchange and the connection went back to the pool before the caller
 * sees it.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Cookies from "effect/http/Cookies"
import * as Headers from "effect/http/Headers"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as UrlParams from "effect/http/UrlParams"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import * as Redactable from "effect/Redactable"
import type * as Schema from "effect/Schema"
import type * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import type * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import * as bytes from "./bytes.js"

const decoder = new TextDecoder()

/** A client's redaction settings, made once per client. @internal */
export interface Redaction {
  readonly sensitiveHeaders: ReadonlySet<string> | undefined
  readonly secretValues: ReadonlyArray<string> | undefined
}

/** @internal */
export class BufferedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  private cachedText: string | undefined
  private cachedHeaders: Headers.Headers | undefined
  private shownRequest: HttpClientRequest.HttpClientRequest | undefined
  constructor(
    private readonly sentRequest: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    readonly rawHeaders: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
    readonly bytes: Uint8Array,
    /** The absolute URL, redacted, for errors raised after the client returned. */
    readonly redactedUrl: string,
    readonly attempts: number,
    /** What the client redacts, to mask a credential the body echoes in a decode error. */
    readonly redaction?: Redaction | undefined,
    /** The request as it was sent, credentials included (never shown). */
    readonly sent?: Policy.Request | undefined,
    /** The body as it arrives, when the caller streams it (`bytes` is then empty). */
    readonly bodyStream?: Stream.Stream<Uint8Array, ApiError.ApiError> | undefined
  ) {
    super()
  }
  /**
   * The request, as the caller built it but with its URL absolute and redacted: a response
   * that is logged or serialised shows no secret from the query string.
   */
  /** The request's method (without building the shown request). */
  get method(): string {
    return this.sentRequest.method
  }
  get request(): HttpClientRequest.HttpClientRequest {
    return this.shownRequest ??= HttpClientRequest.removeHash(
      HttpClientRequest.setUrlParams(HttpClientRequest.setUrl(this.sentRequest, this.redactedUrl), [])
    )
  }
  /** The resolved URL, redacted (query secrets hidden). */
  get url(): string {
    return this.redactedUrl
  }
  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.rawHeaders as Headers.Input)
  }
  get cookies(): Cookies.Cookies {
    const header = this.rawHeaders["set-cookie"]
    if (header === undefined) return Cookies.empty
    return Cookies.fromSetCookie(typeof header === "string" ? [header] : header)
  }
  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }
  /** The body as text (UTF-8), decoded once. */
  get bodyText(): string {
    return this.cachedText ??= decoder.decode(this.bytes)
  }
  /** A streamed body read whole, for a caller that asks for it as text or JSON after all. */
  private get collected(): Effect.Effect<Uint8Array, HttpClientError.HttpClientError> {
    return Effect.map(
      Stream.runCollect(this.stream),
      (chunks) => {
        const all = bytes.concat(Array.from(chunks))
        this.cachedText = decoder.decode(all)
        return all
      }
    )
  }
  get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    if (this.bodyStream !== undefined && this.cachedText === undefined) {
      return Effect.map(this.collected, () => this.bodyText)
    }
    return Effect.sync(() => this.bodyText)
  }
  get json(): Effect.Effect<Schema.Json, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : JSON.parse(text)) as Schema.Json,
        catch: (cause) => this.decodeError(cause)
      }))
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.HttpClientError> {
    return Effect.try({
      try: () => UrlParams.fromInput(new URLSearchParams(this.bodyText)),
      catch: (cause) => this.decodeError(cause)
    })
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    if (this.bodyStream !== undefined) {
      return Effect.map(this.collected, (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer)
    }
    return Effect.sync(() =>
      this.bytes.buffer.slice(this.bytes.byteOffset, this.bytes.byteOffset + this.bytes.byteLength) as ArrayBuffer
    )
  }
  get stream(): Stream.Stream<Uint8Array, HttpClientError.HttpClientError> {
    if (this.bodyStream !== undefined) {
      return Stream.mapError(this.bodyStream, (cause) => this.decodeError(cause))
    }
    return this.bytes.byteLength === 0 ? Stream.empty : Stream.succeed(this.bytes)
  }
  get formData(): Effect.Effect<FormData, HttpClientError.HttpClientError> {
    return Effect.tryPromise({
      try: () =>
        new Response(this.bytes as unknown as BodyInit, { headers: this.headers as Record<string, string> }).formData(),
      catch: (cause) => this.decodeError(cause)
    })
  }
  /** A steady client reads the response inside the attempt: there is no connection to hand over. */
  get upgrade(): Effect.Effect<Socket.Socket, HttpClientError.HttpClientError> {
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.StatusCodeError({
          request: this.request,
          response: this,
          description: "a steady client cannot hand over the connection of an HTTP upgrade"
        })
      })
    )
  }
  private decodeError(cause: unknown) {
    return new HttpClientError.HttpClientError({
      reason: new HttpClientError.DecodeError({ request: this.request, response: this, cause })
    })
  }
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }
  toJSON(): unknown {
    return {
      _id: "HttpClientResponse",
      request: { method: this.request.method, url: this.redactedUrl },
      status: this.status,
      headers: Redactable.redact(this.headers)
    }
  }
}

/** @internal */
export const isBufferedResponse = (u: unknown): u is BufferedResponse => u instanceof BufferedResponse
