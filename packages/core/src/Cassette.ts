/**
 * The decisions behind record and replay (`Cassette` in both lines' test kits), with no Effect
 * import: the cassette file's format (JSON, one entry per request, bodies as text when they are
 * text and base64 otherwise, keys in a stable order), its validation when read, the masking of
 * every credential before an entry is kept, and the matching of a request to a recorded entry
 * (with the nearest entry and the difference when none matches).
 *
 * @since 0.3.0
 */
import * as Redaction from "./Redaction.js"

/**
 * The format version this module writes and reads.
 *
 * @since 0.3.0
 * @category format
 */
export const VERSION = 1

/**
 * A body: `text` when its bytes are UTF-8 text, `base64` otherwise. Absent when empty.
 *
 * @since 0.3.0
 * @category models
 */
export type Body = { readonly text: string } | { readonly base64: string }

/**
 * A request as recorded (after masking: secrets read `<redacted>`).
 *
 * @since 0.3.0
 * @category models
 */
export interface Request {
  readonly method: string
  /** The absolute URL. */
  readonly url: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body?: Body | undefined
}

/**
 * A response as recorded (after masking).
 *
 * @since 0.3.0
 * @category models
 */
export interface Response {
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body?: Body | undefined
}

/**
 * One request and its response, and how long the response took to arrive (headers and body),
 * in milliseconds.
 *
 * @since 0.3.0
 * @category models
 */
export interface Entry {
  readonly request: Request
  readonly response: Response
  readonly delayMillis?: number | undefined
}

/**
 * A cassette: its entries in the order they were recorded.
 *
 * @since 0.3.0
 * @category models
 */
export interface Cassette {
  readonly entries: ReadonlyArray<Entry>
}

// ---------------------------------------------------------------------------------------------
// bodies

const utf8 = new TextEncoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

const BINARY_TYPE =
  /^(image|audio|video|font)\/|^application\/(octet-stream|pdf|zip|gzip|x-gzip|x-tar|wasm|protobuf|x-protobuf|grpc|msgpack|cbor)/i

/** Bytes as a binary string (one char per byte), built in chunks so large bodies do not overflow the stack. */
const latin1 = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as Array<number>)
  }
  return out
}

const fromLatin1 = (text: string): Uint8Array => {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
  return out
}

/**
 * `bytes` as base64.
 *
 * @since 0.3.0
 * @category bodies
 */
export const toBase64 = (bytes: Uint8Array): string => btoa(latin1(bytes))

/**
 * Base64 to bytes; `undefined` when `text` is not base64.
 *
 * @since 0.3.0
 * @category bodies
 */
export const fromBase64 = (text: string): Uint8Array | undefined => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined
  try {
    return fromLatin1(atob(text))
  } catch {
    return undefined
  }
}

/**
 * Encodes a body for the cassette: as text when its bytes are valid UTF-8 and its content type
 * does not say binary (`image/*`, `application/octet-stream`, …), as base64 otherwise;
 * `undefined` when empty. Text re-encodes to the same bytes (a byte-order mark is kept).
 *
 * @since 0.3.0
 * @category bodies
 */
export const encodeBody = (bytes: Uint8Array, contentType?: string | undefined): Body | undefined => {
  if (bytes.length === 0) return undefined
  if (contentType === undefined || !BINARY_TYPE.test(contentType.trim())) {
    try {
      return { text: strictUtf8.decode(bytes) }
    } catch {
      // not UTF-8: base64
    }
  }
  return { base64: toBase64(bytes) }
}

/**
 * The bytes of a recorded body (empty when absent).
 *
 * @since 0.3.0
 * @category bodies
 */
export const decodeBody = (body: Body | undefined): Uint8Array =>
  body === undefined ? new Uint8Array(0) : "text" in body ? utf8.encode(body.text) : fromBase64(body.base64)!

// ---------------------------------------------------------------------------------------------
// the file: stable key order, validation

const sortedRecord = (record: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name of Object.keys(record).sort()) out[name] = record[name]
  return out
}

const bodyJson = (body: Body | undefined) =>
  body === undefined ? undefined : "text" in body ? { text: body.text } : { base64: body.base64 }

