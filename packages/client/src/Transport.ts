/**
 * The transport sends one attempt and reads its response: the last stage of the pipeline.
 *
 * - `ConnectionPool.layer` provides the undici transport beside its `HttpClient`: requests go
 *   straight to the pool's dispatcher (the fast path).
 * - Any other `HttpClient` (a mock, `FetchHttpClient`, the pool's client after a platform
 *   transform such as `HttpClient.mapRequest`) is used through the generic transport, which
 *   runs the client's own pipeline.
 *
 * `ApiClient.make` uses the `Transport` in context when it serves the `HttpClient` in context,
 * and the generic transport otherwise, and says so in a debug log line when it passes over the
 * pool's transport.
 *
 * @since 0.2.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as ApiError from "./ApiError.js"
import * as httpClientTransport from "./internal/httpClientTransport.js"
import * as internal from "./internal/transport.js"
import * as failure from "./internal/transportFailure.js"
import type * as Policy from "./Policy.js"

/**
 * A transport. `send` must honour `request.timeout` (fail with `timeoutError(request)` and
 * release the connection when it passes), bound the body by
 * `request.settings.maxResponseBytes` (fail with a `DecodeError` `TooLarge`), and fail only
 * with `ConnectionError`, `TimeoutError` or `DecodeError`. It returns every status as a
 * response: classification is the stage above it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Transport {
  /** `"undici"` for the pool's fast path, `"http-client"` for the generic one. */
  readonly name: string
  /** The `HttpClient` this transport serves, if any: a client made on another one ignores it. */
  readonly httpClient: HttpClient.HttpClient | undefined
  readonly send: (request: Policy.Request) => Effect.Effect<Policy.Response, ApiError.ApiError>
  /**
   * Whether it decodes gzip, deflate and br bodies itself when `settings.compression` is on:
   * a client on it then asks for them (`Accept-Encoding: gzip, deflate, br`). The pool's
   * transport does, and decodes zstd too where the runtime's zlib has it (Node 22.15 or later),
   * without asking for it (see docs/bodies.md).
   */
  readonly decodesContent?: boolean | undefined
}

/**
 * @since 0.2.0
 * @category tags
 */
export const Transport: Context.Service<Transport, Transport> = internal.tag

/**
 * The generic transport over any `HttpClient`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromHttpClient = (client: HttpClient.HttpClient): Transport => httpClientTransport.make(client)

/**
 * The `TimeoutError` for a request whose `timeout` passed, for transports of your own.
 *
 * @since 0.2.0
 * @category errors
 */
export const timeoutError = (request: Policy.Request): ApiError.TimeoutError => failure.timeoutError(request)

/**
 * Milliseconds left before `request.timeout.deadline`, on the call's clock.
 *
 * @since 0.2.0
 * @category getters
 */
export const remainingMillis = (request: Policy.Request): number => failure.remainingMillis(request)
