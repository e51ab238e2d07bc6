/**
 * Policy values and the request helpers every stage shares.
 *
 * @internal
 */
import { redactUrl } from "@steady/core/Redaction"
import * as Predicate from "effect/Predicate"
import type * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"

/** @internal */
export const TypeId: typeof Policy.TypeId = Symbol.for("@steady/client/Policy") as typeof Policy.TypeId

/** @internal */
export const make = (options: {
  readonly name: string
  readonly stage: Policy.Stage
  readonly wrap: (next: Policy.Handler, client: Policy.ClientInfo) => Policy.Handler
  readonly eachAttempt?: ((next: Policy.Handler, client: Policy.ClientInfo) => Policy.Handler) | undefined
}): Policy.Policy => {
  if (options.stage !== "call" && options.stage !== "attempt") {
    throw new TypeError(`Policy.make: stage must be "call" or "attempt", got ${JSON.stringify(options.stage)}`)
  }
  if (typeof options.wrap !== "function") throw new TypeError(`Policy.make: wrap of ${options.name} is not a function`)
  if (options.eachAttempt !== undefined) {
    if (options.stage !== "call") {
      throw new TypeError(
        `Policy.make: eachAttempt of ${options.name} needs stage "call" (an "attempt" policy sees every attempt already)`
      )
    }
    if (typeof options.eachAttempt !== "function") {
      throw new TypeError(`Policy.make: eachAttempt of ${options.name} is not a function`)
    }
  }
  return {
    [TypeId]: TypeId,
    name: options.name,
    stage: options.stage,
    wrap: options.wrap,
    eachAttempt: options.eachAttempt
  }
}

/** @internal */
export const isPolicy = (u: unknown): u is Policy.Policy => Predicate.hasProperty(u, TypeId)

/** @internal */
export const setHeaders = (request: Policy.Request, headers: Readonly<Record<string, string>>): Policy.Request => {
  const merged: Record<string, string> = { ...request.headers }
  for (const name in headers) merged[name.toLowerCase()] = headers[name]
  return { ...request, headers: merged }
}

/** @internal */
export const requestInfo = (request: Policy.Request): ApiError.RequestInfo => ({
  method: request.method,
  url: redactUrl(request.url, request.redactQuery, request.redactValues)
})
