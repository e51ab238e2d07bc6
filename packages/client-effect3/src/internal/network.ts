/**
 * The pool's dispatcher for an enterprise network: the proxy each origin goes through
 * (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, or the pool's own), the TLS settings (custom CAs,
 * a client certificate) and HTTP/2, all per pool: nothing global is set or read after
 * construction. With none of them the pool is one plain undici `Agent`, as before (its
 * connector keeps a TLS alert for the error that follows it: `keepingTlsAlert`).
 *
 * No Effect import: the same file serves both Effect lines.
 *
 * @internal
 */
import * as Network from "@steady/core/Network"
import * as Fs from "node:fs"
import type * as Http from "node:http"
import type * as Stream from "node:stream"
import * as Tls from "node:tls"
import * as Undici from "undici"
import * as poolFailure from "./poolFailure.js"

/** The proxy setting, its secrets unwrapped. @internal */
export type ProxySetting =
  | "env"
  | false
  | { readonly url: string; readonly auth: string | undefined; readonly noProxy: string | undefined }

/** The TLS settings, their secrets unwrapped. @internal */
export interface TlsSetting {
  readonly ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined
  readonly cert?: string | Uint8Array | undefined
  readonly key?: string | Uint8Array | undefined
  readonly passphrase?: string | undefined
  readonly servername?: string | undefined
  readonly rejectUnauthorized?: boolean | undefined
}

/** @internal */
export interface Settings {
  /** The Agent's options without TLS (connections, keep-alive, connect timeout, undici's timeouts off). */
  readonly agent: Undici.Agent.Options
  readonly connectTimeout: number
  readonly proxy: ProxySetting
  readonly tls: TlsSetting | undefined
  readonly http2: boolean
  readonly env: Network.Env
}

/** @internal */
export interface Built {
  /** Where every request goes. */
  readonly dispatcher: Undici.Dispatcher
  /** The proxy a URL goes through, asked when a request fails (never on success); `undefined` without proxies. */
  readonly proxyOf: ((url: URL) => Network.ProxyTarget | undefined) | undefined
  /** What the construction had to say (a NODE_EXTRA_CA_CERTS file that could not be read). */
  readonly warnings: ReadonlyArray<string>
}

/** The largest NODE_EXTRA_CA_CERTS file read (a bundle of a few hundred certificates fits). @internal */
export const MAX_EXTRA_CA_BYTES = 4 * 1024 * 1024

/**
 * The certificates of the file NODE_EXTRA_CA_CERTS names. Node reads it once, at startup, into
 * its default store only: a pool with its own `ca` replaces that store, so it reads the file
 * itself. A file that is missing, unreadable or over 4 MiB is left out with a warning (Node
 * warns and goes on too).
 */
const extraCaCerts = (env: Network.Env, warnings: Array<string>): ReadonlyArray<string> => {
  const path = env.NODE_EXTRA_CA_CERTS
  if (path === undefined || path === "") return []
  try {
    const size = Fs.statSync(path).size
    if (size > MAX_EXTRA_CA_BYTES) {
      warnings.push(`NODE_EXTRA_CA_CERTS ${JSON.stringify(path)} is ${size} bytes, over ${MAX_EXTRA_CA_BYTES}: ignored`)
      return []
    }
    return [Fs.readFileSync(path, "utf8")]
  } catch (cause) {
    warnings.push(`NODE_EXTRA_CA_CERTS ${JSON.stringify(path)} could not be read: ignored (${String(cause)})`)
    return []
  }
}

/**
 * The connector's TLS options: a given `ca` is added to Node's roots and NODE_EXTRA_CA_CERTS
 * (never replaces them: trusting a corporate CA must not distrust the public ones).
 */
const connectOptions = (tls: TlsSetting | undefined, env: Network.Env, warnings: Array<string>) => {
  if (tls === undefined) return {}
  const ca = tls.ca === undefined
    ? undefined
    : [
      ...Tls.rootCertificates,
      ...extraCaCerts(env, warnings),
      ...(Array.isArray(tls.ca) ? tls.ca : [tls.ca as string | Uint8Array])
    ]
  const out: Record<string, unknown> = {}
  if (ca !== undefined) out.ca = ca
  if (tls.cert !== undefined) out.cert = tls.cert
  if (tls.key !== undefined) out.key = tls.key
  if (tls.passphrase !== undefined) out.passphrase = tls.passphrase
  if (tls.servername !== undefined) out.servername = tls.servername
  if (tls.rejectUnauthorized !== undefined) out.rejectUnauthorized = tls.rejectUnauthorized
  // a key that does not open (a wrong passphrase), a certificate that does not parse: said now,
  // with OpenSSL's words (which never quote the key), not on the first request
  try {
    Tls.createSecureContext(out as Tls.SecureContextOptions)
  } catch (cause) {
    throw new RangeError(
      `ConnectionPool: tls.ca, tls.cert or tls.key could not be loaded: ${
        cause instanceof Error ? cause.message : String(cause)
      }`
    )
  }
  return out
}

