/**
 * One pooled session per API: a layer that supplies `HttpClient.HttpClient` backed by one
 * keep-alive undici connection pool, capped per origin, closed when its scope closes, and the
 * pool's `Transport`, the fast path `ApiClient` sends through.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/connectionPool.js"
import type * as Transport from "./Transport.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Connections per origin at most. Default `32`. */
  readonly connections?: number | undefined
  /** How long an idle connection is kept open. Default `4 seconds`. */
  readonly keepAliveTimeout?: Duration.Input | undefined
  /** The longest keep-alive the pool accepts from a server's `Keep-Alive` header. Default `10 minutes`. */
  readonly keepAliveMaxTimeout?: Duration.Input | undefined
  /** How long to wait for a connection (TCP and TLS) to open. Default `10 seconds`. */
  readonly connectTimeout?: Duration.Input | undefined
  /**
   * The pool's label on the gauge `steady_pool_open_connections` (connections open now, all
   * origins). Default: `pool-<n>`.
   */
  readonly name?: string | undefined
}

/**
 * The pool's defaults.
 *
 * @since 0.1.0
 * @category models
 */
export const defaults: {
  readonly connections: number
  readonly keepAliveTimeout: Duration.Duration
  readonly keepAliveMaxTimeout: Duration.Duration
  readonly connectTimeout: Duration.Duration
} = internal.defaults

/**
 * Makes the pooled `HttpClient`; the pool is destroyed (its sockets closed) when the scope
 * closes. undici's own header and body timeouts are off: the client's attempt timeout is the
 * only clock, so they can never fire first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  internal.make(options)

/**
 * Makes the pool's `Transport` (the fast path); its `httpClient` is the pool's `HttpClient`.
 * For `ApiClient.makeWith`, pass both: `makeWith(t.httpClient, { transport: t })`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeTransport = (options: Options = {}): Effect.Effect<Transport.Transport, never, Scope.Scope> =>
  internal.makeTransport(options)

/**
 * Supplies `HttpClient.HttpClient` backed by one keep-alive pool, and the pool's `Transport`
 * beside it, which `ApiClient.make` uses for the fast path.
 *
 * @example
 * ```ts
 * import { ConnectionPool } from "@steady/client"
 *
 * const PoolLive = ConnectionPool.layer({ connections: 16 })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient | Transport.Transport> =>
  internal.layer(options)

/**
 * Like `layer`, with the options read through `Config`.
 *
 * @example
 * ```ts
 * import { ConnectionPool } from "@steady/client"
 * import { Config } from "effect"
 *
 * const PoolLive = ConnectionPool.layerConfig({
 *   connections: Config.Int("HTTP_CONNECTIONS").pipe(Config.withDefault(32))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Wrap<Options>
): Layer.Layer<HttpClient.HttpClient | Transport.Transport, Config.ConfigError> => internal.layerConfig(options)
