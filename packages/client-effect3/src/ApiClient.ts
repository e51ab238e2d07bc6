/**
 * `ApiClient` turns an `HttpClient` (usually the pooled one from `ConnectionPool`) into the
 * client of one API: base URL, default headers, an attempt timeout and a total deadline, safe
 * retries with backoff and a retry budget, and every non-2xx status classified into a typed
 * `ApiError`. The result is an `HttpClient.HttpClient.With<ApiError>`, so everything
 * @effect/platform offers for building requests works on it.
 *
 * @since 0.1.0
 */
import type * as Headers from "@effect/platform/Headers"
import type * as HttpApi from "@effect/platform/HttpApi"
import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import type * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as bounds from "@steady/core/Limits"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import type * as LogLevel from "effect/LogLevel"
import type * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Simplify } from "effect/Types"
import type * as ApiError from "./ApiError.js"
import * as Auth from "./Auth.js"
import * as internal from "./internal/apiClient.js"
import * as configKeys from "./internal/configKeys.js"
import * as decode from "./internal/decode.js"
import * as httpApiInternal from "./internal/httpApi.js"
import * as optionsInternal from "./internal/options.js"
import * as paginationInternal from "./internal/pagination.js"
import * as pathInternal from "./internal/path.js"
import * as retryInternal from "./internal/retry.js"
import * as retryBudgetInternal from "./internal/retryBudget.js"
import * as retryLoop from "./internal/retryLoop.js"
import * as sseInternal from "./internal/sse.js"
import * as streamingInternal from "./internal/streaming.js"
import * as trace from "./internal/trace.js"
import * as transportInternal from "./internal/transport.js"
import * as Pagination from "./Pagination.js"
import type * as Policy from "./Policy.js"
import type * as Retry from "./Retry.js"
import * as RetryBudget from "./RetryBudget.js"
import type * as Transport from "./Transport.js"

/**
 * The retry options of 0.1, kept as the shorthand for `Retry.standard(options)`: full jitter
 * over a capped exponential backoff, `U(0, min(cap, base·2ⁿ))`; only transport errors,
 * attempt timeouts and 408/429/500/502/503/504 (and what `retryOn` adds) are retried, never a
 * POST or PATCH that may have reached the server unless it carries an `Idempotency-Key`;
 * `Retry-After` is honoured; a retry never starts if its delay would pass the total deadline.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryOptions = Retry.StandardOptions

/**
 * Timeouts. Both are on by default and both abort the underlying request (its socket is
 * closed).
 *
 * @since 0.1.0
 * @category models
 */
export interface TimeoutOptions {
  /** The limit for one attempt, body included. Default `10 seconds`. Env: `<PREFIX>_ATTEMPT_TIMEOUT`. */
  readonly attempt?: Duration.DurationInput | undefined
  /** The deadline for the whole call, retries and their delays included. Default `30 seconds`. Env: `<PREFIX>_TIMEOUT`. */
  readonly total?: Duration.DurationInput | undefined
  /**
   * For a streamed body (`stream`, `sse`, `ndjson`): the longest wait for the next chunk once
   * the headers are in, while the caller waits for it. Default `60 seconds` (a common proxy
   * read timeout, which event streams send heartbeats to beat); `Duration.infinity` for none.
   * The attempt timeout and the total deadline cover the call up to the headers only.
   */
  readonly idle?: Duration.DurationInput | undefined
}

