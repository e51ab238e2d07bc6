/**
 * The `Transport` service and how a client picks one.
 *
 * @internal
 */
import * as Context from "effect/Context"
import type * as HttpClient from "effect/http/HttpClient"
import type * as Transport from "../Transport.js"
import * as httpClientTransport from "./httpClientTransport.js"

/** @internal */
export const tag = Context.Service<Transport.Transport>("@steady/client/Transport")

/**
 * The transport for `http`: `provided` when it serves that very client (the pool's own), else
 * the generic transport over `http` (a mock, fetch, a transformed pool).
 *
 * @internal
 */
export const choose = (
  http: HttpClient.HttpClient,
  provided: Transport.Transport | undefined
): Transport.Transport =>
  provided !== undefined && (provided.httpClient === undefined || provided.httpClient === http)
    ? provided
    : httpClientTransport.make(http)
