/**
 * Record and replay, the Effect 4 adapter: the format, masking and matching are the core's
 * (`@steady/core/Cassette`); here are the file, the clock, the real client and the faults.
 *
 * @internal
 */
import * as Auth from "@steady/client/Auth"
import * as ConnectionPool from "@steady/client/ConnectionPool"
import * as Core from "@steady/core/Cassette"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import * as Zlib from "node:zlib"
import type * as Faults from "../Fault.js"
import type * as TestServer from "../TestServer.js"
import * as Route from "./route.js"
import * as Staged from "./staged.js"

/** @internal */
export type Mode = "record" | "replay" | "auto"

/** @internal */
export interface Options extends Core.MatchOptions {
  readonly mode: Mode
  readonly repeat?: boolean | undefined
  readonly delays?: "keep" | "drop" | undefined
  readonly secrets?: ReadonlyArray<Redacted.Redacted<string> | string> | undefined
  readonly sensitiveHeaders?: ReadonlyArray<string> | undefined
  readonly sensitiveQueryParams?: ReadonlyArray<string> | undefined
  readonly sensitiveFields?: ReadonlyArray<string> | undefined
  readonly allowRecording?: boolean | undefined
  readonly maxBodyBytes?: number | undefined
  readonly faults?: FaultPlan | undefined
}

/** @internal */
export type FaultPlan = (request: TestServer.Request, index: number) => Faults.Fault | undefined

/** @internal */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

/** The largest cassette file read: a bigger one is refused before it is parsed. */
const MAX_FILE_BYTES = 256 * 1024 * 1024

/** @internal */
export class CassetteMismatch extends Data.TaggedError("CassetteMismatch")<{
  readonly path: string
  readonly nearest: number | undefined
  readonly differences: ReadonlyArray<string>
  readonly message: string
}> {}

/** @internal */
export class CassetteError extends Data.TaggedError("CassetteError")<{
  readonly path: string
  readonly reason: "Missing" | "Invalid" | "Read" | "Write" | "RecordingRefused" | "TooLarge"
  readonly entry?: number | undefined
  readonly message: string
}> {}

/** @internal */
export interface Cassette {
  readonly path: string
  readonly mode: Mode
  readonly entries: Effect.Effect<ReadonlyArray<Core.Entry>>
  readonly unused: Effect.Effect<ReadonlyArray<number>>
}

/** @internal */
export const tag: Context.Service<Cassette, Cassette> = Context.Service<Cassette>("@steady/testing/Cassette")

const lower = (names: ReadonlyArray<string> | undefined) => new Set((names ?? []).map((name) => name.toLowerCase()))

const read = (path: string): Effect.Effect<ReadonlyArray<Core.Entry> | undefined, CassetteError> =>
  Effect.tryPromise({
    try: async () => {
      const stat = await Fs.stat(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return undefined
        throw e
      })
      if (stat === undefined) return undefined
      if (stat.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`)
      return await Fs.readFile(path, "utf8")
    },
    catch: (e) =>
      new CassetteError({ path, reason: "Read", message: `cassette ${path}: cannot read (${(e as Error).message})` })
  }).pipe(Effect.flatMap((text) => {
    if (text === undefined) return Effect.succeed(undefined)
    const parsed = Core.parse(text)
    if (parsed._tag === "Ok") return Effect.succeed(parsed.cassette.entries)
    const where = parsed.invalid.entry === undefined ? "" : `entry ${parsed.invalid.entry}: `
    return Effect.fail(
      new CassetteError({
        path,
        reason: "Invalid",
        entry: parsed.invalid.entry,
        message: `cassette ${path}: ${where}${parsed.invalid.problem}`
      })
    )
  }))

/** Writes `text` to `path` atomically: a temporary file in the same folder, then a rename. */
const write = (path: string, text: string): Effect.Effect<void, CassetteError> =>
  Effect.tryPromise({
    try: async () => {
      await Fs.mkdir(Path.dirname(path), { recursive: true })
      const temporary = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`
      try {
        await Fs.writeFile(temporary, text, "utf8")
        await Fs.rename(temporary, path)
      } catch (e) {
        await Fs.rm(temporary, { force: true })
        throw e
      }
    },
    catch: (e) =>
      new CassetteError({ path, reason: "Write", message: `cassette ${path}: cannot write (${(e as Error).message})` })
  })

const tooLarge = (path: string, what: string, max: number) =>
  new CassetteError({
    path,
    reason: "TooLarge",
    message: `cassette ${path}: ${what} is larger than maxBodyBytes (${max} bytes): not recorded`
  })

