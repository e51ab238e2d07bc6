/**
 * The decisions of an enterprise network, with nothing Node-only: which proxy a request goes
 * through (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`), how a proxy URL is shown and which of its
 * parts are secrets, and what a transport failure is, by its error codes (a certificate that
 * failed verification, a proxy that refused, an HTTP/2 stream reset or GOAWAY).
 *
 * @since 0.3.0
 */
import type { ConnectionReason } from "./Classification.js"

// ---------------------------------------------------------------------------------------------
// NO_PROXY
// ---------------------------------------------------------------------------------------------

/**
 * One entry of `NO_PROXY`.
 *
 * - `all`: `*`, every host bypasses the proxy.
 * - `domain`: `example.com` or `.example.com` (or `*.example.com`): that host and every host
 *   under it, on `port` when one is given.
 * - `ip`: an IPv4 or IPv6 address, exactly (`port` as above).
 * - `cidr`: an IPv4 range, `10.0.0.0/8`.
 *
 * @since 0.3.0
 * @category models
 */
export type NoProxyEntry =
  | { readonly _tag: "all" }
  | { readonly _tag: "domain"; readonly domain: string; readonly port: number | undefined }
  | { readonly _tag: "ip"; readonly ip: string; readonly port: number | undefined }
  | { readonly _tag: "cidr"; readonly base: number; readonly bits: number }

/** The most entries a `NO_PROXY` value is read for (the rest are ignored). */
const MAX_ENTRIES = 1024

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

const ipv4 = (text: string): number | undefined => {
  const m = IPV4.exec(text)
  if (m === null) return undefined
  let out = 0
  for (let i = 1; i <= 4; i++) {
    const byte = Number(m[i])
    if (byte > 255) return undefined
    out = out * 256 + byte
  }
  return out
}

/** A host as compared: lower case, without IPv6 brackets or a trailing dot. */
const normalHost = (host: string): string => {
  let h = host.trim().toLowerCase()
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1)
  if (h.endsWith(".")) h = h.slice(0, -1)
  return h
}

/** `host:port`, `[v6]:port`, `v6` (several colons, no brackets: no port), `host`. */
const splitPort = (entry: string): { readonly host: string; readonly port: number | undefined } => {
  if (entry.startsWith("[")) {
    const close = entry.indexOf("]")
    if (close === -1) return { host: entry, port: undefined }
    const rest = entry.slice(close + 1)
    const port = rest.startsWith(":") ? Number(rest.slice(1)) : undefined
    return { host: entry.slice(1, close), port: port !== undefined && Number.isInteger(port) ? port : undefined }
  }
  const colon = entry.indexOf(":")
  if (colon === -1 || entry.indexOf(":", colon + 1) !== -1) return { host: entry, port: undefined }
  const port = Number(entry.slice(colon + 1))
  return { host: entry.slice(0, colon), port: Number.isInteger(port) && port > 0 ? port : undefined }
}

/**
 * Reads a `NO_PROXY` value: entries separated by commas or white space, compared without
 * regard to case. Empty entries are skipped; at most 1024 entries are read.
 *
 * @since 0.3.0
 * @category proxies
 */
export const parseNoProxy = (value: string | undefined): ReadonlyArray<NoProxyEntry> => {
  if (value === undefined) return []
  const out: Array<NoProxyEntry> = []
  for (const raw of value.split(/[\s,]+/)) {
    if (out.length >= MAX_ENTRIES) break
    const entry = raw.trim().toLowerCase()
    if (entry === "") continue
    if (entry === "*") {
      out.push({ _tag: "all" })
      continue
    }
    const slash = entry.indexOf("/")
    if (slash !== -1) {
      const base = ipv4(entry.slice(0, slash))
      const bits = Number(entry.slice(slash + 1))
      if (base !== undefined && Number.isInteger(bits) && bits >= 0 && bits <= 32) {
        out.push({ _tag: "cidr", base, bits })
      }
      continue
    }
    const { host, port } = splitPort(entry)
    const h = normalHost(host)
    if (ipv4(h) !== undefined || h.includes(":")) {
      out.push({ _tag: "ip", ip: h, port })
      continue
    }
    // `.example.com` and `*.example.com` read as `example.com`: that host and the hosts under it
    const domain = h.startsWith("*.") ? h.slice(2) : h.startsWith(".") ? h.slice(1) : h
    if (domain !== "") out.push({ _tag: "domain", domain, port })
  }
  return out
}