/**
 * Options of `ApiClient.make`. Every field is optional; the defaults are the production
 * defaults.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The API's base URL. Relative request URLs are appended to it (`/pets` on
   * `https://api.example/v1` is `https://api.example/v1/pets`), and requests to another
   * origin are refused unless `allowOtherOrigins` is set. Env: `<PREFIX>_BASE_URL`.
   */
  readonly baseUrl?: string | URL | undefined
  /** Headers sent with every request; a request's own headers win. */
  readonly headers?: Headers.Input | undefined
  /** Attempt timeout and total deadline. Defaults `10 seconds` and `30 seconds`. */
  readonly timeout?: TimeoutOptions | undefined
  /**
   * The retry policy: `Retry.standard(…)` (the default: 2 retries), `Retry.fromSchedule(…)`,
   * `Retry.none`; or the shorthands `{ times, base, cap, maxRetryAfter, budget, retryOn }` (for
   * `Retry.standard`) and `false` (for `Retry.none`). Env: `<PREFIX>_MAX_RETRIES`.
   */
  readonly retry?: Retry.Retry | RetryOptions | false | undefined
  /**
   * `"auto"` adds an `Idempotency-Key` (a UUID) to every POST and PATCH that has none: one key
   * per logical call, the same on every attempt, so those requests become safe to retry.
   * Default: off.
   */
  readonly idempotencyKey?: "auto" | undefined
  /** Send requests to origins other than `baseUrl`'s (and credentials with them). Default `false`. */
  readonly allowOtherOrigins?: boolean | undefined
  /**
   * How many redirects (301, 302, 303, 307, 308) to follow within one attempt. Default `0`:
   * a 3xx is an `UnexpectedStatusError`. A redirect that leaves the origin drops every
   * credential (Authorization, Proxy-Authorization, Cookie, API-key headers, the `Auth`
   * layer's headers); 303, and 301/302 after a POST, become a GET without a body.
   */
  readonly followRedirects?: number | undefined
  /**
   * The largest response body the client reads, in bytes; a larger one fails with
   * `DecodeError` (`reason: "TooLarge"`) without being buffered. Default 16 MiB.
   * Env: `<PREFIX>_MAX_RESPONSE_BYTES`.
   */
  readonly maxResponseBytes?: number | undefined
  /**
   * Ask for compressed responses (`Accept-Encoding: gzip, deflate, br`, unless you set that
   * header) and decompress them as they arrive, `maxResponseBytes` bounding the decompressed
   * size (a gzip bomb fails with `DecodeError` `TooLarge` having inflated no more than that). A
   * compressed answer nobody asked for is decompressed too. `false` sends no `Accept-Encoding`
   * and hands bodies over as received. On the pool's fast path; other transports (fetch, a
   * mock) do their own content coding. Default: true.
   */
  readonly compression?: boolean | undefined
  /** More query parameter names whose values are redacted in errors and logs. */
  readonly redactQueryParams?: ReadonlyArray<string> | undefined
  /**
   * Header names of your own that carry credentials (e.g. `x-session-token` in `headers`):
   * like `Authorization`, they are dropped when a redirect leaves the origin, and their values
   * are redacted wherever headers are shown. Default: none (the built-in names and the `Auth`
   * layer's always are).
   */
  readonly sensitiveHeaders?: ReadonlyArray<string> | undefined
  /**
   * Your policies, in order (the first is the outermost of its stage). A `"call"` policy wraps
   * the whole call, outside the total deadline and the retries; an `"attempt"` policy wraps
   * each attempt inside auth, so it sees the request as it will be sent (see `Policy`).
   * Default: none.
   */
  readonly policies?: ReadonlyArray<Policy.Policy> | undefined
  /**
   * The level of the one structured log line written per retry and per call that fails
   * (method, redacted URL, error, attempts); `"None"` writes none. Default: `"Debug"`.
   */
  readonly logLevel?: LogLevel.Literal | undefined
  /**
   * Record the OpenTelemetry HTTP client metrics for every attempt:
   * `http.client.request.duration` (a histogram in seconds, semconv buckets) and
   * `http.client.active_requests`, with `http.request.method`, `server.address`,
   * `server.port`, `http.response.status_code` and `error.type`. Off by default, so a client
   * that nobody measures pays nothing. Spans need no option: they are made when an exporting
   * tracer is installed (see docs/observability.md).
   */
  readonly metrics?: boolean | undefined
  /**
   * The transport to send through. Default: the `Transport` in context when it serves the
   * `HttpClient` in context (`ConnectionPool.layer` provides both), else the generic transport
   * over that `HttpClient`.
   */
  readonly transport?: Transport.Transport | undefined
}

/**
 * What can be changed for the calls of one client with `ApiClient.withOptions`. A retry
 * options object refines the client's standard policy; the budget stays the client's.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  readonly timeout?: TimeoutOptions | undefined
  readonly retry?: Retry.Retry | Omit<RetryOptions, "budget"> | false | undefined
  readonly idempotencyKey?: "auto" | undefined
}

/**
 * The client of one API.
 *
 * @since 0.1.0
 * @category models
 */
export type Client = HttpClient.HttpClient.With<ApiError.ApiError>

/**
 * Makes the client of one API on the `HttpClient` in context (supply it with
 * `ConnectionPool.layer`), with the credentials of the `Auth` service and the `RetryBudget`
 * when they are in context. Invalid options (a relative `baseUrl`, a negative timeout, a
 * value that is not a `Policy` in `policies`) are defects that name the option: they are
 * programming errors, not runtime conditions.
 *
 * @example
 * ```ts
 * import { ApiClient, ApiError } from "@steady/client-effect3"
 * import { Effect, Schema } from "effect"
 *
 * class Pet extends Schema.Class<Pet>("Pet")({ id: Schema.Number, name: Schema.String }) {}
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* ApiClient.make({ baseUrl: "https://petstore.example" })
 *   return yield* client.get(ApiClient.path`/pets/${1}`).pipe(
 *     ApiClient.json(Pet),
 *     ApiError.optional("NotFoundError")
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Effect.flatMap(
    Effect.all([
      HttpClient.HttpClient,
      Effect.serviceOption(Auth.Auth),
      Effect.serviceOption(transportInternal.tag),
      Effect.serviceOption(RetryBudget.RetryBudget)
    ]),
    ([http, auth, transport, budget]) => {
      const provided = Option.getOrUndefined(transport)
      const made = internal.make(http, options, {
        auth: Option.getOrUndefined(auth),
        transport: provided,
        budget: Option.getOrUndefined(budget)
      })
      // the pool is in context, but the HttpClient is not its own (a platform transform): say so
      return provided === undefined || made.transport === provided || options.transport !== undefined
        ? Effect.succeed(made.client)
        : Effect.as(
          Effect.logDebug(
            "steady: the HttpClient in context is not the pool's own (transformed?): using the generic transport"
          ),
          made.client
        )
    }
  )

/**
 * Makes the client on a given `HttpClient`, without the context. It sends through the
 * generic transport unless `options.transport` names another (for the pool's fast path:
 * `ConnectionPool.makeTransport`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (
  http: HttpClient.HttpClient,
  options: Options = {},
  auth?: Auth.Service | undefined
): Client => internal.make(http, options, { auth, transport: undefined, budget: undefined }).client

/**
 * The stages a client made with these options runs, outermost first, by name: for logs,
 * docs and tests.
 *
 * @example
 * ```ts
 * import { ApiClient } from "@steady/client-effect3"
 *
 * ApiClient.stages({ followRedirects: 3 })
 * // ["total-deadline", "retry", "attempt-timeout", "redirects", "classify-status"]
 * ```
 *
 * @since 0.2.0
 * @category getters
 */
