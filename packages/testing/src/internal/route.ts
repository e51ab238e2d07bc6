/**
 * `"METHOD /path/:param"` route keys, shared by MockHttpClient and ChaosServer.
 *
 * @internal
 */
export interface Route<A> {
  readonly method: string | undefined
  readonly regex: RegExp
  readonly value: A
}

/** @internal */
export const compile = <A>(table: Readonly<Record<string, A>>): ReadonlyArray<Route<A>> =>
  Object.entries(table).map(([key, value]) => {
    const space = key.indexOf(" ")
    const method = space === -1 ? undefined : key.slice(0, space).toUpperCase()
    const pattern = space === -1 ? key : key.slice(space + 1)
    const regex = new RegExp(
      "^" +
        pattern.split("/").map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
          .join("/") +
        "/?$"
    )
    return { method, regex, value }
  })

/** @internal */
export const match = <A>(routes: ReadonlyArray<Route<A>>, method: string, path: string): A | undefined => {
  for (const route of routes) {
    if ((route.method === undefined || route.method === method) && route.regex.test(path)) return route.value
  }
  return undefined
}

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same sequence. @internal */
export const prng = (seed: number): () => number => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