/**
 * A connector whose sockets keep the TLS alert they read. Over TLS 1.3 a server that refuses
 * the client's certificate (or its absence) does so after the client's handshake has ended:
 * the socket reports the alert (`ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`, alert 116), then
 * the server's close; undici fails the request with the close ("other side closed", or a
 * reset), which replaces the alert. Here the alert becomes the `cause` of the error that
 * follows it on the same socket, and the classification, which reads the codes along the
 * cause chain, sees `Tls`. One listener per connection, nothing per request.
 */
const keepingTlsAlert =
  (connect: Undici.buildConnector.connector): Undici.buildConnector.connector => (options, callback) =>
    connect(options, (...args) => {
      // undici calls back with the error alone when the connection fails
      const socket = args[1]
      if (socket !== null && socket !== undefined) {
        let alert: Error | undefined
        // registered before undici's own listener: the error undici keeps has its cause by then
        socket.on("error", (error: Error & { readonly code?: unknown }) => {
          if (alert === undefined) {
            if (typeof error.code === "string" && Network.isTlsCode(error.code)) alert = error
          } else if (error !== alert && error.cause === undefined) {
            error.cause = alert
          }
        })
      }
      callback(...args)
    })

/**
 * The pool's dispatcher as undici's `fetch` uses it (the pool's `HttpClient`): each error it
 * reports is marked with whether the request had been handed to a connection and the proxy
 * it was routed through (`poolFailure`), which the fast path knows itself and fetch's
 * "fetch failed" hides. Nothing is done per request but one small wrapper of fetch's handler;
 * the fast path does not go through it.
 *
 * @internal
 */
export const marking = (
  dispatcher: Undici.Dispatcher,
  proxyOf: ((url: URL) => Network.ProxyTarget | undefined) | undefined
): Undici.Dispatcher =>
  dispatcher.compose((dispatch) => (options, handler) =>
    dispatch(options, new Marking(handler, proxyOf === undefined ? undefined : String(options.origin), proxyOf))
  )

class Marking implements Undici.Dispatcher.DispatchHandler {
  #started = false
  constructor(
    private readonly handler: Undici.Dispatcher.DispatchHandler,
    private readonly origin: string | undefined,
    private readonly proxyOf: ((url: URL) => Network.ProxyTarget | undefined) | undefined
  ) {}
  onRequestStart(controller: Undici.Dispatcher.DispatchController, context: object): void {
    this.#started = true
    this.handler.onRequestStart?.(controller, context)
  }
  onRequestUpgrade(
    controller: Undici.Dispatcher.DispatchController,
    statusCode: number,
    headers: Http.IncomingHttpHeaders,
    socket: Stream.Duplex
  ): void {
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket)
  }
  onResponseStart(
    controller: Undici.Dispatcher.DispatchController,
    statusCode: number,
    headers: Http.IncomingHttpHeaders,
    statusMessage?: string
  ): void {
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage)
  }
  onResponseData(controller: Undici.Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk)
  }
  onResponseEnd(controller: Undici.Dispatcher.DispatchController, trailers: Http.IncomingHttpHeaders): void {
    this.handler.onResponseEnd?.(controller, trailers)
  }
  onResponseError(controller: Undici.Dispatcher.DispatchController, error: Error): void {
    poolFailure.mark(error, this.#started, this.proxy())
    this.handler.onResponseError?.(controller, error)
  }
  private proxy(): Network.ProxyTarget | undefined {
    if (this.origin === undefined || this.proxyOf === undefined) return undefined
    try {
      return this.proxyOf(new URL(this.origin))
    } catch {
      return undefined
    }
  }
}

/**
 * Requests at once on one HTTP/2 connection (undici's `pipelining`); a server may allow fewer
 * (its SETTINGS_MAX_CONCURRENT_STREAMS).
 *
 * @internal
 */
export const HTTP2_STREAMS = 100

/** Routes each origin to the direct Agent or to its proxy's agent; the choice is kept per origin. */
class Router extends Undici.Dispatcher {
  readonly #cache = new Map<string, Undici.Dispatcher>()
  constructor(
    private readonly pick: (origin: string) => Undici.Dispatcher,
    private readonly all: ReadonlyArray<Undici.Dispatcher>
  ) {
    super()
  }
  override dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    const origin = String(options.origin)
    let target = this.#cache.get(origin)
    if (target === undefined) {
      target = this.pick(origin)
      // bounded: a client that calls many origins recomputes the choice, it does not grow this
      if (this.#cache.size >= 1024) this.#cache.clear()
      this.#cache.set(origin, target)
    }
    return target.dispatch(options, handler)
  }
  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all(this.all.map((d) => d.close())).then(() => undefined)
    if (callback === undefined) return done
    done.then(callback, callback)
  }
  override destroy(): Promise<void>
  override destroy(err: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(err: Error | null, callback: () => void): void
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const err = typeof a === "function" ? null : a ?? null
    const callback = typeof a === "function" ? a : b
    const done = Promise.all(this.all.map((d) => d.destroy(err))).then(() => undefined)
    if (callback === undefined) return done
    done.then(callback, callback)
  }
}

