/**
 * `ApiClient.httpApi`: the typed client of an `HttpApi` whose every call runs through a
 * steady client. Each endpoint gets its own `HttpApiClient.endpoint` over the steady client
 * (with the endpoint's own call options): a failure whose status the endpoint declares an
 * error schema for is handed back to the platform as a response, so it decodes into the
 * declared error; every other failure stays the `ApiError` it is; the platform's own errors
 * (a body that does not match, a request that cannot be encoded, an undeclared 2xx) become
 * `ApiError` members too.
 *
 * @internal
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { redactUrl } from "@steady/core/Redaction"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import type * as ApiClient from "../ApiClient.js"
import * as ApiError from "../ApiError.js"
import { excerpt } from "./decode.js"

/** The last response this fiber's endpoint call received, to describe a decode failure. */
const lastResponse = globalValue(
  "@steady/client/httpApi/lastResponse",
  () => FiberRef.unsafeMake<HttpClientResponse.HttpClientResponse | undefined>(undefined)
)

/** A declared error, given back to the platform as the response it came from. */
const asResponse = (error: ApiError.StatusError, request: Parameters<typeof HttpClientResponse.fromWeb>[0]) =>
  HttpClientResponse.fromWeb(
    request,
    new Response(error.status === 204 || error.status === 304 ? null : error.body, {
      status: error.status,
      headers: error.headers
    })
  )

const requestInfo = (response: HttpClientResponse.HttpClientResponse | undefined, fallback: string) =>
  response === undefined
    ? { method: "?", url: fallback }
    : { method: response.request.method, url: redactUrl(response.request.url) }

/** The platform's errors, as `ApiError` members. */
const toApiError = (
  cause: unknown,
  response: HttpClientResponse.HttpClientResponse | undefined,
  name: string
): Effect.Effect<ApiError.ApiError> => {
  if (ApiError.isApiError(cause)) return Effect.succeed(cause)
  if (ParseResult.isParseError(cause)) {
    const detail = ParseResult.TreeFormatter.formatIssueSync(cause.issue)
    if (response === undefined) {
      // the request could not be encoded: nothing was sent
      return Effect.succeed(
        new ApiError.ConnectionError({
          request: { method: "?", url: name },
          attempts: 0,
          reason: "InvalidRequest",
          sent: false,
          detail: `the request does not match the endpoint's schema: ${detail}`
        })
      )
    }
    // the body of a response handed back for a declared error is a web Response: read it as an effect
    return Effect.map(Effect.orElseSucceed(response.text, () => ""), (body) =>
      new ApiError.DecodeError({
        request: requestInfo(response, name),
        attempts: 1,
        reason: "SchemaMismatch",
        status: response.status,
        body: excerpt(body),
        issue: Option.some(cause.issue),
        detail
      }))
  }
  if (Predicate.hasProperty(cause, "_tag") && cause._tag === "ResponseError" && response !== undefined) {
    // a status the endpoint declares neither as a success nor as an error (e.g. an undeclared 2xx)
    return Effect.succeed(
      new ApiError.UnexpectedStatusError({
        request: requestInfo(response, name),
        attempts: 1,
        status: response.status,
        headers: {},
        body: "",
        requestId: Option.none(),
        retryAfter: Option.none()
      })
    )
  }
  return Effect.succeed(
    new ApiError.ConnectionError({
      request: requestInfo(response, name),
      attempts: 0,
      reason: "InvalidRequest",
      sent: false,
      detail: cause instanceof Error ? cause.message : String(cause)
    })
  )
}

interface EndpointInfo {
  readonly group: string
  readonly topLevel: boolean
  readonly name: string
  readonly declared: ReadonlySet<number>
}

/** @internal */
export const make = (
  api: HttpApi.HttpApi.Any,
  steady: ApiClient.Client,
  perEndpoint: Readonly<Record<string, ApiClient.CallOptions | undefined>> | undefined,
  withOptions: (client: ApiClient.Client, options: ApiClient.CallOptions) => ApiClient.Client
): Effect.Effect<Record<string, any>, never, any> =>
  Effect.gen(function*() {
    const infos: Array<EndpointInfo> = []
    HttpApi.reflect(api as HttpApi.HttpApi<string, any, any, any>, {
      onGroup() {},
      onEndpoint({ endpoint, errors, group }) {
        infos.push({
          group: group.identifier,
          topLevel: group.topLevel,
          name: endpoint.name,
          declared: new Set(errors.keys())
        })
      }
    })
    const known = new Set(infos.map((i) => `${i.group}.${i.name}`))
    for (const key of Object.keys(perEndpoint ?? {})) {
      if (!known.has(key)) {
        throw new TypeError(
          `ApiClient.httpApi: endpoints.${key} is not an endpoint of the API (known: ${[...known].join(", ")})`
        )
      }
    }
    const client: Record<string, any> = {}
    for (const info of infos) {
      const name = `${info.group}.${info.name}`
      const own = perEndpoint?.[name]
      const base = own === undefined ? steady : withOptions(steady, own)
      const httpClient = HttpClient.transform(base, (effect, request) =>
        effect.pipe(
          Effect.catchIf(
            (e): e is ApiError.StatusError => ApiError.isStatusError(e) && info.declared.has(e.status),
            (e) => Effect.succeed(asResponse(e, request))
          ),
          Effect.tap((response) => FiberRef.set(lastResponse, response))
        ))
      const method = yield* HttpApiClient.endpoint(api as HttpApi.HttpApi<string, any, any, any>, {
        group: info.group,
        endpoint: info.name,
        httpClient
      } as any) as Effect.Effect<(request: unknown) => Effect.Effect<unknown, unknown>>
      const call = (request: unknown) =>
        Effect.zipRight(
          FiberRef.set(lastResponse, undefined),
          Effect.catchIf(
            method(request),
            (e) => !isDeclared(e),
            (e) => Effect.flatMap(FiberRef.get(lastResponse), (response) => Effect.flip(toApiError(e, response, name)))
          )
        )
      if (info.topLevel) client[info.name] = call
      else (client[info.group] ??= {})[info.name] = call
    }
    return client
  })

/**
 * A failure that is already typed: an `ApiError`, or one of the API's declared errors
 * (anything that is neither a platform error nor a parse error).
 */
const isDeclared = (e: unknown): boolean => {
  if (ApiError.isApiError(e)) return true
  if (ParseResult.isParseError(e)) return false
  if (Predicate.hasProperty(e, "_tag") && (e._tag === "ResponseError" || e._tag === "RequestError")) {
    return !Predicate.hasProperty(e, "request")
  }
  return true
}
