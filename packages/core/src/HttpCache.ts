/**
 * The decisions of a private HTTP cache (RFC 9111) with the stale extensions (RFC 5861), as
 * plain functions: `Cache-Control` parsing, freshness and age, what may be stored, `Vary`
 * matching, validators, freshening by a 304, invalidation by unsafe methods, and when a stale
 * response may be served. Times are epoch milliseconds passed in, so each line reads them
 * from its own clock. Everything a server sends is bounded (`limits`): a header past a bound
 * makes the response one that is not stored, never a larger buffer.
 *
 * @since 0.3.0
 */
import { parseHttpDate } from "./RetryAfter.js"

/**
 * Header fields as the lines carry them: lower-case names, a repeated field as an array.
 *
 * @since 0.3.0
 * @category models
 */
export type Headers = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/**
 * The bounds on what the cache reads from a header.
 *
 * @since 0.3.0
 * @category limits
 */
export const limits = {
  /** A `Cache-Control` field (all lines joined) longer than this is not parsed: the response is not stored. */
  cacheControlLength: 4096,
  /** More directives than this: not stored. */
  directives: 32,
  /** `Vary` naming more fields than this: not stored. */
  varyFields: 16,
  /** The request's values of the `Vary`'d fields, together, longer than this: not stored. */
  varyValueLength: 8192,
  /** An `ETag` or `Last-Modified` longer than this is not used as a validator. */
  validatorLength: 512,
  /** RFC 9111 §1.2.2: the largest delta-seconds; a larger value is this. */
  maxDeltaSeconds: 2147483648
} as const

/**
 * The directives of a `Cache-Control` field the cache acts on (RFC 9111 §5.2, RFC 5861).
 * Durations are in seconds. `invalid` is set when the field broke a bound (`limits`).
 *
 * @since 0.3.0
 * @category models
 */
export interface CacheControl {
  readonly maxAge: number | undefined
  readonly sMaxAge: number | undefined
  /** Request only; `Infinity` when given without a value (any staleness). */
  readonly maxStale: number | undefined
  readonly minFresh: number | undefined
  readonly noStore: boolean
  readonly noCache: boolean
  readonly private: boolean
  readonly public: boolean
  readonly mustRevalidate: boolean
  readonly onlyIfCached: boolean
  readonly staleWhileRevalidate: number | undefined
  readonly staleIfError: number | undefined
  readonly invalid: boolean
}

const empty: CacheControl = {
  maxAge: undefined,
  sMaxAge: undefined,
  maxStale: undefined,
  minFresh: undefined,
  noStore: false,
  noCache: false,
  private: false,
  public: false,
  mustRevalidate: false,
  onlyIfCached: false,
  staleWhileRevalidate: undefined,
  staleIfError: undefined,
  invalid: false
}

/**
 * The value of a header as one string (a repeated field joined with ", "), or undefined.
 *
 * @since 0.3.0
 * @category headers
 */
export const headerValue = (headers: Headers, name: string): string | undefined => {
  const v = headers[name]
  if (v === undefined) return undefined
  return typeof v === "string" ? v : v.join(", ")
}

/**
 * RFC 9111 §1.2.2: delta-seconds are digits only; a value past the largest representable
 * integer is 2147483648; anything else is not a delta (undefined).
 */
const deltaSeconds = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  if (value.length > 10) return limits.maxDeltaSeconds
  return Math.min(Number(value), limits.maxDeltaSeconds)
}

/** Splits on commas outside quoted strings, at most `max + 1` pieces (the caller checks the bound). */
const splitList = (value: string, max: number): Array<string> => {
  const out: Array<string> = []
  let start = 0
  let quoted = false
  for (let i = 0; i < value.length && out.length <= max; i++) {
    const c = value.charCodeAt(i)
    if (c === 34 /* " */) quoted = !quoted
    else if (c === 92 /* \ */ && quoted) i++
    else if (c === 44 /* , */ && !quoted) {
      out.push(value.slice(start, i))
      start = i + 1
    }
  }
  if (out.length <= max) out.push(value.slice(start))
  return out
}

