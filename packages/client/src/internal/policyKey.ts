/**
 * Which state a keyed policy (circuit breaker, rate limiter) uses for a request: one per
 * client (the default), one per origin, or the user's own key.
 *
 * @internal
 */
import type * as Policy from "../Policy.js"

/** @internal */
export type Key = "client" | "origin" | ((request: Policy.Request) => string)

let clients = 0
const ids = new WeakMap<Policy.ClientInfo, string>()

/** A name for the client, stable for its lifetime: its origin and a number. @internal */
export const clientKey = (client: Policy.ClientInfo): string => {
  let id = ids.get(client)
  if (id === undefined) {
    id = `${client.baseUrl?.origin ?? "client"}#${++clients}`
    ids.set(client, id)
  }
  return id
}

/** @internal */
export const check = (owner: string, key: unknown): Key => {
  if (key === undefined) return "client"
  if (key === "client" || key === "origin" || typeof key === "function") return key as Key
  throw new TypeError(`${owner}: key must be "client", "origin" or a function of the request, got ${String(key)}`)
}

/** The function that names a request's state, for one client. @internal */
export const resolver = (key: Key, client: Policy.ClientInfo): (request: Policy.Request) => string => {
  if (key === "origin") return (request) => request.url.origin
  if (key === "client") {
    const id = clientKey(client)
    return () => id
  }
  return key
}
