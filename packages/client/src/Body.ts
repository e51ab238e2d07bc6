/**
 * Reading a response body whole. `Body.json(schema)` decodes it as JSON with a schema; the
 * client has already read it, bounded by its `maxResponseBytes`. For a body read as it
 * arrives see `Streaming`; for a listing, `Pagination`.
 *
 * `ApiClient` exports the same function under the same name (`ApiClient.json`, since 0.1).
 *
 * @since 0.3.0
 */
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Schema from "effect/Schema"
import type * as ApiError from "./ApiError.js"
import * as decode from "./internal/decode.js"

/**
 * Decodes a response body as JSON with `schema`. Invalid JSON or a mismatch fail with
 * `DecodeError`, which carries the Schema issue and a bounded excerpt of the body.
 *
 * @example
 * ```ts
 * import { ApiClient, Body } from "@steady/client"
 * import { Effect, Schema } from "effect"
 *
 * const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })
 * declare const client: ApiClient.Client
 *
 * const pet = client.get("/pets/1").pipe(Body.json(Pet))
 * ```
 *
 * @since 0.3.0
 * @category decoding
 */
export const json = <A, RS>(schema: Schema.Decoder<A, RS>) => {
  const decodeBody = decode.jsonDecoder(schema)
  return <E, R>(
    self: Effect.Effect<HttpClientResponse.HttpClientResponse, E, R>
  ): Effect.Effect<A, E | ApiError.DecodeError, R | RS> => Effect.flatMap(self, decodeBody)
}