/**
 * Parses `Cache-Control` (RFC 9111 §5.2), request or response. Unknown directives are
 * ignored (§5.2.3). The first occurrence of a directive counts (§4.2.1). A `max-age` or
 * `s-maxage` whose argument is not delta-seconds is 0, so the response is stale rather than
 * fresh for ever; a bad `stale-*` argument grants nothing. The qualified forms of `no-cache`
 * and `private` (with field names) act as the unqualified ones (§5.2.2.4, §5.2.2.7 allow
 * it). A field longer than `limits.cacheControlLength` or with more than `limits.directives`
 * directives is `invalid` (and makes a response one that is not stored).
 *
 * @since 0.3.0
 * @category parsing
 */
export const parseCacheControl = (value: string | ReadonlyArray<string> | undefined): CacheControl => {
  if (value === undefined) return empty
  const text = typeof value === "string" ? value : value.join(", ")
  if (text.length > limits.cacheControlLength) return { ...empty, invalid: true }
  const parts = splitList(text, limits.directives)
  if (parts.length > limits.directives) return { ...empty, invalid: true }
  const out: { -readonly [K in keyof CacheControl]: CacheControl[K] } = { ...empty }
  const seen = new Set<string>()
  for (const part of parts) {
    const eq = part.indexOf("=")
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase()
    if (name === "" || seen.has(name)) continue
    seen.add(name)
    let arg = eq < 0 ? undefined : part.slice(eq + 1).trim()
    if (arg !== undefined && arg.length >= 2 && arg.startsWith("\"") && arg.endsWith("\"")) arg = arg.slice(1, -1)
    switch (name) {
      case "max-age":
        out.maxAge = deltaSeconds(arg) ?? 0
        break
      case "s-maxage":
        out.sMaxAge = deltaSeconds(arg) ?? 0
        break
      case "max-stale":
        out.maxStale = arg === undefined ? Infinity : deltaSeconds(arg)
        break
      case "min-fresh":
        out.minFresh = deltaSeconds(arg)
        break
      case "stale-while-revalidate":
        out.staleWhileRevalidate = deltaSeconds(arg)
        break
      case "stale-if-error":
        out.staleIfError = deltaSeconds(arg)
        break
      case "no-store":
        out.noStore = true
        break
      case "no-cache":
        out.noCache = true
        break
      case "private":
        out.private = true
        break
      case "public":
        out.public = true
        break
      case "must-revalidate":
      case "proxy-revalidate": // a private cache acts on it as must-revalidate would: the safe reading
        out.mustRevalidate = true
        break
      case "only-if-cached":
        out.onlyIfCached = true
        break
    }
  }
  return out
}

/**
 * RFC 9111 §4.2.2: the statuses that are heuristically cacheable (RFC 9110 §15.1).
 *
 * @since 0.3.0
 * @category freshness
 */
export const heuristicStatuses: ReadonlySet<number> = new Set([
  200,
  203,
  204,
  206,
  300,
  301,
  308,
  404,
  405,
  410,
  414,
  501
])

/**
 * How heuristic freshness is computed when a response has no explicit expiration time.
 *
 * @since 0.3.0
 * @category models
 */
export interface Heuristic {
  /** The share of the time since `Last-Modified` (§4.2.2 suggests 10%). 0 turns it off. */
  readonly fraction: number
  /** The longest heuristic lifetime, in milliseconds. */
  readonly maxMillis: number
}

/**
 * The default heuristic: 10% of the time since `Last-Modified`, at most one day.
 *
 * @since 0.3.0
 * @category freshness
 */
export const defaultHeuristic: Heuristic = { fraction: 0.1, maxMillis: 86_400_000 }

/** The `Date` of a response, or the time it was received when it has none (RFC 9110 §6.6.1). */
const dateOf = (headers: Headers, responseTime: number): number => {
  const d = headerValue(headers, "date")
  const parsed = d === undefined ? undefined : parseHttpDate(d, responseTime)
  return parsed ?? responseTime
}