/**
 * The cassette as the file holds it: pretty-printed JSON, keys in a fixed order (headers sorted
 * by name), so that a re-recording's diff shows only what changed. Ends with a newline.
 *
 * @since 0.3.0
 * @category format
 */
export const serialize = (cassette: Cassette): string =>
  JSON.stringify(
    {
      version: VERSION,
      entries: cassette.entries.map((entry) => ({
        request: {
          method: entry.request.method,
          url: entry.request.url,
          headers: sortedRecord(entry.request.headers),
          body: bodyJson(entry.request.body)
        },
        response: {
          status: entry.response.status,
          headers: sortedRecord(entry.response.headers),
          body: bodyJson(entry.response.body)
        },
        delayMillis: entry.delayMillis
      }))
    },
    null,
    2
  ) + "\n"

/**
 * Why a cassette file was refused: `entry` (0-based) when one entry is at fault.
 *
 * @since 0.3.0
 * @category format
 */
export interface Invalid {
  readonly entry?: number | undefined
  readonly problem: string
}

/**
 * The longest recorded delay a cassette may hold (one hour): a larger one is refused as
 * corrupt rather than replayed.
 *
 * @since 0.3.0
 * @category format
 */
export const MAX_DELAY_MILLIS = 3_600_000

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const checkHeaders = (u: unknown, where: string): string | undefined => {
  if (!isRecord(u)) return `${where}.headers must be an object`
  for (const name in u) {
    if (!TOKEN.test(name) || name !== name.toLowerCase()) {
      return `${where}.headers has a bad name ${JSON.stringify(name)}`
    }
    const value = u[name]
    if (typeof value !== "string") return `${where}.headers[${JSON.stringify(name)}] must be a string`
    if (/[\r\n\0]/.test(value)) return `${where}.headers[${JSON.stringify(name)}] has a line break or NUL`
  }
  return undefined
}

const checkBody = (u: unknown, where: string): string | undefined => {
  if (u === undefined) return undefined
  if (!isRecord(u)) return `${where}.body must be an object`
  const keys = Object.keys(u)
  if (keys.length === 1 && typeof u.text === "string") return undefined
  if (keys.length === 1 && typeof u.base64 === "string") {
    return fromBase64(u.base64) === undefined ? `${where}.body.base64 is not base64` : undefined
  }
  return `${where}.body must be { "text": string } or { "base64": string }`
}

const checkEntry = (u: unknown): string | undefined => {
  if (!isRecord(u)) return "must be an object"
  const request = u.request
  const response = u.response
  if (!isRecord(request)) return "request must be an object"
  if (typeof request.method !== "string" || !TOKEN.test(request.method)) return "request.method must be an HTTP method"
  if (typeof request.url !== "string" || !URL.canParse(request.url)) return "request.url must be an absolute URL"
  const problem = checkHeaders(request.headers, "request") ?? checkBody(request.body, "request")
  if (problem !== undefined) return problem
  if (!isRecord(response)) return "response must be an object"
  const status = response.status
  // a final response: what a web Response can carry
  if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599) {
    return "response.status must be an integer from 200 to 599"
  }
  const responseProblem = checkHeaders(response.headers, "response") ?? checkBody(response.body, "response")
  if (responseProblem !== undefined) return responseProblem
  const delay = u.delayMillis
  if (
    delay !== undefined &&
    (typeof delay !== "number" || !Number.isFinite(delay) || delay < 0 || delay > MAX_DELAY_MILLIS)
  ) {
    return `delayMillis must be a number from 0 to ${MAX_DELAY_MILLIS}`
  }
  return undefined
}

/**
 * Reads a cassette file's text: its shape is checked (a cassette is input like any other), and
 * a refusal names the entry and what is wrong with it.
 *
 * @since 0.3.0
 * @category format
 */
