/**
 * `ApiClient` turns an `HttpClient` (usually the pooled one from `ConnectionPool`) into the
 * client of one API: base URL, default headers, an attempt timeout and a total deadline, safe
 * retries with backoff and a retry budget, and every non-2xx status classified into a typed
 * `ApiError`. The result is an `HttpClient.HttpClient.With<ApiError>`, so everything
 * @effect/platform offers for building requests works on it.
 *
 * This module is the client and its options. What you do with a response has its own module:
 * `Body` (read whole), `Streaming` (read as it arrives), `Pagination` (a listing as a stream),
 * `TypedApi` (an `HttpApi` definition's client). Their functions and types are exported here
 * too, under the names 0.2 gave them (`ApiClient.json`, `ApiClient.sse`, `ApiClient.paginate`,
 * `ApiClient.httpApi`, …): the same values, for code written against 0.2.
 *
 * @since 0.1.0
 */
import type * as Headers from "@effect/platform/Headers"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as bounds from "@steady/core/Limits"
import * as Redaction from "@steady/core/Redaction"
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
import type * as ApiError from "./ApiError.js"
import type * as Auth from "./Auth.js"
import * as internal from "./internal/apiClient.js"
import * as configKeys from "./internal/configKeys.js"
import * as optionsInternal from "./internal/options.js"
import * as pathInternal from "./internal/path.js"
import * as retryInternal from "./internal/retry.js"
import * as retryBudgetInternal from "./internal/retryBudget.js"
import * as retryLoop from "./internal/retryLoop.js"
import * as trace from "./internal/trace.js"
import type * as Pagination from "./Pagination.js"
import type * as Policy from "./Policy.js"
import type * as Retry from "./Retry.js"
import type * as Streaming from "./Streaming.js"
import type * as Transport from "./Transport.js"
import type * as TypedApi from "./TypedApi.js"