/**
 * The freshness lifetime of a response in milliseconds (RFC 9111 §4.2.1), for a private
 * cache (`s-maxage` is for shared caches and ignored): `max-age`; else `Expires` minus `Date`
 * (an `Expires` that is not a valid date, such as "0", is in the past: §5.3); else, only
 * for a heuristically cacheable status or a `public` response (§4.2.2), the heuristic
 * share of the time since `Last-Modified`; else 0.
 *
 * @since 0.3.0
 * @category freshness
 */
export const freshnessLifetime = (
  status: number,
  headers: Headers,
  responseTime: number,
  heuristic: Heuristic = defaultHeuristic,
  cc: CacheControl = parseCacheControl(headers["cache-control"])
): number => {
  if (cc.maxAge !== undefined) return cc.maxAge * 1000
  const expires = headers["expires"]
  if (expires !== undefined) {
    // several Expires lines: §4.2.1 lets a cache consider the response stale
    if (typeof expires !== "string") return 0
    const at = parseHttpDate(expires, responseTime)
    if (at === undefined) return 0
    return Math.max(0, at - dateOf(headers, responseTime))
  }
  if (!heuristicStatuses.has(status) && !cc.public) return 0
  const lastModified = headerValue(headers, "last-modified")
  if (lastModified === undefined || heuristic.fraction <= 0) return 0
  const modified = parseHttpDate(lastModified, responseTime)
  if (modified === undefined) return 0
  const since = dateOf(headers, responseTime) - modified
  return since <= 0 ? 0 : Math.min(heuristic.maxMillis, Math.floor(since * heuristic.fraction))
}

/**
 * The age of a response when it was received, in milliseconds (RFC 9111 §4.2.3's
 * `corrected_initial_age`): the larger of its apparent age (`response_time - Date`) and its
 * `Age` header plus the time the request took.
 *
 * @since 0.3.0
 * @category freshness
 */
export const initialAge = (headers: Headers, requestTime: number, responseTime: number): number => {
  const apparent = Math.max(0, responseTime - dateOf(headers, responseTime))
  const ageHeader = headerValue(headers, "age")
  // a repeated Age: the first value (§5.1 says a list is invalid; the first is the safe reading)
  const age = deltaSeconds(ageHeader?.split(",")[0]?.trim()) ?? 0
  const delay = Math.max(0, responseTime - requestTime)
  return Math.max(apparent, age * 1000 + delay)
}

/**
 * What the cache keeps of a response for its decisions.
 *
 * @since 0.3.0
 * @category models
 */
export interface Timing {
  readonly status: number
  readonly headers: Headers
  /** When the request that got it was sent, and when its answer arrived (epoch ms). */
  readonly requestTime: number
  readonly responseTime: number
}

/**
 * The current age in milliseconds (§4.2.3): the initial age plus the time it has been stored.
 *
 * @since 0.3.0
 * @category freshness
 */
export const currentAge = (entry: Timing, now: number): number =>
  initialAge(entry.headers, entry.requestTime, entry.responseTime) + Math.max(0, now - entry.responseTime)

/**
 * The `Age` header a served response carries: whole seconds (§5.1).
 *
 * @since 0.3.0
 * @category freshness
 */
export const ageHeader = (ageMillis: number): string =>
  String(Math.min(limits.maxDeltaSeconds, Math.floor(ageMillis / 1000)))

/**
 * Whether a response may be stored (RFC 9111 §3) by a private cache:
 * - the method is GET or HEAD (the only ones this cache answers);
 * - neither the request nor the response says `no-store`, and the response's
 *   `Cache-Control` is within bounds;
 * - the response is not `Vary: *` (it could never be used, §4.1);
 * - a request with credentials (`authenticated`) only when the response says `public`,
 *   `s-maxage` or `must-revalidate` (§3.5), or the cache's owner allows it
 *   (`storeAuthenticated`);
 * - the response says how long it is fresh (`max-age`, `Expires`), or `public`/`private`,
 *   or has a heuristically cacheable status, or a validator to revalidate it with.
 *
 * @since 0.3.0
 * @category storing
 */