export const parse = (text: string): { readonly _tag: "Ok"; readonly cassette: Cassette } | {
  readonly _tag: "Invalid"
  readonly invalid: Invalid
} => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return { _tag: "Invalid", invalid: { problem: `not JSON (${(e as Error).message})` } }
  }
  if (!isRecord(json)) return { _tag: "Invalid", invalid: { problem: "must be a JSON object" } }
  if (json.version !== VERSION) {
    return { _tag: "Invalid", invalid: { problem: `version must be ${VERSION}, not ${JSON.stringify(json.version)}` } }
  }
  if (!Array.isArray(json.entries)) return { _tag: "Invalid", invalid: { problem: "entries must be an array" } }
  for (let i = 0; i < json.entries.length; i++) {
    const problem = checkEntry(json.entries[i])
    if (problem !== undefined) return { _tag: "Invalid", invalid: { entry: i, problem } }
  }
  return { _tag: "Ok", cassette: { entries: json.entries as ReadonlyArray<Entry> } }
}

// ---------------------------------------------------------------------------------------------
// masking

/**
 * Field names of JSON and form bodies whose values are secrets (compared lower case): what an
 * OAuth token endpoint answers and what it is sent.
 *
 * @since 0.3.0
 * @category masking
 */
export const sensitiveFields: ReadonlySet<string> = new Set([
  "access_token",
  "refresh_token",
  "id_token",
  "client_secret",
  "password"
])

/**
 * What to mask beyond steady's own names (`Redaction.sensitiveHeaders`,
 * `Redaction.sensitiveQueryParams`, `sensitiveFields`).
 *
 * @since 0.3.0
 * @category masking
 */
export interface MaskOptions {
  /** More header names (lower case). */
  readonly sensitiveHeaders?: ReadonlySet<string> | undefined
  /** More query parameter (and form field) names (lower case). */
  readonly sensitiveQueryParams?: ReadonlySet<string> | undefined
  /** More JSON / form body field names (lower case). */
  readonly sensitiveFields?: ReadonlySet<string> | undefined
}

const COOKIE_HEADERS: ReadonlySet<string> = new Set(["cookie", "set-cookie"])

/**
 * The forms a secret takes in recorded text: as it is, percent-encoded (as a URL or a form
 * encodes it), in base64, and escaped in a JSON string. Shorter than `Redaction.MIN_SECRET`:
 * none.
 *
 * @since 0.3.0
 * @category masking
 */
export const variants = (secret: string): ReadonlyArray<string> => {
  if (secret.length < Redaction.MIN_SECRET) return []
  const forms = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    toBase64(utf8.encode(secret)),
    JSON.stringify(secret).slice(1, -1)
  ]
  return [...new Set(forms)]
}

const MAX_JSON_NODES = 100_000

/** Values of `names` fields anywhere in a JSON text (bounded walk). */
const jsonFieldValues = (text: string, names: (name: string) => boolean): Array<string> => {
  const trimmed = text.trimStart()
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return []
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return []
  }
  const out: Array<string> = []
  const stack: Array<unknown> = [json]
  for (let seen = 0; stack.length > 0 && seen < MAX_JSON_NODES; seen++) {
    const node = stack.pop()
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item)
    } else if (isRecord(node)) {
      for (const key in node) {
        const value = node[key]
        if (names(key.toLowerCase()) && (typeof value === "string" || typeof value === "number")) {
          out.push(String(value))
        } else stack.push(value)
      }
    }
  }
  return out
}

const bodyAsText = (body: Body | undefined): string | undefined =>
  body === undefined ? undefined : "text" in body ? body.text : undefined

const contentTypeOf = (headers: Readonly<Record<string, string>>) => headers["content-type"] ?? ""

/**
 * The secrets an entry carries, to be masked by value wherever they occur: the values of
 * sensitive headers (cookies value by value), of sensitive query parameters, of sensitive
 * fields in JSON and form bodies (an OAuth token answer's `access_token`, a token request's
 * `client_secret`), in every form `variants` gives.
 *
 * @since 0.3.0
 * @category masking
 */
