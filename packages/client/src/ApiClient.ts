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
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as ApiError from "./ApiError.js"
import * as Auth from "./Auth.js"
import * as internal from "./internal/apiClient.js"
import * as decode from "./internal/decode.js"
import * as pathInternal from "./internal/path.js"

/**
 * The retry policy. Retries use full jitter over a capped exponential backoff,
 * `U(0, min(cap, base·2ⁿ))`, built on `Schedule.exponential`; they retry only transport
 * errors, attempt timeouts and 408/429/500/502/503/504, never a POST or PATCH that may have
 * reached the server unless it carries an `Idempotency-Key`; they honour `Retry-After`; and
 * a retry never starts if its delay would pass the total deadline.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** How many retries after the first attempt. Default `2` (3 attempts). `0` turns retries off. */
  readonly times?: number | undefined
  /** The first backoff ceiling; doubles each retry. Default `500 millis`. */
  readonly base?: Duration.DurationInput | undefined
  /** The largest backoff ceiling. Default `8 seconds`. */
  readonly cap?: Duration.DurationInput | undefined
  /**
   * The longest server hint (`Retry-After`, `retry-after-ms`) the client waits for. A longer
   * hint fails at once with the error carrying `retryAfter`. Default `60 seconds`.
   */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /**
   * The retry budget shared by all calls of the client: a token bucket (capacity 500; a
   * retry costs 5, a retry after a timeout 10; a success refunds what its retries cost, or 1).
   * When it is empty, calls fail with their first error instead of retrying. `false` turns it
   * off. Per-client only (ignored in per-call options).
   */
  readonly budget?:
    | false
    | {
      readonly capacity?: number | undefined
      readonly retryCost?: number | undefined
      readonly timeoutRetryCost?: number | undefined
      readonly successRefund?: number | undefined
    }
    | undefined
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
  /** The retry policy (see `RetryOptions`), or `false` for none. Default: 2 retries. Env: `<PREFIX>_MAX_RETRIES`. */
  readonly retry?: RetryOptions | false | undefined
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
  /** More query parameter names whose values are redacted in errors and logs. */
  readonly redactQueryParams?: ReadonlyArray<string> | undefined
}

/**
 * What can be changed for one call with `ApiClient.withCallOptions`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  readonly timeout?: TimeoutOptions | undefined
  readonly retry?: Omit<RetryOptions, "budget"> | false | undefined
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
 * `ConnectionPool.layer`), with the credentials of the `Auth` service when one is in
 * context. Invalid options (a relative `baseUrl`, a negative timeout) are
 * defects: they are programming errors, not runtime conditions.
 *
 * @example
 * ```ts
 * import { ApiClient, ApiError } from "@steady/client"
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
    HttpClient.HttpClient,
    (http) =>
      Effect.map(Effect.serviceOption(Auth.Auth), (auth) => internal.make(http, options, Option.getOrUndefined(auth)))
  )

/**
 * Makes the client on a given `HttpClient`, without the context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (
  http: HttpClient.HttpClient,
  options: Options = {},
  auth?: Auth.Service | undefined
): Client => internal.make(http, options, auth)

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
        try {
          const url = new URL(s)
          if (url.protocol === "http:" || url.protocol === "https:") return Either.right(url)
        } catch {
          // fall through
        }
        return Either.left(ConfigError.InvalidData([], `Expected an http(s) URL, got ${JSON.stringify(s)}`))
      })
    ),
    total: Config.option(Config.duration("TIMEOUT")),
    attempt: Config.option(Config.duration("ATTEMPT_TIMEOUT")),
    times: Config.option(
      Config.integer("MAX_RETRIES").pipe(Config.validate({
        message: "Expected a whole number ≥ 0",
        validation: (n) => n >= 0
      }))
    ),
    maxResponseBytes: Config.option(
      Config.integer("MAX_RESPONSE_BYTES").pipe(Config.validate({
        message: "Expected a positive whole number",
        validation: (n) => n > 0
      }))
    )
  }).pipe(
    Config.map(({ attempt, baseUrl, maxResponseBytes, times, total }): Options => ({
      baseUrl,
      timeout: { attempt: Option.getOrUndefined(attempt), total: Option.getOrUndefined(total) },
      retry: Option.isSome(times) ? { times: times.value } : undefined,
      maxResponseBytes: Option.getOrUndefined(maxResponseBytes)
    })),
    Config.nested(prefix)
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
    Effect.mapError(config(prefix), (error) => nameVariables(prefix, error)),
    (read) =>
      make({
        ...read,
        ...overrides,
        timeout: { ...read.timeout, ...overrides.timeout },
        retry: overrides.retry === false ? false : read.retry || overrides.retry
          ? { ...read.retry, ...overrides.retry }
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
export class ApiClient extends Context.Tag("@steady/client/ApiClient")<ApiClient, Client>() {}

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
 * import { ApiClient } from "@steady/client"
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
 * import { ApiClient } from "@steady/client"
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
 * Runs `self` (an effect that makes requests through a steady client) with other timeouts,
 * retry policy or idempotency for its calls.
 *
 * @example
 * ```ts
 * import { ApiClient } from "@steady/client"
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
  readonly times: number
  readonly base: Duration.Duration
  readonly cap: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
  readonly maxResponseBytes: number
} = internal.defaults

/**
 * Metrics every steady client updates (Effect `Metric` counters, process-wide):
 * `steady_retries_total` (retries started) and `steady_retry_budget_refusals_total`
 * (retries refused because a client's retry budget was spent).
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics: {
  readonly retries: Metric.Metric.Counter<number>
  readonly budgetRefusals: Metric.Metric.Counter<number>
} = { retries: internal.retriesTotal, budgetRefusals: internal.budgetRefusalsTotal }