export const isStorable = (input: {
  readonly method: string
  readonly status: number
  readonly requestCacheControl: CacheControl
  readonly headers: Headers
  readonly authenticated: boolean
  readonly storeAuthenticated: boolean
}): boolean => {
  if (input.method !== "GET" && input.method !== "HEAD") return false
  if (input.requestCacheControl.noStore) return false
  const cc = parseCacheControl(input.headers["cache-control"])
  if (cc.invalid || cc.noStore) return false
  const vary = varyFields(input.headers)
  if (vary === "*" || vary === undefined) return false
  if (
    input.authenticated && !input.storeAuthenticated && !cc.public && cc.sMaxAge === undefined && !cc.mustRevalidate
  ) {
    return false
  }
  return cc.maxAge !== undefined || input.headers["expires"] !== undefined || cc.public || cc.private ||
    cc.sMaxAge !== undefined || heuristicStatuses.has(input.status) || validators(input.headers) !== undefined
}

/**
 * The field names a response's `Vary` lists, lower-cased and deduplicated (§4.1); `"*"` when
 * it lists `*` (such a response never matches a later request); `undefined` when it names
 * more than `limits.varyFields` fields.
 *
 * @since 0.3.0
 * @category vary
 */
export const varyFields = (headers: Headers): ReadonlyArray<string> | "*" | undefined => {
  const value = headerValue(headers, "vary")
  if (value === undefined) return []
  if (value.length > limits.cacheControlLength) return undefined
  const names = new Set<string>()
  for (const part of splitList(value, limits.varyFields)) {
    const name = part.trim().toLowerCase()
    if (name === "*") return "*"
    if (name !== "") names.add(name)
    if (names.size > limits.varyFields) return undefined
  }
  return [...names].sort()
}

/** A header value as §4.1 compares it: combined lines, whitespace around commas removed. */
const normalize = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : value.split(",").map((s) => s.trim()).join(",")

/**
 * The request's values of the fields a response varies on, to keep with the stored response;
 * `undefined` when they are longer than `limits.varyValueLength` together (not stored).
 * A field the request lacks is `null` (absent matches only absent).
 *
 * @since 0.3.0
 * @category vary
 */
export const varyValues = (
  fields: ReadonlyArray<string>,
  requestHeaders: Headers
): Readonly<Record<string, string | null>> | undefined => {
  const out: Record<string, string | null> = {}
  let length = 0
  for (const name of fields) {
    const v = normalize(headerValue(requestHeaders, name))
    length += name.length + (v?.length ?? 0)
    if (length > limits.varyValueLength) return undefined
    out[name] = v ?? null
  }
  return out
}

/**
 * Whether a stored response, kept with the request values of its `Vary`'d fields, may answer
 * a new request (§4.1): every field has the same normalized value in both (absent matches
 * absent).
 *
 * @since 0.3.0
 * @category vary
 */
export const varyMatches = (stored: Readonly<Record<string, string | null>>, requestHeaders: Headers): boolean => {
  for (const name in stored) {
    if ((normalize(headerValue(requestHeaders, name)) ?? null) !== stored[name]) return false
  }
  return true
}

/**
 * The conditional headers that revalidate a stored response (§4.3.1): `If-None-Match` from
 * its `ETag`, `If-Modified-Since` from its `Last-Modified`; `undefined` when it has neither
 * (or they are longer than `limits.validatorLength`).
 *
 * @since 0.3.0
 * @category validation
 */
export const validators = (headers: Headers): Readonly<Record<string, string>> | undefined => {
  const out: Record<string, string> = {}
  const etag = headerValue(headers, "etag")
  if (etag !== undefined && etag.length <= limits.validatorLength && !etag.includes(",")) out["if-none-match"] = etag
  const modified = headerValue(headers, "last-modified")
  if (modified !== undefined && modified.length <= limits.validatorLength) out["if-modified-since"] = modified
  return out["if-none-match"] === undefined && out["if-modified-since"] === undefined ? undefined : out
}