export const secretsOf = (
  entry: { readonly request: Request; readonly response?: Response | undefined },
  options: MaskOptions = {}
): ReadonlyArray<string> => {
  const found: Array<string> = []
  const url = URL.canParse(entry.request.url) ? new URL(entry.request.url) : new URL("http://invalid/")
  const headerSecrets = (headers: Readonly<Record<string, string>>) => {
    const plain: Record<string, string> = {}
    for (const name in headers) {
      if (!COOKIE_HEADERS.has(name)) {
        plain[name] = headers[name]
        continue
      }
      // each cookie's value (`a=1; b=2` on a request; `sid=abc; Path=/` on a response)
      for (const pair of headers[name].split(name === "cookie" ? ";" : /,(?=\s*[^;=\s]+=)/)) {
        const first = name === "cookie" ? pair : pair.split(";")[0]
        const eq = first.indexOf("=")
        if (eq !== -1) found.push(first.slice(eq + 1).trim())
      }
    }
    found.push(
      ...Redaction.secretsOf(plain, url, options.sensitiveHeaders, options.sensitiveQueryParams, undefined)
    )
  }
  headerSecrets(entry.request.headers)
  const fieldNames = (name: string) => sensitiveFields.has(name) || (options.sensitiveFields?.has(name) ?? false)
  const formNames = (name: string) =>
    fieldNames(name) || Redaction.sensitiveQueryParams.has(name) || (options.sensitiveQueryParams?.has(name) ?? false)
  const bodySecrets = (headers: Readonly<Record<string, string>>, body: Body | undefined) => {
    const text = bodyAsText(body)
    if (text === undefined) return
    found.push(...jsonFieldValues(text, fieldNames))
    if (/application\/x-www-form-urlencoded/i.test(contentTypeOf(headers))) {
      for (const [name, value] of new URLSearchParams(text)) if (formNames(name.toLowerCase())) found.push(value)
    }
  }
  bodySecrets(entry.request.headers, entry.request.body)
  if (entry.response !== undefined) {
    headerSecrets(entry.response.headers)
    bodySecrets(entry.response.headers, entry.response.body)
  }
  return withVariants(found)
}

/**
 * Every secret of `secrets` in every form of `variants`, longest first (so a token inside a
 * longer value is masked with it).
 *
 * @since 0.3.0
 * @category masking
 */
export const withVariants = (secrets: Iterable<string>): ReadonlyArray<string> => {
  const out = new Set<string>()
  for (const secret of secrets) for (const form of variants(secret)) out.add(form)
  return [...out].sort((a, b) => b.length - a.length)
}

const maskHeaders = (
  headers: Readonly<Record<string, string>>,
  secrets: ReadonlyArray<string>,
  options: MaskOptions
): Record<string, string> => {
  const named = Redaction.redactHeaders(headers, options.sensitiveHeaders)
  for (const name in named) named[name] = Redaction.redactValues(named[name], secrets)
  return named
}

const maskBody = (body: Body | undefined, secrets: ReadonlyArray<string>): Body | undefined => {
  if (body === undefined) return undefined
  if ("text" in body) return { text: Redaction.redactValues(body.text, secrets) }
  // binary: the secrets' bytes (as a binary string, exact for ASCII secrets) replaced in place
  const bytes = fromBase64(body.base64) ?? new Uint8Array(0)
  const raw = latin1(bytes)
  const masked = Redaction.redactValues(raw, secrets.map((s) => latin1(utf8.encode(s))))
  return masked === raw ? body : { base64: btoa(masked) }
}

/** `headers` with `content-length` set to the body's length when masking changed it. */
const fixLength = (
  headers: Record<string, string>,
  before: Body | undefined,
  after: Body | undefined
): Record<string, string> => {
  if (before === after || headers["content-length"] === undefined) return headers
  return { ...headers, "content-length": String(decodeBody(after).length) }
}

/**
 * Masks an entry: sensitive headers and query parameters by name (as steady's redaction does),
 * then every secret of `secrets` (from `secretsOf` and the secrets given) wherever it occurs, in
 * the URL, the headers and both bodies (a binary body has the secret's bytes replaced). A
 * `content-length` follows its masked body.
 *
 * @since 0.3.0
 * @category masking
 */
