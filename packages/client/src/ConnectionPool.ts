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
import type * as Redacted from "effect/Redacted"
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
  /**
   * The proxy requests go through (docs/networks.md):
   * - `"env"` (the default): `HTTPS_PROXY` for `https:` URLs, `HTTP_PROXY` for `http:` URLs,
   *   except the hosts `NO_PROXY` names; each also read in lower case, which wins when both are
   *   set. No variable set: no proxy.
   * - `false`: no proxy, whatever the environment says.
   * - a URL (`"http://proxy.corp:3128"`, credentials in it allowed) or `{ url, auth, noProxy }`:
   *   that proxy for every request (but the hosts `noProxy` names).
   *
   * Every request, `https:` and `http:`, goes through a `CONNECT` tunnel. A proxy that refuses
   * (407, a refused or reset connection) fails the request with `ConnectionError` reason
   * `Proxy`, `sent: false`. The proxy's credentials are never shown.
   */
  readonly proxy?: "env" | false | string | ProxyOptions | undefined
  /** TLS settings for every connection of the pool (docs/networks.md). Default: Node's. */
  readonly tls?: TlsOptions | undefined
  /**
   * Speak HTTP/2 with servers that offer it (ALPN, over TLS): each connection carries up to 100
   * requests at once (fewer if the server says so). Default `false` (HTTP/1.1). Meant for
   * servers that speak HTTP/2: one that answers ALPN with HTTP/1.1 gets idempotent requests
   * pipelined on each connection (docs/networks.md).
   */
  readonly http2?: boolean | undefined
  /**
   * The environment `proxy: "env"` and `NODE_EXTRA_CA_CERTS` are read from, once, when the
   * pool is made. Default `process.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * A proxy of the pool's own.
 *
 * @since 0.3.0
 * @category models
 */
export interface ProxyOptions {
  /** The proxy's URL, `http:` or `https:` (`http://proxy.corp:3128`). */
  readonly url: string
  /** `user:password` for the proxy (sent as `Proxy-Authorization: Basic …`). Default: the URL's user info. */
  readonly auth?: Redacted.Redacted<string> | undefined
  /** Hosts that go around this proxy, in `NO_PROXY`'s syntax. Default: none. */
  readonly noProxy?: string | undefined
}

/**
 * TLS settings of the pool, for every origin (and for an `https:` proxy: `ca` and
 * `rejectUnauthorized` only). Per pool: nothing global changes.
 *
 * @since 0.3.0
 * @category models
 */
export interface TlsOptions {
  /**
   * More certificate authorities to trust (PEM), besides Node's roots and the file
   * `NODE_EXTRA_CA_CERTS` names (read when the pool is made, up to 4 MiB). Default: none.
   */
  readonly ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined
  /** The client certificate chain (PEM), for servers that require one (mutual TLS). Default: none. */
  readonly cert?: string | Uint8Array | undefined
  /** The client certificate's private key (PEM). Default: none. */
  readonly key?: Redacted.Redacted<string> | Redacted.Redacted<Uint8Array> | undefined
  /** The passphrase of an encrypted `key`. Default: none. */
  readonly passphrase?: Redacted.Redacted<string> | undefined
  /** The server name sent (SNI) and checked against the certificate. Default: the URL's host. */
  readonly servername?: string | undefined
  /**
   * Whether a certificate that fails verification fails the request. Default `true`; `false`
   * only for a test server you control.
   */
  readonly rejectUnauthorized?: boolean | undefined
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