const weak = (etag: string) => (etag.startsWith("W/") ? etag.slice(2) : etag)

/**
 * Whether a 304 answers for this stored response (§4.3.4): its `ETag`, if it has one, matches
 * the stored one (weak comparison); else its `Last-Modified`, if it has one, equals the
 * stored one; a 304 with no validator selects the stored response.
 *
 * @since 0.3.0
 * @category validation
 */
export const notModifiedSelects = (stored: Headers, notModified: Headers): boolean => {
  const etag = headerValue(notModified, "etag")
  if (etag !== undefined) {
    const mine = headerValue(stored, "etag")
    return mine !== undefined && weak(mine.trim()) === weak(etag.trim())
  }
  const modified = headerValue(notModified, "last-modified")
  if (modified !== undefined) return headerValue(stored, "last-modified") === modified
  return true
}

/** §3.2: fields a 304 must not change in the stored response. */
const keptOnFreshen: ReadonlySet<string> = new Set([
  "content-length",
  "content-encoding",
  "content-type",
  "transfer-encoding",
  "content-range"
])

/**
 * The stored response's headers freshened by a 304 (§4.3.4, §3.2): each field the 304 carries
 * replaces the stored one, except those that describe the stored body (`Content-Length`,
 * `Content-Type`, `Content-Encoding`, …).
 *
 * @since 0.3.0
 * @category validation
 */
export const freshen = (stored: Headers, notModified: Headers): Headers => {
  const out: Record<string, string | ReadonlyArray<string> | undefined> = { ...stored }
  for (const name in notModified) {
    if (!keptOnFreshen.has(name) && notModified[name] !== undefined) out[name] = notModified[name]
  }
  return out
}

/**
 * Whether a request with this method, answered with this status, invalidates what the cache
 * holds for its URL (§4.4): an unsafe method (not GET, HEAD, OPTIONS, TRACE) and a non-error
 * status (2xx or 3xx).
 *
 * @since 0.3.0
 * @category invalidation
 */
export const invalidates = (method: string, status: number): boolean =>
  method !== "GET" && method !== "HEAD" && method !== "OPTIONS" && method !== "TRACE" && status >= 200 &&
  status < 400

/**
 * The URLs an unsafe request's answer invalidates (§4.4): the request's URL, and the
 * `Location` and `Content-Location` of the answer when they are on the same origin (never
 * another origin: that would let one server empty another's entries).
 *
 * @since 0.3.0
 * @category invalidation
 */
export const invalidationTargets = (url: URL, headers: Headers): ReadonlyArray<string> => {
  const out = [url.href]
  for (const name of ["location", "content-location"]) {
    const v = headerValue(headers, name)
    if (v === undefined || v.length > 8192) continue
    try {
      const target = new URL(v, url)
      if (target.origin === url.origin && !out.includes(target.href)) out.push(target.href)
    } catch {
      // not a URL: nothing to invalidate
    }
  }
  return out
}

/**
 * The allowances a cache grants on top of the response's own directives, in milliseconds:
 * how long past its freshness a response may be served while it is refreshed in the
 * background, or when the upstream fails. The response's `stale-while-revalidate` and
 * `stale-if-error` (RFC 5861) take precedence when present.
 *
 * @since 0.3.0
 * @category models
 */
export interface Allowances {
  readonly staleWhileRevalidate: number
  readonly staleIfError: number
}

/**
 * What to do with a stored response that matches a request.
 *
 * @since 0.3.0
 * @category models
 */
export type Verdict =
  /** Serve it. */
  | { readonly _tag: "Fresh"; readonly age: number }
  /** Serve it stale, and refresh it in the background (RFC 5861 §3). */
  | { readonly _tag: "StaleWhileRevalidate"; readonly age: number }
  /** Ask the origin (with the validators, when it has any). */
  | { readonly _tag: "Revalidate"; readonly age: number }

