/**
 * What a response says about the server's rate limit: requests left and when the window
 * resets, from the IETF draft headers (`RateLimit-Remaining` / `RateLimit-Reset`, and the
 * structured `RateLimit: remaining=…, reset=…` or `…;r=…;t=…`) and the GitHub style
 * (`X-RateLimit-Remaining` / `X-RateLimit-Reset`).
 *
 * @internal
 */

/** A reset value above this is an epoch time in seconds (GitHub), below it delta-seconds. */
const epochThreshold = 1_000_000_000

/** The longest pause a header may ask for: anything longer is taken as a parse accident. */
const maxPauseMillis = 24 * 60 * 60 * 1000

const wholeNumber = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined
  const t = s.trim()
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : undefined
}

const structured = (value: string, names: RegExp): number | undefined => {
  const m = names.exec(value)
  return m === null ? undefined : Number(m[1])
}

/** @internal */
export interface Quota {
  readonly remaining: number
  /** Epoch milliseconds at which the window resets, when the server said. */
  readonly resetAt: number | undefined
}

/**
 * The quota the headers announce, or `undefined` when they say nothing. `header` returns a
 * header's value by its lower-case name.
 *
 * @internal
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
    if (resetAt - now > maxPauseMillis) resetAt = undefined
  }
  return { remaining, resetAt }
}

/**
 * Until when every caller should hold off, after a response: a 429's `Retry-After`, or an
 * exhausted quota's reset. `undefined` when there is no reason to pause.
 *
 * @internal
 */
export const pauseUntil = (
  status: number,
  retryAfterMillis: number | undefined,
  header: (name: string) => string | undefined,
  now: number
): number | undefined => {
  let until: number | undefined
  if (status === 429 && retryAfterMillis !== undefined && retryAfterMillis > 0) {
    until = now + Math.min(retryAfterMillis, maxPauseMillis)
  }
  const quota = parse(header, now)
  if (quota !== undefined && quota.remaining <= 0 && quota.resetAt !== undefined && quota.resetAt > now) {
    until = until === undefined ? quota.resetAt : Math.max(until, quota.resetAt)
  }
  return until
}
