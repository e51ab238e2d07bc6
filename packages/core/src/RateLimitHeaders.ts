/**
 * What a response says about the server's rate limit: requests left and when the window
 * resets, from the IETF draft headers (`RateLimit-Remaining` / `RateLimit-Reset`, and the
 * structured `RateLimit: remaining=…, reset=…` or `…;r=…;t=…`) and the GitHub style
 * (`X-RateLimit-Remaining` / `X-RateLimit-Reset`), and the pause a response asks of a
 * client-side rate limiter. The current time is an argument.
 *
 * @since 0.3.0
 */

/** A reset value above this is an epoch time in seconds (GitHub), below it delta-seconds. */
const epochThreshold = 1_000_000_000

/** A reset further away than this is taken as a parse accident (the limiter's maxPause is far shorter). */
const implausibleResetMillis = 24 * 60 * 60 * 1000

const wholeNumber = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined
  const t = s.trim()
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : undefined
}

const structured = (value: string, names: RegExp): number | undefined => {
  const m = names.exec(value)
  return m === null ? undefined : Number(m[1])
}

/**
 * What the server says is left of its quota.
 *
 * @since 0.3.0
 * @category models
 */
export interface Quota {
  readonly remaining: number
  /** Epoch milliseconds at which the window resets, when the server said. */
  readonly resetAt: number | undefined
}

/**
 * The quota the headers announce, or `undefined` when they say nothing. `header` returns a
 * header's value by its lower-case name. `RateLimit-*` wins over `X-RateLimit-*`, and both over
 * the structured `RateLimit` field (`remaining=…, reset=…` or `"policy";r=…;t=…`). A reset of
 * at least 10⁹ is an epoch time in seconds (GitHub), a smaller one delta-seconds; a reset more
 * than a day away is dropped as a parse accident.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parse = (header: (name: string) => string | undefined, now: number): Quota | undefined => {
  let remaining = wholeNumber(header("ratelimit-remaining")) ?? wholeNumber(header("x-ratelimit-remaining"))
  let reset = wholeNumber(header("ratelimit-reset")) ?? wholeNumber(header("x-ratelimit-reset"))
  const combined = header("ratelimit")
  if (combined !== undefined) {
    remaining ??= structured(combined, /(?:^|[\s,;])(?:remaining|r)=(\d+)/)
    reset ??= structured(combined, /(?:^|[\s,;])(?:reset|t)=(\d+)/)
  }
  if (remaining === undefined) return undefined
  let resetAt: number | undefined
  if (reset !== undefined) {
    resetAt = reset >= epochThreshold ? reset * 1000 : now + reset * 1000
    if (resetAt - now > implausibleResetMillis) resetAt = undefined
  }
  return { remaining, resetAt }
}

/**
 * What a response asks of the limiter: until when every caller should hold off (a 429's
 * `Retry-After`, or an exhausted quota's reset), and the longest pause it asked for beyond
 * `maxPauseMillis`, which is not taken.
 *
 * @since 0.3.0
 * @category models
 */
export interface Pause {
  /** Epoch ms; `undefined` when there is no pause to take. */
  readonly until: number | undefined
  /** The longest pause asked for (ms) that was beyond the limit, if any. */
  readonly refusedMillis: number | undefined
}

const noPause: Pause = { until: undefined, refusedMillis: undefined }

/**
 * The pause a response asks for. Each hint (a 429's `Retry-After`, an exhausted quota's reset)
 * longer than `maxPauseMillis` is dropped: one response must not stop every caller for a day.
 * Of the others, the later wins. A hint of exactly `maxPauseMillis` is taken.
 *
 * @since 0.3.0
 * @category pausing
 */
export const pauseUntil = (
  status: number,
  retryAfterMillis: number | undefined,
  header: (name: string) => string | undefined,
  now: number,
  maxPauseMillis: number
): Pause => {
  let until: number | undefined
  let refusedMillis: number | undefined
  const consider = (millis: number) => {
    if (!(millis > 0)) return
    if (millis > maxPauseMillis) refusedMillis = Math.max(refusedMillis ?? 0, millis)
    else until = Math.max(until ?? 0, now + millis)
  }
  if (status === 429 && retryAfterMillis !== undefined) consider(retryAfterMillis)
  const quota = parse(header, now)
  if (quota !== undefined && quota.remaining <= 0 && quota.resetAt !== undefined) consider(quota.resetAt - now)
  return until === undefined && refusedMillis === undefined ? noPause : { until, refusedMillis }
}
