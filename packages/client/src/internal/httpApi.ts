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
import { redactUrl } from "@steady/core/Redaction"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as ApiClient from "../ApiClient.js"
import * as ApiError from "../ApiError.js"
import { excerpt } from "./decode.js"
import { formatIssue } from "./errorMessage.js"

/**
 * The last response an endpoint call received, to describe a decode failure: a cell per call,
 * provided around it (0.2 set a fiber ref; Effect 4 has no settable fiber-local state).
 */
const LastResponse = Context.Reference<{ response: HttpClientResponse.HttpClientResponse | undefined } | undefined>(
  "@steady/client/httpApi/lastResponse",
  { defaultValue: () => undefined }
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
  if (Schema.isSchemaError(cause)) {
    const detail = formatIssue(cause.issue)
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
  if (HttpClientError.isHttpClientError(cause) && cause.reason._tag === "StatusCodeError" && response !== undefined) {
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
  api: HttpApi.Top,
  steady: ApiClient.Client,
  perEndpoint: Readonly<Record<string, ApiClient.CallOptions | undefined>> | undefined,
  withOptions: (client: ApiClient.Client, options: ApiClient.CallOptions) => ApiClient.Client
): Effect.Effect<Record<string, any>, never, any> =>
  Effect.gen(function*() {
    const infos: Array<EndpointInfo> = []
    HttpApi.reflect(api as HttpApi.HttpApi<string, any>, {
      onGroup() {},
      onEndpoint({ endpoint, errors, group }) {
        infos.push({
          group: group.identifier,
          topLevel: (group as { readonly topLevel?: boolean }).topLevel === true,
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
          Effect.tap((response) =>
            Effect.withFiber((fiber) => {
              const cell = fiber.getRef(LastResponse)
              if (cell !== undefined) cell.response = response
              return Effect.void
            })
          )
        ))
      const method = yield* HttpApiClient.endpoint(api as HttpApi.HttpApi<string, any>, {
        group: info.group,
        endpoint: info.name,
        httpClient
      } as any) as Effect.Effect<(request: unknown) => Effect.Effect<unknown, unknown>>
      const call = (request: unknown) =>
        Effect.suspend(() => {
          const cell: { response: HttpClientResponse.HttpClientResponse | undefined } = { response: undefined }
          return Effect.provideService(
            Effect.catchIf(
              method(request),
              (e) => !isDeclared(e),
              (e) => Effect.flip(toApiError(e, cell.response, name))
            ),
            LastResponse,
            cell
          )
        })
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
  if (Schema.isSchemaError(e)) return false
  return !HttpClientError.isHttpClientError(e)
}
