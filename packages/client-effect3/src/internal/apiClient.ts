/**
 * Makes a client: options resolved once, the pipeline wired once, and `execute`, which
 * prepares each call and runs it through the pipeline.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { redactUrl } from "@steady/core/Redaction"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
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
export const currentCallOptions = globalValue(
  Symbol.for("@steady/client-effect3/ApiClient/currentCallOptions"),
  () => FiberRef.unsafeMake<ApiClient.CallOptions | undefined>(undefined)
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

/**
 * The client `make` builds: Effect's `HttpClient`, with the steps that `HttpClient.makeWith`
 * would hide declared. A transform of the client (`HttpClient.mapRequest`, `withOptions`, …)
 * is built from `preprocess` and `postprocess`, as it is for Effect's own clients; the
 * client's own `execute` (and so `get`, `post`, …) is steady's, run directly.
 *
 * @internal
 */
export interface Client extends HttpClient.HttpClient.With<ApiError.ApiError> {
  /** The identity: steady prepares the request in `execute`. */
  readonly preprocess: HttpClient.HttpClient.Preprocess<never, never>
  /** `execute` after the request's effect. */
  readonly postprocess: (
    request: Effect.Effect<HttpClientRequest.HttpClientRequest>
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, ApiError.ApiError>
  /** Prepares the call and runs it through the pipeline: `postprocess(preprocess(r))` less one `Effect`. */
  readonly execute: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, ApiError.ApiError>
}

/** The prototype of Effect's clients (`get`, `post`, …, `pipe`, inspection), which is not exported. */
const clientProto: object = Object.getPrototypeOf(
  HttpClient.makeWith((request) => Effect.flatMap(request, Effect.die), Effect.succeed)
)

/** The client, and what was chosen for it. @internal */
export interface Made {
  readonly client: Client
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
  const logLevel = resolved.settings.logLevel
  const redaction = { sensitiveHeaders, secretValues: auth?.secretValues }
  const clientCall: options.CallSettings = { settings: resolved.settings, idempotencyKey: resolved.idempotencyKey }

  const execute = (source: HttpClientRequest.HttpClientRequest) =>
    Effect.withFiberRuntime<HttpClientResponse.HttpClientResponse, ApiError.ApiError>((fiber) => {
      const overrides = fiber.getFiberRef(currentCallOptions)
      const streaming = fiber.getFiberRef(streamingInternal.currentStreaming)
      const call = overrides === undefined ? clientCall : options.applyCallOptions(clientCall, overrides)
      const settings = call.settings
      const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
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
      const logged = logLevel._tag !== "None" &&
          LogLevel.greaterThanEqual(logLevel, fiber.getFiberRef(FiberRef.currentMinimumLogLevel))
        ? Effect.tapError(run, (error) =>
          Effect.annotateLogs(Effect.logWithLevel(logLevel, "steady: call failed"), {
            method: request.method,
            url: redactUrl(request.url, request.redactQuery, request.redactValues),
            error: error._tag,
            attempts: error.attempts,
            ...("status" in error ? { status: error.status } : {})
          }))
        : run
      // the overrides are this call's: calls made inside the pipeline (by a policy) never see them
      const own = overrides === undefined ? logged : Effect.locally(logged, currentCallOptions, undefined)
      return streaming === undefined ? own : Effect.locally(own, streamingInternal.currentStreaming, undefined)
    })

  // `execute` is the whole client: what `HttpClient.makeWith(postprocess, Effect.succeed)`
  // builds, with `execute` run directly
  const client: Client = Object.setPrototypeOf(
    {
      preprocess: Effect.succeed,
      postprocess: (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) => Effect.flatMap(effect, execute),
      execute
    } satisfies Pick<Client, "preprocess" | "postprocess" | "execute">,
    clientProto
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
    (effect) => Effect.locallyWith(effect, currentCallOptions, (outer) => mergeCallOptions(callOptions, outer))
  )
}

/** Whether a response came from a steady client (body already read). @internal */
export { isBufferedResponse } from "./response.js"

/** The stage names of a client made with `input`, outermost first. @internal */
export const stageNames = (input: ApiClient.Options, auth: Auth.Service | undefined): ReadonlyArray<string> => {
  const resolved = options.resolve(input)
  return pipeline.stages(resolved, auth, undefined).map((s) => (s === "retry" ? "retry" : s.name))
}