const inCidr = (ip: number, base: number, bits: number): boolean => {
  if (bits === 0) return true
  const size = 2 ** (32 - bits)
  return Math.floor(ip / size) === Math.floor(base / size)
}

/**
 * Whether a request to `hostname` on `port` goes around the proxy, by `NO_PROXY`'s entries:
 * `*` matches every host; `example.com` (or `.example.com`) matches `example.com` and any host
 * that ends in `.example.com`, never `badexample.com`; an IP address matches itself; a CIDR
 * range its addresses; an entry with a port only that port. Loopback is not special: name
 * `localhost` or `127.0.0.1` in `NO_PROXY` to reach it directly.
 *
 * @since 0.3.0
 * @category proxies
 */
export const bypassesProxy = (
  hostname: string,
  port: number,
  entries: ReadonlyArray<NoProxyEntry>
): boolean => {
  if (entries.length === 0) return false
  const host = normalHost(hostname)
  const v4 = ipv4(host)
  for (const entry of entries) {
    switch (entry._tag) {
      case "all":
        return true
      case "cidr":
        if (v4 !== undefined && inCidr(v4, entry.base, entry.bits)) return true
        break
      case "ip":
        if (host === entry.ip && (entry.port === undefined || entry.port === port)) return true
        break
      case "domain":
        if (
          (host === entry.domain || host.endsWith(`.${entry.domain}`)) &&
          (entry.port === undefined || entry.port === port)
        ) return true
    }
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// The proxy from the environment
// ---------------------------------------------------------------------------------------------

/**
 * The environment variables `proxyFromEnv` reads, as a plain record (`process.env`).
 *
 * @since 0.3.0
 * @category models
 */
export type Env = Readonly<Record<string, string | undefined>>

/** A variable set to something: the lower-case name first, as curl reads `http_proxy`. */
const variable = (env: Env, lower: string): string | undefined => {
  for (const name of [lower, lower.toUpperCase()]) {
    const value = env[name]
    if (value !== undefined && value.trim() !== "") return value.trim()
  }
  return undefined
}

/**
 * The proxy settings of an environment, read once: the proxy for `http:` URLs (`http_proxy`,
 * else `HTTP_PROXY`), for `https:` URLs (`https_proxy`, else `HTTPS_PROXY`), and the
 * `NO_PROXY` entries (`no_proxy`, else `NO_PROXY`). When a variable is set in both cases the
 * lower-case one wins, as curl and Python's requests read them. Empty values count as unset.
 *
 * @since 0.3.0
 * @category models
 */
export interface EnvProxies {
  readonly http: string | undefined
  readonly https: string | undefined
  readonly noProxy: ReadonlyArray<NoProxyEntry>
}

/**
 * Reads `http_proxy`/`HTTP_PROXY`, `https_proxy`/`HTTPS_PROXY` and `no_proxy`/`NO_PROXY`.
 *
 * @since 0.3.0
 * @category proxies
 */
export const envProxies = (env: Env): EnvProxies => ({
  http: variable(env, "http_proxy"),
  https: variable(env, "https_proxy"),
  noProxy: parseNoProxy(variable(env, "no_proxy"))
})

/**
 * The proxy a request to `url` goes through, by the environment's settings: the `https:`
 * proxy for an `https:` URL, the `http:` one for an `http:` URL, none when `NO_PROXY` names the
 * host (or when no proxy is set for the scheme).
 *
 * @since 0.3.0
 * @category proxies
 */
export const proxyFor = (url: URL, settings: EnvProxies): string | undefined => {
  const proxy = url.protocol === "https:" ? settings.https : url.protocol === "http:" ? settings.http : undefined
  if (proxy === undefined) return undefined
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80
  return bypassesProxy(url.hostname, port, settings.noProxy) ? undefined : proxy
}

// ---------------------------------------------------------------------------------------------
// The proxy's URL and credentials
// ---------------------------------------------------------------------------------------------

/** A value's user info: after the scheme's `//` (or from the start), up to the first `@` of the authority. */
const USER_INFO = /^((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/)?[^/?#@]*@/

/**
 * A proxy URL as shown in messages, spans and logs: user info replaced by `***`, query and
 * fragment dropped (`http://***@proxy.corp:3128`). Works on values that do not parse as a URL.
 *
 * @since 0.3.0
 * @category redaction
 */
export const redactProxyUrl = (value: string): string => {
  const masked = value.replace(USER_INFO, (_userInfo, scheme: string | undefined) => `${scheme ?? ""}***@`)
  const cut = masked.search(/[?#]/)
  return cut === -1 ? masked : masked.slice(0, cut)
}

/**
 * A parsed proxy: its URL without credentials, what it shows as, and the credentials as the
 * `Proxy-Authorization` header value (`Basic …`), when it has any.
 *
 * @since 0.3.0
 * @category models
 */
export interface ProxyTarget {
  /** The proxy's URL without user info (`http://proxy.corp:3128/`). */
  readonly url: string
  /** What the proxy shows as in messages: `http://***@proxy.corp:3128/` when it has credentials. */
  readonly shown: string
  /** `Basic <base64(user:password)>`, or `undefined`. */
  readonly authorization: string | undefined
  /** Every form the credentials may take in text (for redaction by value). */
  readonly secrets: ReadonlyArray<string>
}

const base64 = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let binary = ""
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * Parses a proxy URL (a bare `host:port` reads as `http://host:port`, as curl reads it) and
 * its credentials: those of `auth` (`user:password`) when given, else the URL's user info. A
 * value that is not an `http:` or `https:` URL throws a `RangeError` whose message shows it
 * without credentials.
 *
 * @since 0.3.0
 * @category proxies
 */
export const parseProxy = (value: string, auth?: string | undefined): ProxyTarget => {
  const text = value.trim()
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new RangeError(`proxy must be an http: or https: URL, got ${JSON.stringify(redactProxyUrl(text))}`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RangeError(
      `proxy must be an http: or https: URL, got ${JSON.stringify(redactProxyUrl(text))} (${url.protocol})`
    )
  }
  const user = decoded(url.username)
  const password = decoded(url.password)
  const credentials = auth !== undefined ? auth : user !== "" || password !== "" ? `${user}:${password}` : undefined
  const secrets: Array<string> = []
  const add = (s: string) => {
    if (s.length >= 4 && !secrets.includes(s)) secrets.push(s)
  }
  // as written in the URL (percent-encoded) and as sent
  add(url.password)
  add(password)
  if (credentials !== undefined) {
    add(credentials)
    add(credentials.slice(credentials.indexOf(":") + 1))
    add(base64(credentials))
  }
  url.username = ""
  url.password = ""
  url.search = ""
  url.hash = ""
  return {
    url: url.href,
    shown: credentials === undefined ? url.href : url.href.replace("//", "//***@"),
    authorization: credentials === undefined ? undefined : `Basic ${base64(credentials)}`,
    // longest first, so a token inside a longer value goes with it
    secrets: secrets.sort((a, b) => b.length - a.length)
  }
}

// ---------------------------------------------------------------------------------------------
// What a failure is, by its error codes
// ---------------------------------------------------------------------------------------------

/**
 * The codes of a failed certificate verification (Node's names for OpenSSL's `X509_V_ERR_*`,
 * and the host name check).
 *
 * @since 0.3.0
 * @category tls
 */
export const tlsVerificationCodes: ReadonlySet<string> = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_CRL",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CRL_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CRL_NOT_YET_VALID",
  "CRL_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "ERROR_IN_CRL_LAST_UPDATE_FIELD",
  "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID"
])

/**
 * Whether `code` is a TLS failure: a certificate that failed verification, or a handshake the
 * peer refused (`ERR_SSL_*`: an alert such as a missing client certificate, a protocol
 * mismatch). Sending again meets the same certificate: not transient.
 *
 * @since 0.3.0
 * @category tls
 */
export const isTlsCode = (code: string): boolean =>
  tlsVerificationCodes.has(code) || code.startsWith("ERR_SSL_") ||
  (code.startsWith("ERR_TLS_") && code !== "ERR_TLS_HANDSHAKE_TIMEOUT")

/** Failures that prove nothing was written. */
const notSentCodes: Readonly<Record<string, ConnectionReason>> = {
  ECONNREFUSED: "Refused",
  EHOSTUNREACH: "Refused",
  ENETUNREACH: "Refused",
  EADDRNOTAVAIL: "Refused",
  ENOTFOUND: "Dns",
  EAI_AGAIN: "Dns",
  EAI_NONAME: "Dns",
  UND_ERR_CONNECT_TIMEOUT: "ConnectTimeout",
  ETIMEDOUT: "ConnectTimeout",
  ERR_TLS_HANDSHAKE_TIMEOUT: "ConnectTimeout"
}

const resetCodes: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "ERR_STREAM_PREMATURE_CLOSE",
  // HTTP/2: a stream reset (RST_STREAM) or the session going away (GOAWAY) is a connection
  // reset for the streams on it
  "ERR_HTTP2_STREAM_ERROR",
  "ERR_HTTP2_SESSION_ERROR",
  "ERR_HTTP2_GOAWAY_SESSION",
  "ERR_HTTP2_STREAM_CANCEL",
  "ERR_HTTP2_INVALID_SESSION"
])

/**
 * What a transport failure is.
 *
 * @since 0.3.0
 * @category models
 */
export interface Failure {
  readonly reason: ConnectionReason
  /** Whether the request may have reached the server. */
  readonly sent: boolean
  /** The code that decided it (`CERT_HAS_EXPIRED`, `ECONNREFUSED`), when there was one. */
  readonly code: string | undefined
}

/**
 * A failure of an HTTP/2 stream that the server refused before processing it: RST_STREAM
 * with `REFUSED_STREAM` (RFC 9113 §8.7), which undici and Node report in the message.
 */
const refusedStream = (message: string) => message.includes("REFUSED_STREAM") || /stream error.*code 7\b/.test(message)

/** An HTTP/2 failure undici reports with an informational code: a stream closed early, GOAWAY. */
const http2Message = (message: string) => message.startsWith("HTTP/2:")

/**
 * Classifies a transport failure by the error codes along its cause chain (outermost first)
 * and the outermost message. The first TLS code anywhere in the chain decides `Tls` (a proxy's
 * wrapper does not hide the certificate's code); else the outermost code: refused, DNS and
 * connect timeouts were not sent; resets (HTTP/2 stream resets and GOAWAY among them) may have
 * been, except a stream the server refused (`REFUSED_STREAM`), which provably was not
 * processed; anything else is `Transport`, which may have been sent. Closed pools and malformed
 * requests are left to the caller (`undefined`).
 *
 * @since 0.3.0
 * @category classification
 */
export const classifyCodes = (codes: ReadonlyArray<string>, message: string): Failure => {
  for (const code of codes) if (isTlsCode(code)) return { reason: "Tls", sent: false, code }
  const code = codes[0]
  if (code !== undefined) {
    const notSent = notSentCodes[code]
    if (notSent !== undefined) return { reason: notSent, sent: false, code }
  }
  if (refusedStream(message)) return { reason: "Reset", sent: false, code }
  if ((code !== undefined && resetCodes.has(code)) || http2Message(message)) {
    return { reason: "Reset", sent: true, code }
  }
  return { reason: "Transport", sent: true, code }
}

/**
 * The status a proxy answered a `CONNECT` with, from undici's message
 * (`Proxy response (407) !== 200 when HTTP Tunneling`), or `undefined`.
 *
 * @since 0.3.0
 * @category proxies
 */
export const proxyStatus = (message: string): number | undefined => {
  const m = /Proxy response \((\d{3})\)/.exec(message)
  return m === null ? undefined : Number(m[1])
}

/**
 * A failure on a request routed through a proxy, before the request was handed to a
 * connection (`started: false`): the connection to the proxy was refused, reset or timed out,
 * its host name did not resolve, or it answered the tunnel with something else than 200 (407
 * when it wants credentials). Each becomes `Proxy`, not sent. A certificate failure keeps its
 * `Tls` (the origin's, through the tunnel); a failure after the request started is the
 * origin's.
 *
 * @since 0.3.0
 * @category proxies
 */
export const throughProxy = (failure: Failure, started: boolean, message: string): Failure => {
  if (failure.reason === "Tls") return failure
  if (proxyStatus(message) !== undefined) return { reason: "Proxy", sent: false, code: failure.code }
  if (started) return failure
  switch (failure.reason) {
    case "Refused":
    case "Dns":
    case "ConnectTimeout":
    case "Reset":
    case "Transport":
      return { reason: "Proxy", sent: false, code: failure.code }
    default:
      return failure
  }
}