/**
 * The retry options of 0.1, kept as the shorthand for `Retry.standard(options)`: full jitter
 * over a capped exponential backoff, `U(0, min(cap, base·2ⁿ))`; only transport errors,
 * attempt timeouts and 408/429/500/502/503/504 (and what `retryOn` adds) are retried, never a
 * POST or PATCH that may have reached the server unless it carries an `Idempotency-Key`;
 * `Retry-After` is honoured; a retry never starts if its delay would pass the total deadline.
 *
 * @deprecated Name the type `Retry.StandardOptions`. The shorthand itself (`retry: { times }`)
 * keeps working, but the obvious way is a policy value, `retry: Retry.standard({ times })`
 * (docs/retries.md, "One way to set retries").
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions extends Omit<Retry.StandardOptions, "budget"> {
  /**
   * The retry budget (see `Retry.BudgetOption`). Per client: ignored in per-call options.
   *
   * @deprecated Give the budget to the policy, `retry: Retry.standard({ budget })` (or
   * `Retry.fromSchedule(schedule, { budget })`), or share one between clients with
   * `RetryBudget.layer`.
   */
  readonly budget?: Retry.BudgetOption | undefined
}

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
   * The retry policy, as a value: `Retry.standard(…)` (the default: 2 retries, see
   * `defaults`), `Retry.fromSchedule(…)` or `Retry.none`. The 0.1 shorthands still work:
   * `{ times, base, cap, maxRetryAfter, retryOn }` for `Retry.standard` and `false` for
   * `Retry.none` (`budget` in the shorthand is deprecated: `Retry.standard({ budget })`).
   * Env: `<PREFIX>_MAX_RETRIES`.
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
   * a 3xx is an `UnexpectedStatusError` whose message says how to follow it. A redirect that
   * leaves the origin drops every credential (Authorization, Proxy-Authorization, Cookie,
   * API-key headers, the `Auth` layer's headers); 303, and 301/302 after a POST, become a GET
   * without a body. A redirect not followed (the limit reached, a one-shot body, no usable
   * `Location`) fails with its `UnexpectedStatusError`, whose `redirects` names the chain from
   * the first URL. Also a call option (`withOptions`).
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
  readonly retry?: Retry.Retry | Omit<Retry.StandardOptions, "budget"> | false | undefined
  readonly idempotencyKey?: "auto" | undefined /**
   * How many redirects to follow within one attempt, for these calls (see
   * `Options.followRedirects`). The client's `allowOtherOrigins` still decides where they may go.
   *
   * @since 0.3.0
   */

  readonly followRedirects?: number | undefined
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
  internal.fromContext(options)

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
 * ApiClient.stages({ metrics: true })
 * // ["total-deadline", "retry", "attempt-timeout", "redirects", "instrument", "classify-status"]
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
          return Either.left(ConfigError.InvalidData([], `Expected an http(s) URL, got ${Redaction.quoteUrl(s)}`))
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
          ? { ...(read.retry as Retry.StandardOptions | undefined), ...overrides.retry }
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

export {
  /**
   * Decodes a response body as JSON with a schema: `Body.json`.
   *
   * @since 0.1.0
   * @category decoding
   */
  json
} from "./Body.js"

export {
  /**
   * Newline-delimited JSON, streamed and decoded line by line: `Streaming.ndjson`.
   *
   * @since 0.2.0
   * @category streaming
   */
  ndjson,
  /**
   * Server-Sent Events, streamed, with reconnection: `Streaming.sse`.
   *
   * @since 0.2.0
   * @category streaming
   */
  sse,
  /**
   * The response body as it arrives: `Streaming.stream`.
   *
   * @since 0.2.0
   * @category streaming
   */
  stream
} from "./Streaming.js"

/**
 * One Server-Sent Event: `Streaming.ServerSentEvent`.
 *
 * @since 0.2.0
 * @category streaming
 */
export type ServerSentEvent<A = string> = Streaming.ServerSentEvent<A>

/**
 * Options of `sse`: `Streaming.SseOptions`.
 *
 * @since 0.2.0
 * @category streaming
 */
export type SseOptions = Streaming.SseOptions

export {
  /**
   * A listing endpoint as a lazy `Stream` of its pages: `Pagination.pages`.
   *
   * @since 0.2.0
   * @category pagination
   */
  pages,
  /**
   * A listing endpoint as a lazy `Stream` of its items: `Pagination.paginate`.
   *
   * @since 0.2.0
   * @category pagination
   */
  paginate
} from "./Pagination.js"

/**
 * Options of `paginate` and `pages`: `Pagination.PaginateOptions`.
 *
 * @since 0.2.0
 * @category pagination
 */
export type PaginateOptions<P, A> = Pagination.PaginateOptions<P, A>

/**
 * One page of a listing: `Pagination.Page`.
 *
 * @since 0.2.0
 * @category pagination
 */
export type Page<P, A> = Pagination.Page<P, A>

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
} = dual(2, internal.withOptions)

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
 * The defaults of every client option, published once: the timeouts, the retry policy's
 * (`Retry.standard`'s: `times`, `base`, `cap`, `maxRetryAfter`) and the body limit. The docs
 * and the other modules refer to this constant (the retry budget's are `RetryBudget.defaults`).
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

export {
  /**
   * The typed client of an `HttpApi` definition, called through steady: `TypedApi.httpApi`.
   *
   * @since 0.2.0
   * @category HttpApi
   */
  httpApi
} from "./TypedApi.js"

/**
 * The `"group.endpoint"` names of an API's endpoints: `TypedApi.EndpointKeys`.
 *
 * @since 0.2.0
 * @category HttpApi
 */
export type EndpointKeys<Groups extends HttpApiGroup.HttpApiGroup.Any> = TypedApi.EndpointKeys<Groups>

/**
 * Options of `httpApi`: `TypedApi.HttpApiOptions`.
 *
 * @since 0.2.0
 * @category HttpApi
 */
export type HttpApiOptions<Keys extends string> = TypedApi.HttpApiOptions<Keys>

/**
 * The typed client of an `HttpApi` called through steady: `TypedApi.HttpApiClient`.
 *
 * @since 0.2.0
 * @category HttpApi
 */
export type HttpApiClient<Groups extends HttpApiGroup.HttpApiGroup.Any, E> = TypedApi.HttpApiClient<Groups, E>

/**
 * The parts of `HttpApiClient`: `TypedApi.HttpApiClient`.
 *
 * @since 0.2.0
 * @category HttpApi
 */
export declare namespace HttpApiClient {
  /**
   * @since 0.2.0
   * @category HttpApi
   */
  export type Group<G, E> = TypedApi.HttpApiClient.Group<G, E>
  /**
   * @since 0.2.0
   * @category HttpApi
   */
  export type Method<Endpoint, E> = TypedApi.HttpApiClient.Method<Endpoint, E>
  /**
   * @since 0.2.0
   * @category HttpApi
   */
  export type TopLevelMethods<Groups extends HttpApiGroup.HttpApiGroup.Any, E> = TypedApi.HttpApiClient.TopLevelMethods<
    Groups,
    E
  >
}