export const stages = (options: Options = {}, auth?: Auth.Service | undefined): ReadonlyArray<string> =>
  internal.stageNames(options, auth)

/**
 * The options `makeConfig` reads, under a prefix: `<PREFIX>_BASE_URL` (required),
 * `<PREFIX>_TIMEOUT` (total deadline), `<PREFIX>_ATTEMPT_TIMEOUT`, `<PREFIX>_MAX_RETRIES`,
 * `<PREFIX>_MAX_RESPONSE_BYTES`. Durations are written like `10 seconds` or `500 millis`.
 *
 * @since 0.1.0
 * @category config
 */
export const config = (prefix: string): Config.Config<Options> =>
  Config.all({
    baseUrl: Config.string("BASE_URL").pipe(
      Config.mapOrFail((s) => {
        let url: URL | undefined
        try {
          url = new URL(s)
        } catch {
          url = undefined
        }
        if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
          return Either.left(ConfigError.InvalidData([], `Expected an http(s) URL, got ${JSON.stringify(s)}`))
        }
        if (url.search !== "" || url.hash !== "") {
          return Either.left(ConfigError.InvalidData([], "Expected a base URL without a query or fragment"))
        }
        return Either.right(url)
      })
    ),
    total: Config.option(positiveDuration("TIMEOUT")),
    attempt: Config.option(positiveDuration("ATTEMPT_TIMEOUT")),
    times: Config.option(wholeNumber("MAX_RETRIES", bounds.retries)),
    maxResponseBytes: Config.option(wholeNumber("MAX_RESPONSE_BYTES", bounds.maxResponseBytes))
  }).pipe(
    Config.map(({ attempt, baseUrl, maxResponseBytes, times, total }): Options => ({
      baseUrl,
      timeout: { attempt: Option.getOrUndefined(attempt), total: Option.getOrUndefined(total) },
      retry: Option.isSome(times) ? { times: times.value } : undefined,
      maxResponseBytes: Option.getOrUndefined(maxResponseBytes)
    })),
    Config.nested(prefix)
  )

/** A whole number in its documented range, written in decimal digits. */
const wholeNumber = (name: string, range: bounds.Range): Config.Config<number> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) => {
      const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN
      return bounds.holds(range, n)
        ? Either.right(n)
        : Either.left(
          ConfigError.InvalidData([], `Expected a whole number from ${range.shown}, got ${JSON.stringify(text)}`)
        )
    })
  )

/** A positive duration written with its unit; a bare number is refused with the way to write it. */
const positiveDuration = (name: string): Config.Config<Duration.Duration> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) => {
      const decoded = Duration.decodeUnknown(text.trim())
      if (Option.isNone(decoded)) {
        const bare = /^\d+(\.\d+)?$/.test(text.trim())
        return Either.left(ConfigError.InvalidData(
          [],
          bare
            ? `Expected a duration with its unit, like "${text.trim()} seconds" or "${text.trim()} millis", got ${
              JSON.stringify(text)
            }`
            : `Expected a duration like "10 seconds" or "500 millis", got ${JSON.stringify(text)}`
        ))
      }
      const millis = Duration.toMillis(decoded.value)
      if (!(millis >= bounds.configDurationMillis.min && millis <= bounds.configDurationMillis.max)) {
        return Either.left(
          ConfigError.InvalidData(
            [],
            `Expected ${bounds.configDurationMillis.shown}, got ${JSON.stringify(text)}`
          )
        )
      }
      return Either.right(decoded.value)
    })
  )

