/**
 * Makes a client: options resolved once, the pipeline wired once, and `execute`, which
 * prepares each call and runs it through the pipeline.
 *
 * @internal
 */
import { redactUrl } from "@steady/core/Redaction"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as References from "effect/References"
import type * as ApiClient from "../ApiClient.js"
import * as ApiError from "../ApiError.js"
import type * as Auth from "../Auth.js"
import type * as Policy from "../Policy.js"
import type * as Retry from "../Retry.js"
import type * as RetryBudget from "../RetryBudget.js"
import type * as Transport from "../Transport.js"
import * as authInternal from "./auth.js"
import * as options from "./options.js"
import * as pipeline from "./pipeline.js"
import { prepare } from "./prepare.js"
import { BufferedResponse } from "./response.js"
import * as retryBudget from "./retryBudget.js"
import * as streamingInternal from "./streaming.js"
import * as trace from "./trace.js"
import * as transport from "./transport.js"

/** Per-call overrides, set with `ApiClient.withOptions` / `withCallOptions`. @internal */
export const currentCallOptions = Context.Reference<ApiClient.CallOptions | undefined>(
  "@steady/client/ApiClient/currentCallOptions",
  { defaultValue: () => undefined }
)

/** `outer` wins over `own`, as `options.callOptionRules` says. @internal */
export const mergeCallOptions = options.mergeCallOptions

const budgetOf = (
  retry: Retry.Retry,
  fromContext: RetryBudget.RetryBudget | undefined
): RetryBudget.RetryBudget | undefined => {
  if (retry._tag === "None") return undefined
  const option = retry.budget
  if (option === false) return undefined
  if (retryBudget.isRetryBudget(option)) return option
  if (option !== undefined) return retryBudget.unsafeMake(option)
  return fromContext ?? retryBudget.unsafeMake()
}

/** What a client is made from besides its options. @internal */
export interface Environment {
  readonly auth: Auth.Service | undefined
  readonly transport: Transport.Transport | undefined
  readonly budget: RetryBudget.RetryBudget | undefined
}

/** The client, and what was chosen for it. @internal */
export interface Made {
  readonly client: HttpClient.HttpClient.With<ApiError.ApiError>
  readonly transport: Transport.Transport
}

