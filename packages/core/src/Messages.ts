/**
 * The message of each `ApiError`, from its plain fields: what failed (method and URL, already
 * redacted), how (status and reason phrase, connection failure, timeout, decoding), and what
 * a person needs to act (request id, the server's retry hint, the attempts made). Both lines
 * print the same text: durations are formatted here, not by Effect's `Duration.format`.
 * Never pass a secret: the fields are printed as given.
 *
 * @since 0.3.0
 */
import type { ConnectionReason } from "./Classification.js"
import { reasonPhrase } from "./StatusText.js"

/**
 * The request as a message shows it: its method and its URL, already redacted.
 *
 * @since 0.3.0
 * @category models
 */
export interface Request {
  readonly method: string
  readonly url: string
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/**
 * A duration in milliseconds as a person reads it: `"1s 500ms"`, `"2m"`, `"1d 1h 1m 1s 1ms"`;
 * a fraction of a millisecond in nanoseconds (`"1ms 500000ns"`), `"0"` for nothing (or less,
 * or not a number) and `"Infinity"`. The same text as Effect 3's `Duration.format`.
 *
 * @since 0.3.0
 * @category formatting
 */
export const duration = (millis: number): string => {
  if (millis === Infinity) return "Infinity"
  if (!(millis > 0)) return "0"
  let whole = Math.floor(millis)
  let nanos = Math.round((millis - whole) * 1e6)
  if (nanos === 1e6) {
    whole++
    nanos = 0
  }
  const pieces: Array<string> = []
  const days = Math.floor(whole / DAY)
  if (days !== 0) pieces.push(`${days}d`)
  const hours = Math.floor((whole % DAY) / HOUR)
  if (hours !== 0) pieces.push(`${hours}h`)
  const minutes = Math.floor((whole % HOUR) / MINUTE)
  if (minutes !== 0) pieces.push(`${minutes}m`)
  const seconds = Math.floor((whole % MINUTE) / 1000)
  if (seconds !== 0) pieces.push(`${seconds}s`)
  const ms = whole % 1000
  if (ms !== 0) pieces.push(`${ms}ms`)
  if (nanos !== 0) pieces.push(`${nanos}ns`)
  return pieces.length === 0 ? "0" : pieces.join(" ")
}

/**
 * `"1 attempt"`, `"3 attempts"`.
 *
 * @since 0.3.0
 * @category formatting
 */
export const attempts = (n: number): string => `${n} attempt${n === 1 ? "" : "s"}`

const head = (request: Request) => `${request.method} ${request.url}`

/**
 * The statuses that redirect with a `Location`: 301, 302, 303, 307, 308.
 *
 * @since 0.3.0
 * @category redirects
 */
export const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/**
 * Why a redirect stage stopped at a redirect it was asked to follow:
 *
 * - `Limit`: it had followed `followRedirects` redirects already.
 * - `OneShotBody`: a 307 or 308 would send the body again, and the body can be read once only.
 * - `NoLocation`: the `Location` was missing, not a URL, or not http(s).
 *
 * @since 0.3.0
 * @category redirects
 */
export type RedirectStop = "Limit" | "OneShotBody" | "NoLocation"

/**
 * What a redirect stage followed before it stopped, on the error of the redirect it did not
 * follow.
 *
 * @since 0.3.0
 * @category redirects
 */
export interface Redirects {
  /** The URLs requested in the attempt, first to last (redacted): the last one got the redirect. */
  readonly chain: ReadonlyArray<string>
  /** The `followRedirects` in force for the call. */
  readonly limit: number
  readonly stopped: RedirectStop
}

/** At most this many URLs of a chain are shown: the first ones and the last. */
const chainShown = 6

const chain = (urls: ReadonlyArray<string>): string =>
  urls.length <= chainShown
    ? urls.join(" → ")
    : [...urls.slice(0, chainShown - 1), `… (${urls.length - chainShown} more)`, urls[urls.length - 1]].join(" → ")

/**
 * What a redirect's message adds: how to follow it when redirects are off (`redirects`
 * undefined), and, when a stage stopped, why, with the chain from the first URL.
 *
 * @since 0.3.0
 * @category redirects
 */
export const redirectNote = (status: number, redirects: Redirects | undefined): string => {
  if (!redirectStatuses.has(status)) return ""
  if (redirects === undefined) {
    return "; redirects are not followed by default: set followRedirects (say 5) in the client's or the call's options"
  }
  const followed = redirects.chain.length - 1
  const from = followed > 0 ? `, after ${chain(redirects.chain)}` : ""
  switch (redirects.stopped) {
    case "Limit":
      return `; not followed: followRedirects is ${redirects.limit}${from}`
    case "OneShotBody":
      return `; not followed: a ${status} sends the body again, and this body can be read once only` +
        ` (give bytes or a string to follow it)${from}`
    case "NoLocation":
      return `; not followed: no Location, or not an http(s) URL${from}`
  }
}

/**
 * A non-2xx status: `GET https://api.example/pets/1 failed: 404 Not Found (request id abc; 1 attempt)`.
 * A redirect says how to follow it, or why it was not followed (`redirectNote`).
 *
 * @since 0.3.0
 * @category messages
 */
export const status = (fields: {
  readonly request: Request
  readonly status: number
  readonly requestId: string | undefined
  /** The server's retry hint, when it sent one. */
  readonly retryAfterMillis: number | undefined
  readonly attempts: number
  /** What a redirect stage followed, when the status is a redirect it stopped at. */
  readonly redirects?: Redirects | undefined
}): string => {
  const text = reasonPhrase(fields.status)
  const parts: Array<string> = []
  if (fields.requestId !== undefined) parts.push(`request id ${fields.requestId}`)
  if (fields.retryAfterMillis !== undefined) parts.push(`retry after ${duration(fields.retryAfterMillis)}`)
  parts.push(attempts(fields.attempts))
  return `${head(fields.request)} failed: ${fields.status}${text ? " " + text : ""} (${parts.join("; ")})` +
    redirectNote(fields.status, fields.redirects)
}

/**
 * Credentials that could not be obtained (an `AuthenticationError` from the token endpoint),
 * with the endpoint's OAuth error when it sent one.
 *
 * @since 0.3.0
 * @category messages
 */
export const credentials = (fields: {
  readonly request: Request
  readonly detail: string | undefined
  readonly oauthError: { readonly error: string; readonly description: string | undefined } | undefined
  readonly attempts: number
}): string => {
  const e = fields.oauthError
  const oauth = e === undefined ? "" : `: ${e.error}${e.description === undefined ? "" : ` (${e.description})`}`
  return `${head(fields.request)} failed: credentials could not be obtained: ${fields.detail ?? ""}${oauth}` +
    ` (${attempts(fields.attempts)})`
}

/**
 * What each connection failure reads as.
 *
 * @since 0.3.0
 * @category messages
 */
export const connectionReasons: Readonly<Record<ConnectionReason, string>> = {
  Refused: "connection refused",
  Dns: "host name not found",
  ConnectTimeout: "connection not established in time",
  Tls: "TLS handshake failed",
  Reset: "connection closed before the response was complete",
  Transport: "transport error",
  InvalidUrl: "invalid URL",
  InvalidRequest: "invalid request",
  OriginNotAllowed: "origin not allowed",
  PoolClosed: "the connection pool is closed",
  Proxy: "the proxy refused the connection"
}

/**
 * No response: `POST https://api.example/orders failed: connection refused (not sent; 1 attempt): …`.
 * A reason not in `connectionReasons` is shown as it is.
 *
 * @since 0.3.0
 * @category messages
 */
export const connection = (fields: {
  readonly request: Request
  readonly reason: string
  readonly sent: boolean
  readonly detail: string
  readonly attempts: number
}): string =>
  `${head(fields.request)} failed: ${
    Object.hasOwn(connectionReasons, fields.reason)
      ? connectionReasons[fields.reason as ConnectionReason]
      : fields.reason
  }` +
  ` (${fields.sent ? "may have reached the server" : "not sent"}; ${attempts(fields.attempts)})` +
  (fields.detail === "" ? "" : `: ${fields.detail}`)

/**
 * A limit passed: `GET https://api.example/x timed out: attempt timeout of 2s passed (1 attempt)`.
 *
 * @since 0.3.0
 * @category messages
 */
export const timeout = (fields: {
  readonly request: Request
  readonly scope: "attempt" | "total" | "idle"
  /** The limit that was passed. */
  readonly durationMillis: number
  readonly attempts: number
}): string =>
  `${head(fields.request)} timed out: ${
    fields.scope === "attempt"
      ? "attempt timeout"
      : fields.scope === "idle"
      ? "idle timeout between chunks"
      : "total deadline"
  } of ${duration(fields.durationMillis)} passed (${attempts(fields.attempts)})`

/** The most characters of the body a decoding message quotes. */
const EXCERPT = 200

/**
 * A 2xx body that could not be decoded, with the first 200 characters of the body (quoted as
 * JSON, `…` when cut): `GET https://api.example/pets/1 → 200: response body is not valid JSON: … (body: "…")`.
 *
 * @since 0.3.0
 * @category messages
 */
export const decode = (fields: {
  readonly request: Request
  readonly status: number
  readonly reason: "InvalidJson" | "SchemaMismatch" | "TooLarge" | "Read"
  /** The decoder's account (a Schema issue, formatted by the line). */
  readonly detail: string
  readonly body: string
}): string => {
  const what = fields.reason === "InvalidJson"
    ? "response body is not valid JSON"
    : fields.reason === "SchemaMismatch"
    ? "response body does not match the schema"
    : fields.reason === "TooLarge"
    ? "response body is too large"
    : "response body could not be read"
  const body = fields.body
  const excerpt = body.length > EXCERPT ? body.slice(0, EXCERPT) + "…" : body
  return `${head(fields.request)} → ${fields.status}: ${what}${fields.detail === "" ? "" : `: ${fields.detail}`}` +
    (excerpt === "" ? "" : ` (body: ${JSON.stringify(excerpt)})`)
}

const refused = (request: Request) => `${head(request)} refused by the client, not sent: `

/**
 * An open circuit refused the call.
 *
 * @since 0.3.0
 * @category messages
 */
export const circuitOpen = (fields: {
  readonly request: Request
  readonly breaker: string
  readonly state: string
  readonly key: string
  readonly retryAfterMillis: number
  readonly attempts: number
}): string =>
  refused(fields.request) + `circuit breaker ${fields.breaker} is ${fields.state} for ${fields.key}` +
  ` (retry after ${duration(fields.retryAfterMillis)}; ${attempts(fields.attempts)})`

/**
 * A full bulkhead (or its queue's timeout) refused the call.
 *
 * @since 0.3.0
 * @category messages
 */
export const bulkheadRejected = (fields: {
  readonly request: Request
  readonly bulkhead: string
  readonly reason: "QueueFull" | "QueueTimeout"
  readonly maxConcurrent: number
  readonly maxQueue: number
  readonly attempts: number
}): string =>
  refused(fields.request) +
  `bulkhead ${fields.bulkhead} ${fields.reason === "QueueFull" ? "is full" : "queue wait timed out"}` +
  ` (${fields.maxConcurrent} in flight, queue of ${fields.maxQueue}; ${attempts(fields.attempts)})`

/**
 * The client's own rate limiter refused the call.
 *
 * @since 0.3.0
 * @category messages
 */
export const rateLimiterRejected = (fields: {
  readonly request: Request
  readonly limiter: string
  readonly key: string
  readonly retryAfterMillis: number
  readonly attempts: number
}): string =>
  refused(fields.request) + `rate limiter ${fields.limiter} has no permit for ${fields.key} within its maxWait` +
  ` (retry after ${duration(fields.retryAfterMillis)}; ${attempts(fields.attempts)})`