/**
 * Like `make`, with the options read through `Config` under `prefix` (see `config`);
 * `overrides` are merged over what was read. A missing or invalid variable fails with a
 * `ConfigError` that names it (e.g. `PETSTORE_BASE_URL`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeConfig = (
  prefix: string,
  overrides: Options = {}
): Effect.Effect<Client, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.flatMap(
    Effect.mapError(configKeys.read(config(prefix)), (error) => nameVariables(prefix, error)),
    (read) =>
      make({
        ...read,
        ...overrides,
        timeout: { ...read.timeout, ...overrides.timeout },
        retry: overrides.retry === false || retryInternal.isRetry(overrides.retry)
          ? overrides.retry
          : read.retry || overrides.retry
          ? { ...(read.retry as RetryOptions | undefined), ...overrides.retry }
          : undefined
      })
  )

const nameVariables = (prefix: string, error: ConfigError.ConfigError): ConfigError.ConfigError =>
  ConfigError.reduceWithContext(error, undefined, {
    andCase: (_, l, r) => ConfigError.And(l, r),
    orCase: (_, l, r) => ConfigError.Or(l, r),
    invalidDataCase: (_, path, message) => ConfigError.InvalidData(path, `${path.join("_")}: ${message}`),
    missingDataCase: (_, path, message) => ConfigError.MissingData(path, `${path.join("_")} is not set (${message})`),
    sourceUnavailableCase: (_, path, message, cause) => ConfigError.SourceUnavailable(path, message, cause),
    unsupportedCase: (_, path, message) => ConfigError.Unsupported(path, message)
  }) ?? ConfigError.InvalidData([prefix], String(error))

/**
 * A general-purpose tag for an application that talks to one API. Applications that talk to
 * several define their own services with `make` / `makeConfig` instead.
 *
 * @since 0.1.0
 * @category tags
 */
export class ApiClient extends Context.Tag("@steady/client-effect3/ApiClient")<ApiClient, Client>() {}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<ApiClient, never, HttpClient.HttpClient> =>
  Layer.effect(ApiClient, make(options))

/**
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  prefix: string,
  overrides: Options = {}
): Layer.Layer<ApiClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(ApiClient, makeConfig(prefix, overrides))

/**
 * A tagged template for request paths: every interpolated value is percent-encoded as one
 * path segment (or query value), so `` path`/pets/${"../admin?x=1"}` `` cannot leave its
 * segment. A value that would make a `.` or `..` segment throws a `TypeError`.
 *
 * @example
 * ```ts
 * import { ApiClient } from "@steady/client-effect3"
 *
 * const url = ApiClient.path`/users/${"a b/c"}/pets`  // "/users/a%20b%2Fc/pets"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const path = (
  strings: TemplateStringsArray,
  ...values: ReadonlyArray<string | number | bigint | boolean>
): string => pathInternal.path(strings, values)

/**
 * Decodes a response body as JSON with `schema`. Invalid JSON or a mismatch fail with
 * `DecodeError`, which carries the Schema issue and a bounded excerpt of the body.
 *
 * @example
 * ```ts
 * import { ApiClient } from "@steady/client-effect3"
 * import { Effect, Schema } from "effect"
 *
 * const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })
 * declare const client: ApiClient.Client
 *
 * const pet = client.get("/pets/1").pipe(ApiClient.json(Pet))
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const json = <A, I, RS>(schema: Schema.Schema<A, I, RS>) => {
  const decodeBody = decode.jsonDecoder(schema)
  return <E, R>(
    self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
  ): Effect.Effect<A, E | ApiError.DecodeError, R | RS> => Effect.flatMap(self, decodeBody)
}

/**
 * The response body as it arrives, instead of read whole: for downloads larger than
 * `maxResponseBytes`, and for bodies that never end. Pipe a call into it
 * (`client.get(...).pipe(ApiClient.stream)`).
 *
 * - Up to the response headers the call is an ordinary one: attempt timeout, total deadline,
 *   retries, auth, policies, status classification (a non-2xx fails with its typed error,
 *   its body read as usual).
 * - From then on the body is handed over as it arrives. A body that breaks before its first
 *   byte reached you is fetched again (as the retry policy allows, for a request that may be
 *   sent twice); after that it is never retried. `timeout.idle`
 *   (default 60 seconds) bounds the wait for each next chunk, and nothing bounds the whole
 *   body unless you do (`Stream.timeoutFail`, `Stream.interruptAfter`).
 * - Backpressure reaches the socket: on the pool's fast path the connection is paused while
 *   256 KiB wait for you. Compressed bodies are decompressed as they stream.
 * - When the stream ends, fails or is interrupted before the body's end, the request is
 *   aborted and its connection closed.
 *
 * The stream can be run once per run of the call: each run sends the request again.
 *
 * @example
 * ```ts
 * import { ApiClient } from "@steady/client-effect3"
 * import { Effect, Stream } from "effect"
 *
 * declare const client: ApiClient.Client
 *
 * // counts the bytes of a large download without holding it
 * const size = client.get("/exports/2026.csv").pipe(
 *   ApiClient.stream,
 *   Stream.runFold(0, (n, chunk) => n + chunk.byteLength)
 * )
 * ```
 *
 * @since 0.2.0
 * @category streaming
 */
export const stream = <E, R>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
): Stream.Stream<Uint8Array, E | ApiError.ApiError, R> => streamingInternal.stream(self)

/**
 * Newline-delimited JSON (`application/x-ndjson`, JSON Lines), streamed: each line decoded
 * with `schema` as it arrives; blank lines are skipped. A line that is not JSON or does not
 * match fails the stream with a `DecodeError` whose `detail` names the line number; a line
 * longer than `maxResponseBytes` fails with `TooLarge`. Everything `stream` says about
 * timeouts, retries and closing applies.
 *
 * @example
 * ```ts
 * import { ApiClient } from "@steady/client-effect3"
 * import { Schema, Stream } from "effect"
 *
 * const LogLine = Schema.Struct({ at: Schema.String, message: Schema.String })
 * declare const client: ApiClient.Client
 *
 * const lines = client.get("/logs?follow=true").pipe(ApiClient.ndjson(LogLine), Stream.take(100))
 * ```
 *
 * @since 0.2.0
 * @category streaming
 */
