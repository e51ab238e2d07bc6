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
import type * as HttpApi from "@effect/platform/HttpApi"
import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import type * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import type { Simplify } from "effect/Types"
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
export type EndpointKeys<Groups extends HttpApiGroup.HttpApiGroup.Any> = Groups extends
  HttpApiGroup.HttpApiGroup<infer _Name, infer _Endpoints, infer _E, infer _R, infer _TopLevel>
  ? `${_Name}.${HttpApiEndpoint.HttpApiEndpoint.Name<_Endpoints>}`
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
 * The typed client of an `HttpApi` called through steady: each method fails with exactly the
 * endpoint's declared errors (its own, its group's and the API's) or an `ApiError`.
 *
 * @since 0.3.0
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
 * @since 0.3.0
 * @category HttpApi
 */
export declare namespace HttpApiClient {
  /**
   * @since 0.3.0
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
   * @since 0.3.0
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
   * @since 0.3.0
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
 * context, like `ApiClient.make`): retries, timeouts, auth, policies and the pool all apply.
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
 * import { TypedApi } from "@steady/client-effect3"
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
 *   const petstore = yield* TypedApi.httpApi(Api, {
 *     baseUrl: "https://petstore.example",
 *     endpoints: { "pets.create": { idempotencyKey: "auto" } } // a POST retried safely
 *   })
 *   // Effect<Pet, PetNotFound | ApiError>
 *   return yield* petstore.pets.get({ path: { id: 1 } })
 * })
 * ```
 *
 * @since 0.3.0
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