/**
 * Whether a stored response may be served without asking the origin (RFC 9111 §4.2, §4.2.4,
 * §5.2.1, RFC 5861 §3):
 * - a response `no-cache`, or a request `no-cache`, is always revalidated;
 * - a request's `max-age` caps the age it accepts, its `min-fresh` asks for that much
 *   freshness left;
 * - fresh: serve;
 * - stale, but within the request's `max-stale`: serve, unless `must-revalidate`;
 * - stale within `stale-while-revalidate` (the response's, else the cache's allowance):
 *   serve and refresh, unless `must-revalidate`;
 * - otherwise revalidate.
 *
 * @since 0.3.0
 * @category serving
 */
export const decide = (entry: Timing, request: CacheControl, now: number, allowances: Allowances): Verdict => {
  const cc = parseCacheControl(entry.headers["cache-control"])
  const age = currentAge(entry, now)
  if (cc.noCache || request.noCache) return { _tag: "Revalidate", age }
  if (request.maxAge !== undefined && age > request.maxAge * 1000) return { _tag: "Revalidate", age }
  const lifetime = freshnessLifetime(entry.status, entry.headers, entry.responseTime, undefined, cc)
  const left = lifetime - age
  const minFresh = (request.minFresh ?? 0) * 1000
  if (left > 0 && left >= minFresh) return { _tag: "Fresh", age }
  // fresh but not fresh enough for the request's min-fresh, or stale and not to be served stale
  if (left > 0 || minFresh > 0 || cc.mustRevalidate) return { _tag: "Revalidate", age }
  const staleness = -left
  if (request.maxStale !== undefined && staleness <= request.maxStale * 1000) {
    return { _tag: "Fresh", age }
  }
  const swr = cc.staleWhileRevalidate !== undefined ? cc.staleWhileRevalidate * 1000 : allowances.staleWhileRevalidate
  if (staleness < swr) return { _tag: "StaleWhileRevalidate", age }
  return { _tag: "Revalidate", age }
}

/**
 * Whether a stored response may stand in for an answer the origin failed to give (RFC 5861
 * §4): it is stale by less than the response's `stale-if-error` (or the request's, or the
 * cache's allowance when the response names none). The cache's own allowance never applies
 * to a response that forbids serving it stale (`must-revalidate`, `no-cache`, §4.2.4); the
 * server's explicit `stale-if-error` does (RFC 5861: it holds "regardless of other freshness
 * information"), except against `must-revalidate`.
 *
 * @since 0.3.0
 * @category serving
 */
export const staleIfErrorAllowed = (
  entry: Timing,
  request: CacheControl,
  now: number,
  allowances: Allowances
): boolean => {
  const cc = parseCacheControl(entry.headers["cache-control"])
  if (cc.mustRevalidate || cc.invalid) return false
  const explicit = cc.staleIfError ?? request.staleIfError
  const allowance = explicit !== undefined ? explicit * 1000 : cc.noCache ? 0 : allowances.staleIfError
  if (allowance <= 0) return false
  const lifetime = freshnessLifetime(entry.status, entry.headers, entry.responseTime, undefined, cc)
  const staleness = currentAge(entry, now) - lifetime
  return staleness < allowance
}

/**
 * How long a stored response is worth keeping, in milliseconds from when it was received:
 * its freshness lifetime plus the longest stale allowance; a response with a validator is
 * kept `validatorRetention` longer (a 304 can refresh it). A store's TTL comes from this.
 *
 * @since 0.3.0
 * @category storing
 */
export const retention = (entry: Timing, allowances: Allowances, validatorRetention: number): number => {
  const cc = parseCacheControl(entry.headers["cache-control"])
  const lifetime = freshnessLifetime(entry.status, entry.headers, entry.responseTime, undefined, cc)
  const swr = cc.staleWhileRevalidate !== undefined ? cc.staleWhileRevalidate * 1000 : allowances.staleWhileRevalidate
  const sie = cc.staleIfError !== undefined ? cc.staleIfError * 1000 : allowances.staleIfError
  const keep = lifetime - initialAge(entry.headers, entry.requestTime, entry.responseTime) + Math.max(swr, sie)
  return Math.max(keep, validators(entry.headers) !== undefined ? validatorRetention : 0, 0)
}