export const ndjson = <A, I, RS>(schema: Schema.Schema<A, I, RS>) =>
<E, R>(
  self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
): Stream.Stream<A, E | ApiError.ApiError, R | RS> => streamingInternal.ndjson(self, schema)

/**
 * One Server-Sent Event (`text/event-stream`).
 *
 * @since 0.2.0
 * @category streaming
 */
export interface ServerSentEvent<A = string> {
  /** The event type: `"message"` when the server named none. */
  readonly event: string
  /** The data lines, joined with `\n` (decoded with the schema given to `sse`). */
  readonly data: A
  /** The last event ID the stream set (`""` when none has been). */
  readonly id: string
  /** The reconnection delay the server last asked for, in milliseconds. */
  readonly retry: number | undefined
}

/**
 * Options of `sse`.
 *
 * @since 0.2.0
 * @category streaming
 */
export interface SseOptions {
  /**
   * How many times in a row to reconnect when an open stream breaks (a connection error, the
   * idle timeout), sending `Last-Event-ID` so the server resumes after the last event seen.
   * Only a connection that stayed open `reconnectResetAfter` starts the count again (events
   * alone do not); past the count the stream fails with the last error. Each reconnection in
   * a row waits twice as long as the one before: the server's `retry:` (or `reconnectDelay`),
   * then ×2, ×4…, within [`minReconnectDelay`, `maxReconnectDelay`]. A stream the server
   * ends cleanly is not reconnected. Default `0`. The call is sent again as it was built: for
   * a POST, make sure the server accepts it twice.
   */
  readonly reconnect?: number | undefined
  /** The first wait before reconnecting when the server set no `retry:`. Default `3 seconds`. */
  readonly reconnectDelay?: Duration.DurationInput | undefined
  /** The shortest wait before a reconnection, whatever the server's `retry:`. Default `500 millis`. */
  readonly minReconnectDelay?: Duration.DurationInput | undefined
  /** The longest wait before a reconnection, whatever the server's `retry:`. Default `60 seconds`. */
  readonly maxReconnectDelay?: Duration.DurationInput | undefined
  /**
   * How long a connection must stay open for the reconnection count and its backoff to start
   * again. Default `10 seconds`.
   */
  readonly reconnectResetAfter?: Duration.DurationInput | undefined
  /** Resume an earlier stream: sent as `Last-Event-ID` on the first request. */
  readonly lastEventId?: string | undefined
  /**
   * A `data` value that ends the stream (OpenAI's `"[DONE]"`): it is not decoded, and nothing
   * after it is read. Only with a schema.
   */
  readonly done?: string | undefined
}

/**
 * Server-Sent Events, streamed: the body parsed as the WHATWG standard says (multi-line
 * `data`, `event`, `id`, `retry`, comments, CR/LF/CRLF line ends, a leading BOM; an event
 * without its closing blank line at the end is dropped; an event whose data grows past
 * `maxResponseBytes` characters fails with `DecodeError` `TooLarge`). With a schema, each
 * event's `data` is decoded as JSON with it, and a mismatch fails the stream with a
 * `DecodeError` naming the event. `reconnect` resumes a broken stream with `Last-Event-ID`. Everything `stream` says
 * about timeouts, retries and closing applies.
 *
 * @example
 * ```ts
 * import { ApiClient } from "@steady/client-effect3"
 * import { Schema, Stream } from "effect"
 *
 * const Delta = Schema.Struct({ text: Schema.String })
 * declare const client: ApiClient.Client
 *
 * // every event of a feed, resuming after a dropped connection up to 5 times in a row
 * const feed = client.get("/feed").pipe(ApiClient.sse({ reconnect: 5 }))
 *
 * // a completion streamed as JSON deltas, up to the "[DONE]" sentinel
 * const text = client.post("/completions").pipe(
 *   ApiClient.sse(Delta, { done: "[DONE]" }),
 *   Stream.map((event) => event.data.text),
 *   Stream.mkString
 * )
 * ```
 *
 * @since 0.2.0
 * @category streaming
 */
export const sse: {
  (options?: SseOptions): <E, R>(
    self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
  ) => Stream.Stream<ServerSentEvent, E | ApiError.ApiError, R>
  <A, I, RS>(schema: Schema.Schema<A, I, RS>, options?: SseOptions): <E, R>(
    self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
  ) => Stream.Stream<ServerSentEvent<A>, E | ApiError.ApiError, R | RS>
} = (schemaOrOptions?: Schema.Schema<any, any, any> | SseOptions, options?: SseOptions) => {
  if (Schema.isSchema(schemaOrOptions)) {
    const schema = schemaOrOptions
    return (self: Effect.Effect<HttpClientResponse.HttpClientResponse, any, any>) =>
      sseInternal.decoded(self, schema, checkSse(options ?? {}))
  }
  const checked = checkSse((schemaOrOptions as SseOptions | undefined) ?? {})
  if (checked.done !== undefined) throw new TypeError("sse: done needs a schema (the sentinel is a data value)")
  return (self: Effect.Effect<HttpClientResponse.HttpClientResponse, any, any>) => sseInternal.events(self, checked)
}

