/**
 * What the pool's dispatcher knew of a failure, for the transports that cannot see it
 * themselves. The fast path hands undici its own handler, so it knows whether the request had
 * started and which proxy it went through. The generic transport over the pool (a transformed
 * pool `HttpClient`: undici's `fetch` on the pool's dispatcher) sees only fetch's
 * `TypeError("fetch failed")`: the pool's dispatcher marks each error it reports (whether the
 * request had been handed to a connection, the proxy it was routed through), and the
 * classification of the failure reads the mark along the cause chain.
 *
 * No Effect import and nothing Node-only: the same file serves both Effect lines and any runtime.
 *
 * @internal
 */
import type * as Network from "@steady/core/Network"

/** @internal */
export interface Mark {
  /** Whether undici had handed the request to a connection (it may have been written). */
  readonly started: boolean
  /** The proxy the request was routed through, if any. */
  readonly proxy: Network.ProxyTarget | undefined
}

/** Kept as long as the error is: a mark never outlives what it marks. */
const marks = new WeakMap<object, Mark>()

/**
 * Marks `error`, reported by the pool's dispatcher for one request. One error may fail several
 * requests (a connection's, on each request queued on it): it says `started` if any had.
 *
 * @internal
 */
export const mark = (error: unknown, started: boolean, proxy: Network.ProxyTarget | undefined): void => {
  if (typeof error !== "object" || error === null) return
  const known = marks.get(error)
  marks.set(error, known === undefined ? { started, proxy } : { started: started || known.started, proxy })
}

/**
 * The first marked error along `cause`'s chain (at most 4 deep, as the classification reads it),
 * with its mark.
 *
 * @internal
 */
export const find = (cause: unknown): { readonly error: object; readonly mark: Mark } | undefined => {
  let current: unknown = cause
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const found = marks.get(current)
    if (found !== undefined) return { error: current, mark: found }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
