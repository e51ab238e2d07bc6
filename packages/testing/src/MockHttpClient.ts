/**
 * An in-memory `HttpClient` for tests: route handlers and scripted sequences (503, 503, 200),
 * faults (the test kit's `Fault` vocabulary, which `ChaosServer` speaks too, and a refused
 * connection or an unknown host, which only a client meets), delays on Effect's clock (so `TestClock` drives them), and
 * every request recorded for assertions. Swap it in for `ConnectionPool.layer`: nothing else
 * changes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type * as Faults from "./Fault.js"
import * as Route from "./internal/route.js"
import { answer } from "./internal/staged.js"
import type * as TestServer from "./TestServer.js"

/**
 * A request as the mock received it: the test kit's one request shape, `TestServer.Request`
 * (its `url` is the absolute URL, query included).
 *
 * @since 0.1.0
 * @category models
 */
export type RecordedRequest = TestServer.Request

/**
 * A scripted response. `json` sets the body and `content-type`; `delay` waits on Effect's
 * clock before answering.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockResponse {
  readonly status?: number | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | Uint8Array | undefined
  readonly json?: unknown
  readonly delay?: Duration.Input | undefined
}

/**
 * A scripted failure with no response: a refused connection or an unknown host (which no server
 * can stage), and the old spellings of `Fault.resetBeforeHeaders` and `Fault.hang`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fault {
  readonly _tag: "Fault"
  readonly kind: "refused" | "reset" | "dns" | "hang"
}

/**
 * What a handler may answer: a response, a bare status, a fault of the test kit's vocabulary
 * (`Fault.status(503)`, `Fault.resetAfterHeaders`, …: what each does in the mock is in
 * docs/testing.md), or a connection fault of the mock's own (`refused`, `dns`).
 *
 * @since 0.1.0
 * @category models
 */
export type Reply = MockResponse | number | Fault | Faults.Fault

/**
 * @since 0.1.0
 * @category models
 */
export type Handler = (request: RecordedRequest) => Reply | Effect.Effect<Reply>

/**
 * The connection was refused: nothing was sent.
 *
 * @since 0.1.0
 * @category faults
 */
export const refused: Fault = { _tag: "Fault", kind: "refused" }

/**
 * The connection was reset after the request was written.
 *
 * @deprecated Use `Fault.resetBeforeHeaders`, the same fault in the vocabulary `ChaosServer`
 * speaks too.
 * @since 0.1.0
 * @category faults
 */
export const reset: Fault = { _tag: "Fault", kind: "reset" }

/**
 * The host name did not resolve: nothing was sent.
 *
 * @since 0.1.0
 * @category faults
 */
export const dns: Fault = { _tag: "Fault", kind: "dns" }

/**
 * No answer, ever (until the request is interrupted by a timeout).
 *
 * @deprecated Use `Fault.hang`, the same fault in the vocabulary `ChaosServer` speaks too.
 * @since 0.1.0
 * @category faults
 */
export const hang: Fault = { _tag: "Fault", kind: "hang" }

/**
 * Answers each request with the next reply of `replies`; after the last one, repeats it.
 *
 * @example
 * ```ts
 * import { MockHttpClient } from "@steady/testing"
 *
 * const flaky = MockHttpClient.sequence(503, 503, { status: 200, json: { ok: true } })
 * ```
 *
 * @since 0.1.0
 * @category handlers
 */
export const sequence = (...replies: ReadonlyArray<Reply>): Handler => {
  if (replies.length === 0) throw new TypeError("MockHttpClient.sequence needs at least one reply")
  let i = 0
  return () => replies[Math.min(i++, replies.length - 1)]
}

/**
 * Routes by `"METHOD /path"` (or `"/path"` for any method); `:name` matches one segment.
 * Unmatched requests get 404 unless `fallback` says otherwise.
 *
 * @example
 * ```ts
 * import { MockHttpClient } from "@steady/testing"
 *
 * const handler = MockHttpClient.routes({
 *   "GET /pets/:id": (req) => ({ json: { id: Number(req.path.split("/")[2]), name: "Rex" } }),
 *   "POST /pets": MockHttpClient.sequence(503, 201)
 * })
 * ```
 *
 * @since 0.1.0
 * @category handlers
 */
export const routes = (table: Readonly<Record<string, Handler>>, fallback: Handler = () => 404): Handler => {
  const compiled = Route.compile(table)
  return (request) => (Route.match(compiled, request.method, request.path) ?? fallback)(request)
}

/**
 * Where a mock records the requests it receives.
 *
 * @since 0.3.0
 * @category models
 */
export interface Recorder {
  /** Every request received so far, in order. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** Forgets the recorded requests. */
  readonly clear: Effect.Effect<void>
}

/**
 * The recorder of a mock client, and the client.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockHttpClient extends Recorder {
  readonly client: HttpClient.HttpClient
}

/**
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /**
   * Records into this recorder (from `recorder()`), which the test keeps, instead of one of its
   * own that only the `MockHttpClient` service in context reaches. Each build of the layer
   * starts it empty. Default: a recorder of the mock's own.
   */
  readonly recorder?: Recorder | undefined
}