const checkSse = (options: SseOptions): SseOptions => {
  sseInternal.reconnection(options)
  return options
}

/**
 * Options of `paginate` and `pages`.
 *
 * @since 0.2.0
 * @category pagination
 */
export interface PaginateOptions<P, A> {
  /** The items of a page. Optional when a page is an array of them. */
  readonly items?: ((page: P) => ReadonlyArray<A>) | undefined
  /** Where the next page is: `Pagination.link()`, `cursor(…)`, `page(…)`, `offset(…)`. */
  readonly next: Pagination.Strategy<P>
  /**
   * The most pages fetched: a listing with more fails with `PageLimitError` when the stream
   * reaches it, rather than ending as if it were complete. Required: a server that always
   * says there is a next page must not keep a job running forever.
   */
  readonly maxPages: number
}

/**
 * A listing endpoint as a lazy `Stream` of its items: the first request as you built it,
 * then the request the strategy derives from each page. Every page is an ordinary call
 * through the client (retries, timeouts, auth, policies, the origin lock), its body decoded
 * as JSON with `schema`. Pages are fetched as the stream is pulled: `Stream.take(n)` fetches
 * only the pages that hold the first `n` items.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { ApiClient, Pagination } from "@steady/client-effect3"
 * import { Schema, Stream } from "effect"
 *
 * const Issue = Schema.Struct({ number: Schema.Number, title: Schema.String })
 * declare const github: ApiClient.Client
 *
 * // GitHub: an array per page, the next page in the Link header
 * const issues = ApiClient.paginate(
 *   github,
 *   HttpClientRequest.get("/repos/effect-ts/effect/issues", { urlParams: { per_page: 100 } }),
 *   Schema.Array(Issue),
 *   { next: Pagination.link(), maxPages: 50 }
 * )
 * const first250 = issues.pipe(Stream.take(250), Stream.runCollect) // 3 requests
 *
 * // Stripe: the items in `data`, `starting_after` the last one while `has_more`
 * const Customers = Schema.Struct({
 *   data: Schema.Array(Schema.Struct({ id: Schema.String })),
 *   has_more: Schema.Boolean
 * })
 * declare const stripe: ApiClient.Client
 * const customers = ApiClient.paginate(stripe, HttpClientRequest.get("/v1/customers"), Customers, {
 *   items: (page) => page.data,
 *   next: Pagination.cursor({ param: "starting_after", next: (page) => page.has_more ? page.data.at(-1)?.id : undefined }),
 *   maxPages: 1000
 * })
 * ```
 *
 * @since 0.2.0
 * @category pagination
 */
export const paginate: {
  <P, I, RS, A>(
    client: Client,
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<P, I, RS>,
    options: PaginateOptions<NoInfer<P>, A> & { readonly items: (page: P) => ReadonlyArray<A> }
  ): Stream.Stream<A, ApiError.ApiError | Pagination.PageLimitError, RS>
  <A, I, RS>(
    client: Client,
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<ReadonlyArray<A>, I, RS>,
    options: PaginateOptions<NoInfer<ReadonlyArray<A>>, A>
  ): Stream.Stream<A, ApiError.ApiError | Pagination.PageLimitError, RS>
} = <P, I, RS, A>(
  client: Client,
  request: HttpClientRequest.HttpClientRequest,
  schema: Schema.Schema<P, I, RS>,
  options: PaginateOptions<P, A>
): Stream.Stream<A, ApiError.ApiError | Pagination.PageLimitError, RS> =>
  Stream.flattenIterables(Stream.map(pages(client, request, schema, options), (page) => page.items))

/**
 * Like `paginate`, a stream of the pages themselves (each decoded page with its items), for
 * a page's own fields (a total count, a cursor to save) or to work a page at a time.
 *
 * @since 0.2.0
 * @category pagination
 */
export const pages = <P, I, RS, A = P extends ReadonlyArray<infer X> ? X : never>(
  client: Client,
  request: HttpClientRequest.HttpClientRequest,
  schema: Schema.Schema<P, I, RS>,
  options: PaginateOptions<NoInfer<P>, A>
): Stream.Stream<Page<P, A>, ApiError.ApiError | Pagination.PageLimitError, RS> =>
  Stream.map(
    paginationInternal.pages(client, request, {
      schema,
      items: options.items ?? ((page: P) => (Array.isArray(page) ? page : []) as ReadonlyArray<A>),
      next: options.next,
      maxPages: options.maxPages
    }, Pagination.PageLimitError),
    ([page, items]): Page<P, A> => ({ page, items })
  )

/**
 * One page of a listing (`pages`).
 *
 * @since 0.2.0
 * @category pagination
 */
export interface Page<P, A> {
  readonly page: P
  readonly items: ReadonlyArray<A>
}