/** Reads a stream to its end, failing with `onLimit` past `max` bytes. */
const collect = <E, E2>(stream: Stream.Stream<Uint8Array, E>, max: number, onLimit: () => E2) =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return Stream.runForEach(stream, (chunk) => {
      size += chunk.length
      if (size > max) return Effect.fail(onLimit())
      chunks.push(chunk)
      return Effect.void
    }).pipe(Effect.map(() => concat(chunks, size)))
  })

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number) => {
  const out = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

const encoder = new TextEncoder()

/** The request's body bytes (a stream or a form read once), and the request to send in its place. */
const requestBody = (
  request: HttpClientRequest.HttpClientRequest,
  path: string,
  max: number
): Effect.Effect<{ readonly bytes: Uint8Array; readonly request: HttpClientRequest.HttpClientRequest }> => {
  const body = request.body
  const refuse = () => tooLarge(path, `the body of ${request.method} ${request.url}`, max)
  const checked = (bytes: Uint8Array) => bytes.length > max ? Effect.die(refuse()) : Effect.succeed({ bytes, request })
  switch (body._tag) {
    case "Uint8Array":
      return checked(body.body)
    case "Raw":
      return typeof body.body === "string" ?
        checked(encoder.encode(body.body)) :
        body.body instanceof Uint8Array ?
        checked(body.body) :
        checked(encoder.encode(String(body.body)))
    case "Stream":
      return collect(body.stream, max, refuse).pipe(
        Effect.map((bytes) => ({
          bytes,
          request: HttpClientRequest.bodyUint8Array(request, bytes, body.contentType)
        })),
        Effect.orDie
      )
    case "FormData": {
      const web = new Response(body.formData)
      return Effect.promise(() => web.arrayBuffer()).pipe(Effect.map((buffer) => {
        const bytes = new Uint8Array(buffer)
        const type = web.headers.get("content-type") ?? "multipart/form-data"
        return { bytes, request: HttpClientRequest.bodyUint8Array(request, bytes, type) }
      }))
    }
    default:
      return Effect.succeed({ bytes: new Uint8Array(0), request })
  }
}

const headersOf = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  contentType?: string
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined) out[name.toLowerCase()] = typeof value === "string" ? value : value.join(", ")
  }
  if (contentType !== undefined && out["content-type"] === undefined) out["content-type"] = contentType
  return out
}

/** A content-coded body, decoded (bounded), so what reaches the disk can be masked; `undefined` for a coding zlib lacks. */
const decoded = (bytes: Uint8Array, coding: string, max: number): Uint8Array | undefined => {
  const options = { maxOutputLength: max }
  switch (coding.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return Zlib.gunzipSync(bytes, options)
    case "deflate":
      return Zlib.inflateSync(bytes, options)
    case "br":
      return Zlib.brotliDecompressSync(bytes, options)
    default:
      return undefined
  }
}

const NULL_BODY = new Set([204, 205, 304])

const webResponse = (response: Core.Response, body: BodyInit | null): Response =>
  new Response(NULL_BODY.has(response.status) ? null : body, {
    status: response.status,
    headers: response.headers as Record<string, string>
  })

/** A recorded answer, its body in `chunks` pieces `chunkDelayMillis` apart (a slow body on replay). */
const slowReplay = (
  request: HttpClientRequest.HttpClientRequest,
  response: Core.Response,
  chunks: number,
  chunkDelayMillis: number
) => {
  const bytes = Core.decodeBody(response.body)
  const count = Math.max(1, Math.floor(chunks))
  const size = Math.max(1, Math.ceil(bytes.length / count))
  const pieces = Array.from(
    { length: Math.ceil(bytes.length / size) },
    (_, i) => bytes.subarray(i * size, (i + 1) * size)
  )
  return Staged.streamed(
    request,
    response.status,
    response.headers as Record<string, string>,
    Stream.mapEffect(
      Stream.fromIterable(pieces),
      (piece) => Effect.as(Effect.sleep(Duration.millis(chunkDelayMillis)), piece)
    )
  )
}

/** A fault that delays the recorded answer rather than replacing it. */
const delaysAnswer = (fault: Faults.Fault | undefined) =>
  fault !== undefined && (fault._tag === "Delay" || fault._tag === "SlowBody")

/** The faults of `table` per route, in order: the n-th request of a route meets the n-th fault (`undefined`: none). @internal */
export const faults = (table: Readonly<Record<string, ReadonlyArray<Faults.Fault | undefined>>>): FaultPlan => {
  const compiled = Route.compile(Object.fromEntries(Object.entries(table).map(([key, list]) => [key, { list, n: 0 }])))
  return (request) => {
    const route = Route.match(compiled, request.method, request.path)
    return route === undefined ? undefined : route.list[route.n++]
  }
}

/** @internal */
export const layer = (path: string, options: Options): Layer.Layer<HttpClient.HttpClient | Cassette, CassetteError> =>
  Layer.effectContext(
    Effect.map(
      make(path, options),
      ({ cassette, client }) => Context.make(tag, cassette).pipe(Context.add(HttpClient.HttpClient, client))
    )
  )