export const maskEntry = <E extends { readonly request: Request; readonly response?: Response | undefined }>(
  entry: E,
  secrets: ReadonlyArray<string>,
  options: MaskOptions = {}
): E => {
  const requestBody = maskBody(entry.request.body, secrets)
  const request: Request = {
    method: entry.request.method,
    url: Redaction.redactUrl(entry.request.url, options.sensitiveQueryParams, secrets),
    headers: fixLength(maskHeaders(entry.request.headers, secrets, options), entry.request.body, requestBody),
    body: requestBody
  }
  if (entry.response === undefined) return { ...entry, request }
  const responseBody = maskBody(entry.response.body, secrets)
  const response: Response = {
    status: entry.response.status,
    headers: fixLength(maskHeaders(entry.response.headers, secrets, options), entry.response.body, responseBody),
    body: responseBody
  }
  return { ...entry, request, response }
}

// ---------------------------------------------------------------------------------------------
// matching

/**
 * What makes two requests the same one. Method, URL (query parameters in any order) and body
 * always count, unless turned off here; headers only when named.
 *
 * @since 0.3.0
 * @category matching
 */
export interface MatchOptions {
  /** Query parameters left out of the comparison (e.g. a timestamp or a nonce). Default: none. */
  readonly ignoreQueryParams?: ReadonlyArray<string> | undefined
  /** Headers whose values must match too (e.g. `accept`). Default: none. */
  readonly headers?: ReadonlyArray<string> | undefined
  /** Whether the body must match. Default: `true`. */
  readonly body?: boolean | undefined
  /**
   * Whether scheme, host and port must match. Default: `true`; `false` replays a recording made
   * against a server on another port (a loopback test server on port 0).
   */
  readonly origin?: boolean | undefined
}

interface Key {
  readonly method: string
  readonly origin: string
  readonly path: string
  readonly query: ReadonlyArray<readonly [string, string]>
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: string
}

const keyOf = (request: Request, options: MatchOptions): Key => {
  const url = new URL(request.url)
  const ignored = new Set((options.ignoreQueryParams ?? []).map((name) => name))
  const query = [...url.searchParams].filter(([name]) => !ignored.has(name))
    .sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)
  const headers = (options.headers ?? []).map((name) => name.toLowerCase()).sort()
    .map((name) => [name, request.headers[name] ?? ""] as const)
  const body = options.body === false ?
    "" :
    request.body === undefined ?
    "" :
    "text" in request.body
    ? request.body.text
    : `base64:${request.body.base64}`
  return {
    method: request.method.toUpperCase(),
    origin: options.origin === false ? "" : url.origin,
    path: url.pathname,
    query,
    headers,
    body
  }
}

const SNIPPET = 60

/** A short, quoted excerpt of `text` around `at`. */
const excerpt = (text: string, at: number): string => {
  const start = Math.max(0, at - 20)
  const piece = text.slice(start, start + SNIPPET)
  return (start > 0 ? "…" : "") + JSON.stringify(piece) + (start + SNIPPET < text.length ? "…" : "")
}