/**
 * The same client with other timeouts, retry policy or idempotency for its calls. Only calls
 * on the returned client are affected: another client, or a call a policy makes inside the
 * pipeline, never is. Applied twice, the outer options win field by field.
 *
 * @example
 * ```ts
 * import { ApiClient } from "@steady/client-effect3"
 *
 * declare const client: ApiClient.Client
 *
 * const payments = ApiClient.withOptions(client, { retry: false, timeout: { total: "5 seconds" } })
 * const once = payments.post("/orders")
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const withOptions: {
  (options: CallOptions): (self: Client) => Client
  (self: Client, options: CallOptions): Client
} = dual(2, (self: Client, options: CallOptions): Client => {
  optionsInternal.override(optionsInternal.defaultSettings, options) // invalid options are defects here, not per call
  return HttpClient.transformResponse(
    self,
    (effect) =>
      Effect.locallyWith(effect, internal.currentCallOptions, (outer) => internal.mergeCallOptions(options, outer))
  )
})

/**
 * Runs `self` with other timeouts, retry policy or idempotency for the steady calls it makes
 * directly, on every client.
 *
 * @deprecated Use `withOptions`, which is scoped to one client: this one changes every
 * client's calls inside `self`.
 *
 * @example
 * ```ts
 * import { ApiClient } from "@steady/client-effect3"
 *
 * declare const client: ApiClient.Client
 *
 * const once = client.post("/orders").pipe(ApiClient.withCallOptions({ retry: false }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withCallOptions: {
  (options: CallOptions): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, options: CallOptions): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, options: CallOptions): Effect.Effect<A, E, R> =>
    Effect.locally(self, internal.currentCallOptions, options)
)

/**
 * How many attempts a response took (1 when it was not retried); `undefined` for a response
 * that did not come from a steady client.
 *
 * @since 0.1.0
 * @category getters
 */
export const attempts = (response: HttpClientResponse.HttpClientResponse): number | undefined =>
  internal.isBufferedResponse(response) ? response.attempts : undefined

/**
 * The defaults, for display and documentation.
 *
 * @since 0.1.0
 * @category models
 */
export const defaults: {
  readonly attemptTimeout: Duration.Duration
  readonly totalTimeout: Duration.Duration
  readonly idleTimeout: Duration.Duration
  readonly times: number
  readonly base: Duration.Duration
  readonly cap: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
  readonly maxResponseBytes: number
} = optionsInternal.defaults

/**
 * Metrics steady updates (Effect `Metric`s, process-wide, exportable with
 * `@effect/opentelemetry`): `steady_retries_total` (retries started),
 * `steady_retry_budget_refusals_total` (retries refused because a retry budget was spent),
 * `steady_retry_budget_tokens` (a gauge of the tokens left in each named `RetryBudget`,
 * labelled `budget`), `steady_pool_open_connections` (labelled `pool`); and, for clients
 * made with `metrics: true`, the OpenTelemetry HTTP client metrics
 * `http.client.request.duration` (seconds, per request sent) and
 * `http.client.active_requests`. The resilience policies have their own (see
 * docs/observability.md).
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics: {
  readonly retries: Metric.Metric.Counter<number>
  readonly budgetRefusals: Metric.Metric.Counter<number>
  readonly budgetTokens: Metric.Metric.Gauge<number>
  readonly requestDuration: Metric.Metric.Histogram<number>
  readonly activeRequests: Metric.Metric.Counter<number>
  readonly poolOpenConnections: Metric.Metric.Gauge<number>
} = {
  retries: retryLoop.retriesTotal,
  budgetRefusals: retryBudgetInternal.refusalsTotal,
  budgetTokens: retryBudgetInternal.tokensGauge,
  requestDuration: trace.requestDuration,
  activeRequests: trace.activeRequests,
  poolOpenConnections: trace.openConnections
}

/**
 * The `"group.endpoint"` names of an API's endpoints.
 *
 * @since 0.2.0
 * @category HttpApi
 */
export type EndpointKeys<Groups extends HttpApiGroup.HttpApiGroup.Any> = Groups extends
  HttpApiGroup.HttpApiGroup<infer _Name, infer _Endpoints, infer _E, infer _R, infer _TopLevel>
  ? `${_Name}.${HttpApiEndpoint.HttpApiEndpoint.Name<_Endpoints>}`
  : never

/**
 * Options of `httpApi`: the client's options, and per-endpoint call options (retry, timeout,
 * idempotency key) keyed by `"group.endpoint"`.
 *
 * @since 0.2.0
 * @category HttpApi
 */
export interface HttpApiOptions<Keys extends string> extends Options {
  readonly endpoints?: { readonly [K in Keys]?: CallOptions | undefined } | undefined
}

/**
 * The typed client of an `HttpApi` called through steady: each method fails with exactly the
 * endpoint's declared errors (its own, its group's and the API's) or an `ApiError`.
 *
 * @since 0.2.0
 * @category HttpApi
 */
export type HttpApiClient<Groups extends HttpApiGroup.HttpApiGroup.Any, E> = Simplify<
  & {
    readonly [Group in Extract<Groups, { readonly topLevel: false }> as HttpApiGroup.HttpApiGroup.Name<Group>]:
      HttpApiClient.Group<Group, E>
  }
  & {
    readonly [Method in HttpApiClient.TopLevelMethods<Groups, E> as Method[0]]: Method[1]
  }
