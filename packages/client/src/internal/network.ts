/**
 * The pool's dispatcher for an enterprise network: the proxy each origin goes through
 * (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, or the pool's own), the TLS settings (custom CAs,
 * a client certificate) and HTTP/2, all per pool: nothing global is set or read after
 * construction. With none of them the pool is one plain undici `Agent`, as before.
 *
 * No Effect import: the same file serves both Effect lines.
 *
 * @internal
 */
import * as Network from "@steady/core/Network"
import * as Fs from "node:fs"
import * as Tls from "node:tls"
import * as Undici from "undici"

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
  /** The dispatcher that opens connections to origins directly (its connect events are counted). */
  readonly direct: Undici.Agent
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
 * @internal
 */
export const build = (settings: Settings): Built => {
  const warnings: Array<string> = []
  const tls = connectOptions(settings.tls, settings.env, warnings)
  // undici sends one request at a time on a connection unless `pipelining` says more: over h2
  // that is the streams multiplexed on one connection
  const h2 = settings.http2 ? { allowH2: true, pipelining: HTTP2_STREAMS } : {}
  const direct = new Undici.Agent({
    ...settings.agent,
    ...h2,
    connect: { ...settings.agent.connect, ...tls }
  })

  const proxies = settings.proxy === false
    ? undefined
    : settings.proxy === "env"
    ? Network.envProxies(settings.env)
    : undefined
  const explicit = typeof settings.proxy === "object" ? settings.proxy : undefined
  if (
    explicit === undefined && (proxies === undefined || (proxies.http === undefined && proxies.https === undefined))
  ) {
    return { dispatcher: direct, proxyOf: undefined, direct, warnings }
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
  return { dispatcher: new Router(pick, all), proxyOf, direct, warnings }
}