/** Builds the client. @internal */
export const make = (http: HttpClient.HttpClient, input: ApiClient.Options, env: Environment): Made => {
  const chosen = transport.choose(http, input.transport ?? env.transport)
  const resolved = options.askForCompression(options.resolve(input), chosen)
  const auth = env.auth
  // the first client made with unnamed credentials is the one they serve
  if (auth !== undefined && resolved.base !== undefined) authInternal.claim(auth, resolved.base)
  const redactAll = new Set([
    ...resolved.redactQuery,
    ...(auth?.sensitiveQueryParams ?? []).map((s) => s.toLowerCase())
  ])
  const redactQuery = redactAll.size > 0 ? redactAll : undefined
  const sensitiveNames = [...(input.sensitiveHeaders ?? []), ...(auth?.sensitiveHeaders ?? [])]
  const sensitiveHeaders = sensitiveNames.length > 0 ? new Set(sensitiveNames.map((s) => s.toLowerCase())) : undefined
  const budget = budgetOf(resolved.settings.retry, env.budget)
  const info: Policy.ClientInfo = { baseUrl: resolved.base, retryBudget: budget, authenticated: auth !== undefined }
  const handler = pipeline.build(resolved, chosen, auth, sensitiveHeaders, budget, info, false)
  // with a client span per request sent, for calls made under an exporting tracer
  let tracedHandler: Policy.Handler | undefined
  const traced = (request: Policy.Request) => {
    tracedHandler ??= pipeline.build(resolved, chosen, auth, sensitiveHeaders, budget, info, true)
    return trace.traced(request, tracedHandler)
  }
  const severity = options.severityOf(resolved.settings.logLevel)
  const clientCall: options.CallSettings = { settings: resolved.settings, idempotencyKey: resolved.idempotencyKey }
  const redaction = { sensitiveHeaders, secretValues: auth?.secretValues }

  const execute = (source: HttpClientRequest.HttpClientRequest) =>
    Effect.withFiber<HttpClientResponse.HttpClientResponse, ApiError.ApiError>((fiber) => {
      const overrides = fiber.getRef(currentCallOptions)
      const streaming = fiber.getRef(streamingInternal.currentStreaming)
      const call = overrides === undefined ? clientCall : options.applyCallOptions(clientCall, overrides)
      const settings = call.settings
      const clock = fiber.getRef(Clock.Clock)
      const prepared = prepare(
        resolved,
        redactQuery,
        source,
        settings,
        call.idempotencyKey,
        clock
      )
      if (ApiError.isApiError(prepared)) return Effect.fail(prepared)
      const request = streaming === undefined ? prepared : {
        ...prepared,
        streaming,
        headers: streaming.apply(prepared.headers)
      }
      const run = Effect.map(
        trace.exporting(fiber) ? traced(request) : handler(request),
        (response) =>
          new BufferedResponse(
            source,
            response.status,
            response.headers,
            response.body,
            redactUrl(request.url, request.redactQuery, request.redactValues),
            response.attempts ?? 1,
            redaction,
            response.request ?? request,
            response.stream
          )
      )
      // one line per call that fails, when the client's level is one the fiber logs at all
      const logged = severity !== undefined &&
          LogLevel.isGreaterThanOrEqualTo(severity, fiber.getRef(References.MinimumLogLevel))
        ? Effect.tapError(run, (error) =>
          Effect.annotateLogs(Effect.logWithLevel(severity)("steady: call failed"), {
            method: request.method,
            url: redactUrl(request.url, request.redactQuery, request.redactValues),
            error: error._tag,
            attempts: error.attempts,
            ...("status" in error ? { status: error.status } : {})
          }))
        : run
      // the overrides are this call's: calls made inside the pipeline (by a policy) never see them
      const own = overrides === undefined ? logged : Effect.provideService(logged, currentCallOptions, undefined)
      return streaming === undefined ? own : Effect.provideService(own, streamingInternal.currentStreaming, undefined)
    })

  // `execute` is the whole client: the preprocess step of makeWith is the identity. (0.2 also
  // put `execute` on the client object itself, to skip that step; an ordinary transform drops
  // such a property, so Effect 4's line keeps the client as makeWith builds it.)
  const client = HttpClient.makeWith<never, never, ApiError.ApiError, never>(
    (effect) => Effect.flatMap(effect, execute),
    Effect.succeed
  )
  return { client, transport: chosen }
}

/** `ApiClient.make`: the client on the `HttpClient`, `Auth`, `Transport` and `RetryBudget` in context. @internal */
export const fromContext = (
  input: ApiClient.Options
): Effect.Effect<HttpClient.HttpClient.With<ApiError.ApiError>, never, HttpClient.HttpClient> =>
  Effect.flatMap(
    Effect.all([
      HttpClient.HttpClient,
      Effect.serviceOption(authInternal.tag),
      Effect.serviceOption(transport.tag),
      Effect.serviceOption(retryBudget.tag)
    ]),
    ([http, auth, provided, budget]) => {
      const transportInContext = Option.getOrUndefined(provided)
      const made = make(http, input, {
        auth: Option.getOrUndefined(auth),
        transport: transportInContext,
        budget: Option.getOrUndefined(budget)
      })
      // the pool is in context, but the HttpClient is not its own (a platform transform): say so
      return transportInContext === undefined || made.transport === transportInContext || input.transport !== undefined
        ? Effect.succeed(made.client)
        : Effect.as(
          Effect.logDebug(
            "steady: the HttpClient in context is not the pool's own (transformed?): using the generic transport"
          ),
          made.client
        )
    }
  )

/** `ApiClient.withOptions`, data-first. @internal */
export const withOptions = (
  self: HttpClient.HttpClient.With<ApiError.ApiError>,
  callOptions: ApiClient.CallOptions
): HttpClient.HttpClient.With<ApiError.ApiError> => {
  options.applyCallOptions(options.defaultCall, callOptions) // invalid options are defects here, not per call
  return HttpClient.transformResponse(
    self,
    (effect) => Effect.updateService(effect, currentCallOptions, (outer) => mergeCallOptions(callOptions, outer))
  )
}

/** Whether a response came from a steady client (body already read). @internal */
export { isBufferedResponse } from "./response.js"

/** The stage names of a client made with `input`, outermost first. @internal */
export const stageNames = (input: ApiClient.Options, auth: Auth.Service | undefined): ReadonlyArray<string> => {
  const resolved = options.resolve(input)
  return pipeline.stages(resolved, auth, undefined).map((s) => (s === "retry" ? "retry" : s.name))
}