/** What a cassette masks: the names, and the secrets known so far (they grow as entries reveal more). */
interface Masking {
  readonly options: Core.MaskOptions
  readonly secrets: () => ReadonlyArray<string>
  /** Adds the secrets an entry carries. */
  readonly learn: (entry: { readonly request: Core.Request; readonly response?: Core.Response }) => void
}

const maskingOf = (options: Options, auth: Option.Option<Auth.Service>): Masking => {
  const fromAuth = Option.match(auth, {
    onNone: () => ({ headers: [], query: [], values: [] }),
    onSome: (a) => ({ headers: a.sensitiveHeaders, query: a.sensitiveQueryParams, values: a.secretValues ?? [] })
  })
  const mask: Core.MaskOptions = {
    sensitiveHeaders: lower([...(options.sensitiveHeaders ?? []), ...fromAuth.headers]),
    sensitiveQueryParams: lower([...(options.sensitiveQueryParams ?? []), ...fromAuth.query]),
    sensitiveFields: lower(options.sensitiveFields)
  }
  const known = new Set<string>([
    ...(options.secrets ?? []).map((s) => Redacted.isRedacted(s) ? Redacted.value(s) : s),
    ...fromAuth.values
  ])
  let secrets = Core.withVariants(known)
  return {
    options: mask,
    secrets: () => secrets,
    learn: (entry) => {
      const before = known.size
      for (const secret of Core.secretsOf(entry, mask)) known.add(secret)
      if (known.size !== before) secrets = Core.withVariants(known)
    }
  }
}

/** One cassette's state while its layer is open. */
interface State {
  readonly path: string
  readonly options: Options
  readonly max: number
  readonly masking: Masking
  readonly player: Core.Player
  /** Whether something was recorded (the file is written when the layer closes). */
  dirty: boolean
}

/** The recorded answer, after the recorded delay (kept) and the injected one (`Fault.delay`), or slowly (`Fault.slowBody`). */
const replay = (
  state: State,
  request: HttpClientRequest.HttpClientRequest,
  entry: Core.Entry,
  fault: Faults.Fault | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  const wait = state.options.delays === "keep" && entry.delayMillis !== undefined && entry.delayMillis > 0
    ? Effect.sleep(Duration.millis(entry.delayMillis))
    : Effect.void
  const injected = fault?._tag === "Delay" ? Effect.sleep(Duration.millis(fault.millis)) : Effect.void
  const answer = fault?._tag === "SlowBody"
    ? slowReplay(request, entry.response, fault.chunks, fault.chunkDelayMillis)
    : Effect.sync(() =>
      HttpClientResponse.fromWeb(request, webResponse(entry.response, Core.decodeBody(entry.response.body) as BodyInit))
    )
  return Effect.andThen(Effect.andThen(wait, injected), answer)
}

/**
 * A coded answer decoded, so that it can be masked: decoded here, or already by the transport
 * (fetch decodes and keeps the header) when the bytes are not of the coding; without its
 * `Content-Encoding` either way. Past `max` decoded bytes: `refuse`, as a defect.
 */
const decodedAnswer = (
  raw: Uint8Array,
  headers: Record<string, string>,
  max: number,
  refuse: () => CassetteError
): Effect.Effect<{ readonly bytes: Uint8Array; readonly headers: Record<string, string> }> => {
  const coding = headers["content-encoding"]
  if (coding === undefined || coding.trim().toLowerCase() === "identity") return Effect.succeed({ bytes: raw, headers })
  const plain = raw.length === 0 ? Effect.succeed(undefined) : Effect.try({
    try: () => decoded(raw, coding, max),
    catch: (e) => e
  }).pipe(
    Effect.catch((e) =>
      (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" ? Effect.die(refuse()) : Effect.succeed(undefined)
    )
  )
  return Effect.map(plain, (decodedBytes) => {
    const bytes = decodedBytes ?? raw
    const { "content-encoding": _coding, ...rest } = headers
    return {
      bytes,
      headers: rest["content-length"] === undefined ? rest : { ...rest, "content-length": String(bytes.length) }
    }
  })
}

/** Sends `request` through `client`, reads its answer (bounded), keeps it masked, and gives the test the real one. */
const record = (
  state: State,
  request: HttpClientRequest.HttpClientRequest,
  sent: Core.Request,
  client: HttpClient.HttpClient
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const response = yield* client.execute(request)
    const refuse = () => tooLarge(state.path, `the response to ${sent.method} ${sent.url}`, state.max)
    const raw = yield* collect(response.stream, state.max, refuse).pipe(
      Effect.catchTag("CassetteError", (e) => Effect.die(e))
    )
    const elapsed = (yield* Clock.currentTimeMillis) - started
    const { bytes, headers } = yield* decodedAnswer(raw, headersOf(response.headers), state.max, refuse)
    const entry: Core.Entry = {
      request: sent,
      response: { status: response.status, headers, body: Core.encodeBody(bytes, headers["content-type"]) },
      delayMillis: elapsed
    }
    state.masking.learn(entry)
    state.player.add(Core.maskEntry(entry, state.masking.secrets(), state.masking.options))
    state.dirty = true
    // the test sees the real answer; only the disk sees it masked
    return HttpClientResponse.fromWeb(request, webResponse(entry.response, bytes as BodyInit))
  })

