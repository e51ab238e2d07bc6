/**
 * OpenAPI's response ranges (`4XX`, `5XX`) and `default`, as error statuses: which declared
 * response an error status falls to. A status the operation declares exactly is its own (the
 * caller checks that first); else its range (`4XX` for 400–499, `5XX` for 500–599); else
 * `default`. Only an error status falls anywhere: `default` never takes a success, a redirect
 * or anything under 400.
 *
 * An HTTP API description keyed by status (Effect's `HttpApi`) declares a range at one status of
 * its own, its `representative`: a status of the range that no exact response of the operation
 * takes.
 *
 * @since 0.3.0
 */

/**
 * A range of error statuses: `4XX`, `5XX`, or `default` (every error status, 400–599).
 *
 * @since 0.3.0
 * @category models
 */
export type Range = "4XX" | "5XX" | "default"

/**
 * The annotation key under which a generated client's error schema names the range it takes
 * (its value a `Range`); steady's `httpApi` reads it.
 *
 * @since 0.3.0
 * @category annotations
 */
export const annotation = "@steady/statusRange"

/**
 * The range a response key of an OpenAPI document names (`4XX`, `4xx`, `5XX`, `default`), or
 * `undefined` for any other key (an exact status, `2XX`, …).
 *
 * @since 0.3.0
 * @category parsing
 */
export const parse = (key: string): Range | undefined => {
  const k = key.toUpperCase()
  return k === "4XX" ? "4XX" : k === "5XX" ? "5XX" : k === "DEFAULT" ? "default" : undefined
}

/**
 * Whether `range` takes `status` (an error status only: 400–599).
 *
 * @since 0.3.0
 * @category models
 */
export const covers = (range: Range, status: number): boolean =>
  Number.isInteger(status) && (range === "4XX"
    ? status >= 400 && status <= 499
    : range === "5XX"
    ? status >= 500 && status <= 599
    : status >= 400 && status <= 599)

/**
 * The declared range an error status falls to, when the operation does not declare the status
 * itself: its `4XX`/`5XX` range first, then `default`; `undefined` when none takes it.
 *
 * @since 0.3.0
 * @category models
 */
export const pick = <A>(status: number, ranges: ReadonlyMap<Range, A>): A | undefined => {
  for (const range of ["4XX", "5XX", "default"] as const) {
    const found = ranges.get(range)
    if (found !== undefined && covers(range, status)) return found
  }
  return undefined
}

/**
 * The status a range is declared at where responses are keyed by status: the first of the
 * range that `taken` (the operation's exact statuses, and the other ranges' representatives)
 * does not hold; `undefined` when every one is taken.
 *
 * @since 0.3.0
 * @category models
 */
export const representative = (range: Range, taken: ReadonlySet<number>): number | undefined => {
  for (let status = range === "5XX" ? 500 : 400; status <= (range === "4XX" ? 499 : 599); status++) {
    if (!taken.has(status)) return status
  }
  return undefined
}