/**
 * Builds the pool's dispatcher. Without a proxy (none set, or `proxy: false`), without TLS
 * settings and without HTTP/2 it is one undici `Agent` with the same options as before.
 *
 * `observe` is handed each dispatcher that opens connections to origins (the direct Agent, and
 * each origin's pool behind a proxy, as it is made), to count them.
 *
 * @internal
 */
export const build = (settings: Settings, observe: (dispatcher: Undici.Dispatcher) => void = () => {}): Built => {
  const warnings: Array<string> = []
  const tls = connectOptions(settings.tls, settings.env, warnings)
  // undici sends one request at a time on a connection unless `pipelining` says more: over h2
  // that is the streams multiplexed on one connection
  const h2 = settings.http2 ? { allowH2: true, pipelining: HTTP2_STREAMS } : {}
  // the connector undici would build from these options, keeping TLS alerts (see keepingTlsAlert)
  const direct = new Undici.Agent({
    ...settings.agent,
    ...h2,
    connect: keepingTlsAlert(Undici.buildConnector({
      ...settings.agent.connect,
      ...tls,
      ...(settings.http2 ? { allowH2: true } : {})
    } as Undici.buildConnector.BuildOptions))
  })
  observe(direct)

  const proxies = settings.proxy === false
    ? undefined
    : settings.proxy === "env"
    ? Network.envProxies(settings.env)
    : undefined
  const explicit = typeof settings.proxy === "object" ? settings.proxy : undefined
  if (
    explicit === undefined && (proxies === undefined || (proxies.http === undefined && proxies.https === undefined))
  ) {
    return { dispatcher: direct, proxyOf: undefined, warnings }
  }

  // one agent per proxy URL (HTTP_PROXY and HTTPS_PROXY may name the same one)
  const agents = new Map<string, { readonly agent: Undici.ProxyAgent; readonly target: Network.ProxyTarget }>()
  const agentFor = (value: string, auth: string | undefined) => {
    const known = agents.get(value)
    if (known !== undefined) return known
    const target = Network.parseProxy(value, auth)
    const { ca, rejectUnauthorized } = tls as { ca?: unknown; rejectUnauthorized?: boolean }
    const agent = new Undici.ProxyAgent({
      ...settings.agent,
      ...h2,
      // each origin's pool behind the proxy, as undici makes it, counted, its tunnels' sockets
      // keeping their TLS alerts
      factory: (origin: string | URL, options: object) => {
        const given = options as Undici.Pool.Options
        const opts = typeof given.connect === "function" ? { ...given, connect: keepingTlsAlert(given.connect) } : given
        const pool = given.connections === 1 ? new Undici.Client(origin, opts) : new Undici.Pool(origin, opts)
        observe(pool)
        return pool
      },
      uri: target.url,
      ...(target.authorization === undefined ? {} : { token: target.authorization }),
      // to the origin, through the tunnel: the pool's TLS settings
      requestTls: { timeout: settings.connectTimeout, ...tls, ...(settings.http2 ? { allowH2: true } : {}) },
      // to an https: proxy: the pool's CAs, never its client certificate
      proxyTls: {
        timeout: settings.connectTimeout,
        ...(ca === undefined ? {} : { ca }),
        ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized })
      } as Undici.buildConnector.BuildOptions
    } as Undici.ProxyAgent.Options)
    const entry = { agent, target }
    agents.set(value, entry)
    return entry
  }

  const noProxy = explicit !== undefined ? Network.parseNoProxy(explicit.noProxy) : proxies!.noProxy
  const choose = (url: URL): string | undefined => {
    if (explicit !== undefined) {
      const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80
      return Network.bypassesProxy(url.hostname, port, noProxy) ? undefined : explicit.url
    }
    return Network.proxyFor(url, proxies!)
  }
  const auth = explicit?.auth
  // the agents are made now, so a proxy URL that does not parse fails the layer, not a request
  if (explicit !== undefined) agentFor(explicit.url, auth)
  if (proxies?.http !== undefined) agentFor(proxies.http, undefined)
  if (proxies?.https !== undefined) agentFor(proxies.https, undefined)

  const parse = (origin: string): URL | undefined => {
    try {
      return new URL(origin)
    } catch {
      return undefined
    }
  }
  const pick = (origin: string): Undici.Dispatcher => {
    const url = parse(origin)
    const proxy = url === undefined ? undefined : choose(url)
    return proxy === undefined ? direct : agentFor(proxy, auth).agent
  }
  const proxyOf = (url: URL): Network.ProxyTarget | undefined => {
    const proxy = choose(url)
    return proxy === undefined ? undefined : agentFor(proxy, auth).target
  }
  const all = [direct, ...[...agents.values()].map((a) => a.agent)]
  return { dispatcher: new Router(pick, all), proxyOf, warnings }
}
