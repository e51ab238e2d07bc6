/**
 * Redaction of secrets in what steady shows: URLs (user info and sensitive query
 * parameters) and headers, by name, and any credential a request carried, by value.
 * Everything that reaches an error, a log line or a span goes through here first; nothing
 * the client sends does.
 *
 * @since 0.3.0
 */

/**
 * What a hidden value shows as.
 *
 * @since 0.3.0
 * @category redaction
 */
export const REDACTED = "<redacted>"

/**
 * Header names whose values are never shown (lower case).
 *
 * @since 0.3.0
 * @category redaction
 */
export const sensitiveHeaders: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-amz-security-token"
])

/**
 * Query parameter names whose values are never shown (compared lower case).
 *
 * @since 0.3.0
 * @category redaction
 */
export const sensitiveQueryParams: ReadonlySet<string> = new Set([
  "access_token",
  "api_key",
  "apikey",
  "api-key",
  "auth",
  "client_secret",
  "code",
  "key",
  "password",
  "refresh_token",
  "secret",
  "sig",
  "signature",
  "token",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token"
])

/**
 * Returns `url` with user info and the values of sensitive query parameters replaced.
 * `extra` names more parameters to hide (e.g. the one an API-key layer uses); `values` are
 * secrets hidden wherever they occur in it (a URL built from a response may echo them).
 *
 * @since 0.3.0
 * @category redaction
 */
export const redactUrl = (
  url: string | URL,
  extra?: ReadonlySet<string>,
  values?: ReadonlyArray<string> | undefined
): string =>
  values === undefined || values.length === 0 ? redactNames(url, extra) : redactValues(redactNames(url, extra), values)

const redactNames = (url: string | URL, extra: ReadonlySet<string> | undefined): string => {
  if (typeof url !== "string" && url.search === "" && url.username === "" && url.password === "") return url.href
  let parsed: URL
  try {
    parsed = typeof url === "string" ? new URL(url) : new URL(url.href)
  } catch {
    // Not a URL we can parse: show only what precedes a query or user info.
    const s = String(url)
    const q = s.indexOf("?")
    return q === -1 ? s.replace(/\/\/[^/@]*@/, "//") : s.slice(0, q) + "?" + REDACTED
  }
  if (parsed.username !== "" || parsed.password !== "") {
    parsed.username = ""
    parsed.password = ""
  }
  if (parsed.search === "") return parsed.href
  const out: Array<string> = []
  for (const [name, value] of parsed.searchParams) {
    const lower = name.toLowerCase()
    const hide = sensitiveQueryParams.has(lower) || (extra !== undefined && extra.has(lower))
    out.push(`${encodeURIComponent(name)}=${hide ? REDACTED : encodeURIComponent(value)}`)
  }
  parsed.search = ""
  const base = parsed.href
  const hash = base.indexOf("#")
  return hash === -1 ? `${base}?${out.join("&")}` : `${base.slice(0, hash)}?${out.join("&")}${base.slice(hash)}`
}

/**
 * Copies headers into a plain record with sensitive values redacted.
 *
 * @since 0.3.0
 * @category redaction
 */
export const redactHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  extra?: ReadonlySet<string>
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined) continue
    const lower = name.toLowerCase()
    out[lower] = sensitiveHeaders.has(lower) || (extra !== undefined && extra.has(lower))
      ? REDACTED
      : typeof value === "string"
      ? value
      : value.join(", ")
  }
  return out
}

/**
 * Secrets shorter than this are not masked by value: they would mask ordinary text. Four
 * characters is below any credential worth the name; a short API key (5 to 8 characters) is
 * masked as surely as a long one.
 *
 * @since 0.3.0
 * @category redaction
 */
export const MIN_SECRET = 4

/**
 * The credential values a request carries: the values of its sensitive headers (and the
 * token after an auth scheme, `Bearer <token>`), of its sensitive query parameters, and
 * `extra` (secrets the Auth layer declares), each also percent-encoded; and `inherited` (those
 * of the request whose response this one's URL came from).
 *
 * @since 0.3.0
 * @category redaction
 */
export const secretsOf = (
  headers: Readonly<Record<string, string>>,
  url: URL,
  sensitive: ReadonlySet<string> | undefined,
  sensitiveQuery: ReadonlySet<string> | undefined,
  extra: ReadonlyArray<string> | undefined,
  inherited?: ReadonlyArray<string> | undefined
): ReadonlyArray<string> => {
  const out: Array<string> = []
  const one = (value: string) => {
    if (value.length >= MIN_SECRET && !out.includes(value)) out.push(value)
  }
  // as sent, and as it reads once percent-encoded (a server that echoes it into a URL or a form)
  const add = (value: string | undefined) => {
    if (value === undefined) return
    one(value)
    one(encodeURIComponent(value))
  }
  for (const name in headers) {
    if (!sensitiveHeaders.has(name) && !(sensitive?.has(name) ?? false)) continue
    const value = headers[name]
    add(value)
    const space = value.indexOf(" ")
    if (space > 0) add(value.slice(space + 1).trim())
  }
  if (url.search !== "") {
    for (const [name, value] of url.searchParams) {
      const lower = name.toLowerCase()
      if (sensitiveQueryParams.has(lower) || (sensitiveQuery?.has(lower) ?? false)) add(value)
    }
  }
  for (const value of extra ?? []) add(value)
  for (const value of inherited ?? []) one(value)
  // longest first, so a token inside a longer header value is masked with it
  return out.sort((a, b) => b.length - a.length)
}

/** `text` with every occurrence of every secret replaced.
 *
 * @since 0.3.0
 * @category redaction
 */
export const redactValues = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  return out
}

/** `text` percent-decoded, or as it is when it is not valid percent-encoding (`100%`). */
const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * `text` (a transport's message, which may quote the URL it was given) without the user info
 * of `url`: gone where the URL is quoted (`//user:password@`), and the password, as written
 * in the URL and decoded, masked wherever else it occurs (when it has `MIN_SECRET` characters
 * or more).
 *
 * @since 0.3.0
 * @category redaction
 */
export const redactUserInfo = (text: string, url: URL): string => {
  if (url.username === "" && url.password === "") return text
  const userInfo = `//${url.username}${url.password === "" ? "" : `:${url.password}`}@`
  const out = text.includes(userInfo) ? text.split(userInfo).join("//") : text
  const secrets = [...new Set([url.password, decoded(url.password)])]
    .filter((secret) => secret.length >= MIN_SECRET)
    .sort((a, b) => b.length - a.length)
  return redactValues(out, secrets)
}

/**
 * A value meant to be a URL, fit to quote in a message: whatever sits between the scheme's
 * `//` (or the start) and the first `@` of the authority is replaced by `***`, so a
 * `user:password@` never shows, even in a value that does not parse as a URL.
 *
 * @since 0.3.0
 * @category redaction
 */
export const quoteUrl = (value: string): string => JSON.stringify(value.replace(USER_INFO, maskUserInfo))

/** A value's user info: after the scheme's `//` (or from the start), up to the first `@` of the authority. */
const USER_INFO = /^((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/)?[^/?#@]*@/
const maskUserInfo = (_userInfo: string, scheme: string | undefined) => `${scheme ?? ""}***@`
