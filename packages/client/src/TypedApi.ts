/**
 * An `HttpApi` definition called through steady: `TypedApi.httpApi(Api, options)` makes the
 * definition's typed client, every call running through a steady client (retries, timeouts,
 * auth, policies, the pool), each method failing with the endpoint's declared errors or an
 * `ApiError`. See docs/httpapi.md.
 *
 * `ApiClient` exports the same function and types under the same names (`ApiClient.httpApi`,
 * since 0.2).
 *
 * @since 0.3.0
 */
import * as Effect from "effect/Effect"
import type * as HttpApi from "effect/http-api/HttpApi"
import type * as HttpApiClientNs from "effect/http-api/HttpApiClient"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import type * as HttpClient from "effect/http/HttpClient"
import type * as ApiClient from "./ApiClient.js"
import type * as ApiError from "./ApiError.js"
import * as apiClientInternal from "./internal/apiClient.js"
import * as httpApiInternal from "./internal/httpApi.js"

/**
 * The `"group.endpoint"` names of an API's endpoints.
 *
 * @since 0.3.0
 * @category HttpApi
 */
export type EndpointKeys<Groups extends HttpApiGroup.Constraint> = Groups extends HttpApiGroup.Constraint
  ? `${Groups["identifier"]}.${Extract<keyof Groups["endpoints"], string>}`
  : never

/**
 * Options of `httpApi`: the client's options, and per-endpoint call options (retry, timeout,
 * idempotency key) keyed by `"group.endpoint"`.
 *
 * @since 0.3.0
 * @category HttpApi
 */
export interface HttpApiOptions<Keys extends string> extends ApiClient.Options {
  readonly endpoints?: { readonly [K in Keys]?: ApiClient.CallOptions | undefined } | undefined
}

/**
 * The typed client of an `HttpApi` called through steady: each method fails with the
 * endpoint's declared errors (its own, its group's and the API's) or an `ApiError`. (On
 * Effect 4 the type is `HttpApiClient.Client` with `ApiError` added: it still lists
 * `HttpClientError` and `SchemaError`, which a steady call turns into `ApiError` members and
 * so never fails with.)
 *
 * @since 0.3.0
 * @category HttpApi
 */
export type HttpApiClient<Groups extends HttpApiGroup.Constraint, E = never> = HttpApiClientNs.Client<
  Groups,
  E | ApiError.ApiError
>

/**
 * The typed client of an `HttpApi` definition, every call running through a steady client
 * (made with `options` on the `HttpClient` in context, with the `Auth` and `RetryBudget` in
 * context, like `ApiClient.make`): retries, timeouts, auth, policies and the pool all apply.
 *
 * For each endpoint, a status it declares an error schema for decodes into the declared
 * error; any other non-2xx is the `ApiError` member it is for any steady call; a success body
 * that does not match is a `DecodeError`; a request that does not match its schema is a
 * `ConnectionError` with `reason: "InvalidRequest"` (nothing sent). `endpoints` gives an
 * endpoint its own retry, timeout or idempotency key. A declared error's body is read from
 * the error's excerpt: one over 8 KiB, or one that did not decompress, is a `DecodeError`
 * (`TooLarge`, `Read`) with its status, never a declared error decoded from part of it. Each
 * path parameter is percent-encoded as one segment (`ApiClient.path`); a value that would
 * make a segment empty, `.` or `..` is refused before anything is sent.
 *
 * Use this, not `HttpApiClient.make` over `ConnectionPool.layer`: that one calls the raw pool,
 * without auth, retries or timeouts.
 *
 * @example
 * ```ts
 * import { TypedApi } from "@steady/client"
 * import { Effect, Schema } from "effect"
 * import { HttpApi, HttpApiEndpoint, HttpApiGroup } from "effect/http-api"
 *
 * class PetNotFound extends Schema.TaggedError<PetNotFound>()("PetNotFound", { id: Schema.Number }, { httpApiStatus: 404 }) {}
 * const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })
 *
 * const Api = HttpApi.make("petstore").add(
 *   HttpApiGroup.make("pets")
 *     .add(HttpApiEndpoint.get("get", "/pets/:id", { params: { id: Schema.Finite }, success: Pet, error: PetNotFound }))
 *     .add(HttpApiEndpoint.post("create", "/pets", { payload: Pet, success: Pet }))
 * )
 *
 * const program = Effect.gen(function*() {
 *   const petstore = yield* TypedApi.httpApi(Api, {
 *     baseUrl: "https://petstore.example",
 *     endpoints: { "pets.create": { idempotencyKey: "auto" } } // a POST retried safely
 *   })
 *   // Effect<Pet, PetNotFound | ApiError>
 *   return yield* petstore.pets.get({ params: { id: 1 } })
 * })
 * ```
 *
 * @since 0.3.0
 * @category HttpApi
 */
export const httpApi = <ApiId extends string, Groups extends HttpApiGroup.Constraint>(
  api: HttpApi.HttpApi<ApiId, Groups>,
  options: HttpApiOptions<EndpointKeys<Groups>> = {}
): Effect.Effect<
  HttpApiClient<Groups>,
  never,
  HttpClient.HttpClient | HttpApiGroup.MiddlewareClient<Groups>
> => {
  const { endpoints, ...clientOptions } = options
  return Effect.flatMap(
    apiClientInternal.fromContext(clientOptions),
    (steady) =>
      httpApiInternal.make(
        api as any,
        steady,
        endpoints as Readonly<Record<string, ApiClient.CallOptions | undefined>> | undefined,
        apiClientInternal.withOptions
      ) as any
  )
}