>

/**
 * @since 0.2.0
 * @category HttpApi
 */
export declare namespace HttpApiClient {
  /**
   * @since 0.2.0
   * @category HttpApi
   */
  export type Group<G, E> = [G] extends
    [HttpApiGroup.HttpApiGroup<infer _Name, infer _Endpoints, infer _GroupError, infer _GroupErrorR>] ? {
      readonly [Endpoint in _Endpoints as HttpApiEndpoint.HttpApiEndpoint.Name<Endpoint>]: Method<
        Endpoint,
        _GroupError | E
      >
    }
    : never

  /**
   * @since 0.2.0
   * @category HttpApi
   */
  export type Method<Endpoint, E> = [Endpoint] extends [
    HttpApiEndpoint.HttpApiEndpoint<
      infer _Name,
      infer _Method,
      infer _Path,
      infer _UrlParams,
      infer _Payload,
      infer _Headers,
      infer _Success,
      infer _Error,
      infer _R,
      infer _RE
    >
  ] ? <WithResponse extends boolean = false>(
      request: Simplify<
        HttpApiEndpoint.HttpApiEndpoint.ClientRequest<_Path, _UrlParams, _Payload, _Headers, WithResponse>
      >
    ) => Effect.Effect<
      WithResponse extends true ? [_Success, HttpClientResponse.HttpClientResponse] : _Success,
      _Error | E | ApiError.ApiError
    >
    : never

  /**
   * @since 0.2.0
   * @category HttpApi
   */
  export type TopLevelMethods<Groups extends HttpApiGroup.HttpApiGroup.Any, E> = Extract<
    Groups,
    { readonly topLevel: true }
  > extends HttpApiGroup.HttpApiGroup<infer _Id, infer _Endpoints, infer _Error, infer _ErrorR, infer _TopLevel>
    ? _Endpoints extends infer Endpoint ? [HttpApiEndpoint.HttpApiEndpoint.Name<Endpoint>, Method<Endpoint, _Error | E>]
    : never
    : never
}

/**
 * The typed client of an `HttpApi` definition, every call running through a steady client
 * (made with `options` on the `HttpClient` in context, with the `Auth` and `RetryBudget` in
 * context, like `make`): retries, timeouts, auth, policies and the pool all apply.
 *
 * For each endpoint, a status it declares an error schema for decodes into the declared
 * error; any other non-2xx is the `ApiError` member it is for any steady call; a success body
 * that does not match is a `DecodeError`; a request that does not match its schema is a
 * `ConnectionError` with `reason: "InvalidRequest"` (nothing sent). `endpoints` gives an
 * endpoint its own retry, timeout or idempotency key. A declared error's body is read from
 * the error's excerpt: at most 8 KiB.
 *
 * Use this, not `HttpApiClient.make` over `ConnectionPool.layer`: that one calls the raw pool,
 * without auth, retries or timeouts.
 *
 * @example
 * ```ts
 * import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
 * import { ApiClient } from "@steady/client-effect3"
 * import { Effect, Schema } from "effect"
 *
 * class PetNotFound extends Schema.TaggedError<PetNotFound>()("PetNotFound", { id: Schema.Number }, HttpApiSchema.annotations({ status: 404 })) {}
 * const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })
 *
 * const Api = HttpApi.make("petstore").add(
 *   HttpApiGroup.make("pets")
 *     .add(HttpApiEndpoint.get("get", "/pets/:id").setPath(Schema.Struct({ id: Schema.NumberFromString })).addSuccess(Pet).addError(PetNotFound))
 *     .add(HttpApiEndpoint.post("create", "/pets").setPayload(Pet).addSuccess(Pet))
 * )
 *
 * const program = Effect.gen(function*() {
 *   const petstore = yield* ApiClient.httpApi(Api, {
 *     baseUrl: "https://petstore.example",
 *     endpoints: { "pets.create": { idempotencyKey: "auto" } } // a POST retried safely
 *   })
 *   // Effect<Pet, PetNotFound | ApiError>
 *   return yield* petstore.pets.get({ path: { id: 1 } })
 * })
 * ```
 *
 * @since 0.2.0
 * @category HttpApi
 */
export const httpApi = <ApiId extends string, Groups extends HttpApiGroup.HttpApiGroup.Any, E, R>(
  api: HttpApi.HttpApi<ApiId, Groups, E, R>,
  options: HttpApiOptions<EndpointKeys<Groups>> = {}
): Effect.Effect<
  HttpApiClient<Groups, E>,
  never,
  | HttpClient.HttpClient
  | HttpApiMiddleware.HttpApiMiddleware.Without<R | HttpApiGroup.HttpApiGroup.ClientContext<Groups>>
> => {
  const { endpoints, ...clientOptions } = options
  return Effect.flatMap(
    make(clientOptions),
    (steady) =>
      httpApiInternal.make(
        api as any,
        steady,
        endpoints as Readonly<Record<string, CallOptions | undefined>> | undefined,
        (client, o) => withOptions(client, o)
      ) as any
  )
}