/** The request as the cassette keeps it, and the request to send (a stream or form body read once, as bytes). */
const sentOf = (state: State, request: HttpClientRequest.HttpClientRequest, url: URL) =>
  Effect.map(requestBody(request, state.path, state.max), ({ bytes, request: toSend }) => {
    const headers = headersOf(toSend.headers, toSend.body._tag === "Empty" ? undefined : toSend.body.contentType)
    const sent: Core.Request = {
      method: request.method,
      url: url.href,
      headers,
      body: Core.encodeBody(bytes, headers["content-type"])
    }
    return { sent, toSend }
  })

/** The request as a fault plan sees it: the test kit's request shape. */
const shown = (sent: Core.Request, url: URL): TestServer.Request => ({
  method: sent.method,
  url: sent.url,
  path: url.pathname,
  query: url.searchParams,
  headers: sent.headers,
  body: sent.body !== undefined && "text" in sent.body ? sent.body.text : ""
})

/** The client: records (mode "record"), or meets the fault planned, replays, or records what is missing (with `recorder`). */
const clientOf = (state: State, mode: Mode, recorder: HttpClient.HttpClient | undefined): HttpClient.HttpClient => {
  let seen = 0
  return HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const { sent, toSend } = yield* sentOf(state, request, url)
      const index = seen++
      if (mode === "record") {
        state.masking.learn({ request: sent })
        return yield* record(state, toSend, sent, recorder!)
      }
      const fault = state.options.faults?.(shown(sent, url), index)
      if (fault !== undefined && !delaysAnswer(fault)) return yield* Staged.staged(request, fault, url.pathname)
      state.masking.learn({ request: sent })
      const found = state.player.lookup(
        Core.maskEntry({ request: sent }, state.masking.secrets(), state.masking.options).request
      )
      if (found._tag === "Hit") return yield* replay(state, request, found.entry, fault)
      if (recorder !== undefined) return yield* record(state, toSend, sent, recorder)
      return yield* Effect.die(
        new CassetteMismatch({
          path: state.path,
          nearest: found.nearest,
          differences: found.differences,
          message: `cassette ${state.path}: ${found.message}`
        })
      )
    })
  )
}

const make = (
  path: string,
  options: Options
): Effect.Effect<{ cassette: Cassette; client: HttpClient.HttpClient }, CassetteError, Scope.Scope> =>
  Effect.gen(function*() {
    const allowRecording = options.allowRecording ?? process.env.CI !== "true"
    if (options.mode === "record" && !allowRecording) {
      return yield* new CassetteError({
        path,
        reason: "RecordingRefused",
        message: `cassette ${path}: recording is refused on CI (CI=true); replay it, or set allowRecording`
      })
    }
    const mode: Mode = options.mode === "auto" && !allowRecording ? "replay" : options.mode
    const existing = mode === "record" ? [] : yield* read(path)
    if (existing === undefined && mode === "replay") {
      return yield* new CassetteError({
        path,
        reason: "Missing",
        message: `cassette ${path}: no such file; record it first (mode: "record" or "auto")`
      })
    }
    const auth = yield* Effect.serviceOption(Auth.Auth)
    const state: State = {
      path,
      options,
      max: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      masking: maskingOf(options, auth),
      player: Core.player(existing ?? [], options),
      dirty: mode === "record"
    }
    const recorder = mode === "replay" ? undefined : Option.getOrUndefined(
      yield* Effect.serviceOption(HttpClient.HttpClient)
    ) ?? (yield* ConnectionPool.make())
    yield* Effect.addFinalizer(() => {
      if (!state.dirty) return Effect.void
      const { options: mask, secrets } = state.masking
      const entries = state.player.entries().map((e) => Core.maskEntry(e, secrets(), mask))
      return Effect.orDie(write(path, Core.serialize({ entries })))
    })
    const cassette: Cassette = {
      path,
      mode,
      entries: Effect.sync(() => state.player.entries()),
      unused: Effect.sync(() => state.player.unused())
    }
    return { cassette, client: clientOf(state, mode, recorder) }
  })