/** The requests of each recorder `recorder()` made: the store behind its `requests`. */
const stores = new WeakMap<Recorder, { entries: Array<RecordedRequest> }>()

/**
 * A recorder made outside the mock's layer, for `layer(handler, { recorder })`: the test reads
 * it directly, so it sees the requests however the layer is provided, also through
 * `Layer.provide` into a service, which hides the `MockHttpClient` service from the test.
 *
 * @example
 * ```ts
 * import { MockHttpClient } from "@steady/testing"
 *
 * const recorder = MockHttpClient.recorder()
 * const TestHttp = MockHttpClient.layer(() => 200, { recorder })
 * // in a test: const requests = yield* recorder.requests
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const recorder = (): Recorder => {
  const store = { entries: [] as Array<RecordedRequest> }
  const made: Recorder = {
    requests: Effect.sync(() => store.entries.slice()),
    clear: Effect.sync(() => {
      store.entries = []
    })
  }
  stores.set(made, store)
  return made
}

/** The store of `options.recorder`, emptied (each build of the mock starts it empty), or a new one. */
const storeOf = (options: Options | undefined) => {
  if (options?.recorder === undefined) return { entries: [] as Array<RecordedRequest> }
  const store = stores.get(options.recorder)!
  store.entries = []
  return store
}

/**
 * @since 0.1.0
 * @category tags
 */
export const MockHttpClient: Context.Service<MockHttpClient, MockHttpClient> = Context.Service<MockHttpClient>(
  "@steady/testing/MockHttpClient"
)

const decoder = new TextDecoder()

/** The most of a stream body the mock reads, as a server would: it ends the read there. */
const MAX_STREAM_BODY = 16 * 1024 * 1024

/**
 * The body as text. A stream body is read, as a server reads it (so a body readable once that
 * the client sent twice arrives empty the second time), up to 16 MiB.
 */
const bodyText = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<string> => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      return Effect.succeed(typeof body.body === "string" ? body.body : String(body.body))
    case "Stream":
      return Effect.suspend(() => {
        const streamDecoder = new TextDecoder()
        let text = ""
        let bytes = 0
        return body.stream.pipe(
          Stream.runForEachWhile((chunk) =>
            Effect.sync(() => {
              text += streamDecoder.decode(chunk, { stream: true })
              bytes += chunk.length
              return bytes < MAX_STREAM_BODY
            })
          ),
          Effect.map(() => text + streamDecoder.decode()),
          Effect.orElseSucceed(() => "")
        )
      })
    default:
      return Effect.succeed("")
  }
}

/**
 * Makes a mock client with its recorder (`options.recorder`, emptied, when given).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (handler: Handler, options?: Options): Effect.Effect<MockHttpClient> => {
  if (options?.recorder !== undefined && !stores.has(options.recorder)) {
    throw new TypeError("MockHttpClient: options.recorder must come from MockHttpClient.recorder()")
  }
  return Effect.sync(() => {
    const store = storeOf(options)
    const client = HttpClient.make((request, url) =>
      Effect.flatMap(bodyText(request), (body) => {
        const headers: Record<string, string> = {}
        for (const name in request.headers) headers[name] = request.headers[name]
        const entry: RecordedRequest = {
          method: request.method,
          url: url.href,
          path: url.pathname,
          query: url.searchParams,
          headers,
          body
        }
        store.entries.push(entry)
        const reply = handler(entry)
        return Effect.flatMap(Effect.isEffect(reply) ? reply : Effect.succeed(reply), (r) =>
          answer(request, r, entry.path))
      })
    )
    return {
      client,
      requests: Effect.sync(() => store.entries.slice()),
      clear: Effect.sync(() => {
        store.entries = []
      })
    }
  })
}

/**
 * Supplies `HttpClient.HttpClient` (the mock) and `MockHttpClient` (its recorder). Provided into
 * a service with `Layer.provide`, the service's layer keeps both to itself: provide it with
 * `Layer.provideMerge` to read `MockHttpClient.requests` in the test, or pass a `recorder()` the
 * test keeps in `options`.
 *
 * @example
 * ```ts
 * import { MockHttpClient } from "@steady/testing"
 *
 * const TestHttp = MockHttpClient.layer(MockHttpClient.sequence(503, 200))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (handler: Handler, options?: Options): Layer.Layer<HttpClient.HttpClient | MockHttpClient> =>
  Layer.effectContext(
    Effect.map(
      make(handler, options),
      (mock) => Context.make(MockHttpClient, mock).pipe(Context.add(HttpClient.HttpClient, mock.client))
    )
  )

/**
 * The requests the mock in context has received.
 *
 * @since 0.1.0
 * @category accessors
 */
export const requests: Effect.Effect<ReadonlyArray<RecordedRequest>, never, MockHttpClient> = Effect.flatMap(
  MockHttpClient,
  (mock) => mock.requests
)