const firstDifference = (a: string, b: string): number => {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

const pairsDiff = (
  what: string,
  recorded: ReadonlyArray<readonly [string, string]>,
  sent: ReadonlyArray<readonly [string, string]>
): Array<string> => {
  const out: Array<string> = []
  const show = (pairs: ReadonlyArray<readonly [string, string]>, name: string) => {
    const values = pairs.filter(([n]) => n === name).map(([, v]) => v)
    return values.length === 0 ? "absent" : values.map((v) => JSON.stringify(v.slice(0, SNIPPET))).join(", ")
  }
  const names = [...new Set([...recorded, ...sent].map(([name]) => name))].sort()
  for (const name of names) {
    const r = show(recorded, name)
    const s = show(sent, name)
    if (r !== s) out.push(`${what} ${JSON.stringify(name)}: recorded ${r}, sent ${s}`)
  }
  return out
}

/** The differences between a recorded request's key and a sent one's, each a line of prose. */
const differences = (recorded: Key, sent: Key): Array<string> => {
  const out: Array<string> = []
  if (recorded.method !== sent.method) out.push(`method: recorded ${recorded.method}, sent ${sent.method}`)
  if (recorded.origin !== sent.origin) out.push(`origin: recorded ${recorded.origin}, sent ${sent.origin}`)
  if (recorded.path !== sent.path) {
    out.push(`path: recorded ${JSON.stringify(recorded.path)}, sent ${JSON.stringify(sent.path)}`)
  }
  out.push(...pairsDiff("query parameter", recorded.query, sent.query))
  out.push(...pairsDiff("header", recorded.headers, sent.headers))
  if (recorded.body !== sent.body) {
    const at = firstDifference(recorded.body, sent.body)
    out.push(
      `body: differs at character ${at}: recorded ${excerpt(recorded.body, at)}, sent ${excerpt(sent.body, at)}`
    )
  }
  return out
}

const weight = (line: string): number =>
  line.startsWith("method") || line.startsWith("origin") || line.startsWith("path")
    ? 4
    : line.startsWith("body")
    ? 2
    : 1

/**
 * The outcome of looking a request up: the entry to replay, or why there is none.
 *
 * @since 0.3.0
 * @category matching
 */
export type Lookup =
  | { readonly _tag: "Hit"; readonly index: number; readonly entry: Entry }
  | {
    readonly _tag: "Miss"
    /** The closest entry (0-based), when the cassette has any. */
    readonly nearest: number | undefined
    /** How the request differs from it (empty when it matches, but every match was replayed already). */
    readonly differences: ReadonlyArray<string>
    /** A message naming the request, the nearest entry and the difference. */
    readonly message: string
  }

/**
 * Replay's bookkeeping: entries that match the same request are replayed in recorded order, each
 * once (a 503 then a 200 replay as a 503 then a 200); `add` appends a new recording.
 *
 * @since 0.3.0
 * @category matching
 */
export interface Player {
  readonly lookup: (request: Request) => Lookup
  readonly add: (entry: Entry) => void
  readonly entries: () => ReadonlyArray<Entry>
  /** Entries not replayed yet (0-based). */
  readonly unused: () => ReadonlyArray<number>
}

/**
 * A player over `entries`. With `repeat`, a request whose matches were all replayed gets the
 * last of them again; without (the default), it is a miss that says so.
 *
 * @since 0.3.0
 * @category matching
 */
export const player = (
  entries: ReadonlyArray<Entry>,
  options: MatchOptions & { readonly repeat?: boolean | undefined } = {}
): Player => {
  const all: Array<Entry> = [...entries]
  const keys: Array<Key> = all.map((entry) => keyOf(entry.request, options))
  const used: Array<boolean> = all.map(() => false)
  const same = (a: Key, b: Key) => differences(a, b).length === 0
  return {
    entries: () => all.slice(),
    unused: () => used.flatMap((u, i) => (u ? [] : [i])),
    add: (entry) => {
      all.push(entry)
      keys.push(keyOf(entry.request, options))
      used.push(true)
    },
    lookup: (request) => {
      const sent = keyOf(request, options)
      let lastMatch = -1
      for (let i = 0; i < all.length; i++) {
        if (!same(keys[i], sent)) continue
        lastMatch = i
        if (!used[i]) {
          used[i] = true
          return { _tag: "Hit", index: i, entry: all[i] }
        }
      }
      const shown = `${request.method} ${request.url}`
      if (lastMatch !== -1) {
        if (options.repeat === true) return { _tag: "Hit", index: lastMatch, entry: all[lastMatch] }
        const count = used.filter((_, i) => same(keys[i], sent)).length
        return {
          _tag: "Miss",
          nearest: lastMatch,
          differences: [],
          message: `${shown}: the cassette has ${count} recording(s) of this request and all were replayed ` +
            `(the last is entry ${lastMatch}); this one was not recorded`
        }
      }
      let best: { index: number; lines: Array<string>; score: number } | undefined
      for (let i = 0; i < all.length; i++) {
        const lines = differences(keys[i], sent)
        const score = lines.reduce((sum, line) => sum + weight(line), 0) + (used[i] ? 0.5 : 0)
        if (best === undefined || score < best.score) best = { index: i, lines, score }
      }
      if (best === undefined) {
        return { _tag: "Miss", nearest: undefined, differences: [], message: `${shown}: the cassette is empty` }
      }
      const nearest = all[best.index].request
      return {
        _tag: "Miss",
        nearest: best.index,
        differences: best.lines,
        message: `${shown}: no recorded match; the nearest is entry ${best.index} ` +
          `(${nearest.method} ${nearest.url}):\n  ${best.lines.join("\n  ")}`
      }
    }
  }
}
