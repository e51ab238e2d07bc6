/**
 * Retry policy values: what `Retry.standard`, `Retry.fromSchedule` and `Retry.none` make,
 * resolved and checked once.
 *
 * @internal
 */
import * as Backoff from "@steady/core/Backoff"
import * as classify from "@steady/core/Classification"
import * as bounds from "@steady/core/Limits"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type * as ApiError from "../ApiError.js"
import type * as Retry from "../Retry.js"

/** @internal */
export const TypeId: typeof Retry.TypeId = Symbol.for("@steady/client/Retry") as typeof Retry.TypeId

/** @internal */
export const defaults = {
  times: 2,
  base: Duration.millis(500),
  cap: Duration.seconds(8),
  maxRetryAfter: Duration.seconds(60)
} as const

/** @internal */
export const wholeNumber = (name: string, n: unknown): number =>
  number(name, n === undefined ? "undefined" : n, NaN, { min: 0, whole: true })

/** Checks a number option: a finite number in [min, max] (whole when asked). @internal */
export const number = (
  name: string,
  value: unknown,
  fallback: number,
  range: { readonly min: number; readonly max?: number; readonly whole?: boolean; readonly above?: boolean }
): number => {
  if (value === undefined) return fallback
  const ok = typeof value === "number" && !Number.isNaN(value) &&
    (range.above === true ? value > range.min : value >= range.min) &&
    (range.max === undefined || value <= range.max) &&
    (range.whole !== true || Number.isInteger(value))
  if (!ok) {
    const bound = range.above === true ? `> ${range.min}` : `≥ ${range.min}`
    const what = range.whole === true ? "a whole number" : "a number"
    throw new RangeError(
      `${name} must be ${what} ${bound}${range.max === undefined ? "" : ` and ≤ ${range.max}`}, got ${String(value)}`
    )
  }
  return value
}

/** @internal */
export const duration = (name: string, d: Duration.Input, positive: boolean): Duration.Duration => {
  const decoded = Duration.fromInput(d)
  if (decoded._tag === "None") throw new RangeError(`${name} is not a duration: ${String(d)}`)
  // Duration clamps a negative number of milliseconds to zero: that is a mistake, not a zero
  if (typeof d === "number" && !(d >= 0)) {
    throw new RangeError(`${name} must be a ${positive ? "positive" : "non-negative"} duration, got ${String(d)}`)
  }
  const ms = Duration.toMillis(decoded.value)
  if (Number.isNaN(ms) || (positive ? !(ms > 0) : ms < 0)) {
    throw new RangeError(`${name} must be a ${positive ? "positive" : "non-negative"} duration, got ${String(d)}`)
  }
  return decoded.value
}

const retryTimes = (times: unknown): number => {
  if (typeof times !== "number" || !bounds.holds(bounds.retries, times)) {
    throw new RangeError(bounds.refusal("retry.times", bounds.retries, times))
  }
  return times
}

const checkBudget = (name: string, budget: Retry.BudgetOption | undefined): Retry.BudgetOption | undefined => {
  if (budget === undefined || budget === false || typeof budget === "object") return budget
  throw new TypeError(`${name}.budget must be false, budget options or a RetryBudget, got ${String(budget)}`)
}

/** @internal */
export const standard = (options: Retry.StandardOptions = {}, inherited?: Retry.Standard): Retry.Standard => {
  const base = options.base !== undefined
    ? duration("retry.base", options.base, true)
    : inherited?.base ?? defaults.base
  const cap = options.cap !== undefined ? duration("retry.cap", options.cap, true) : inherited?.cap ?? defaults.cap
  return {
    [TypeId]: TypeId,
    _tag: "Standard",
    times: retryTimes(options.times ?? inherited?.times ?? defaults.times),
    base,
    cap,
    maxRetryAfter: options.maxRetryAfter !== undefined
      ? duration("retry.maxRetryAfter", options.maxRetryAfter, false)
      : inherited?.maxRetryAfter ?? defaults.maxRetryAfter,
    budget: checkBudget("retry", options.budget ?? inherited?.budget),
    retryOn: options.retryOn !== undefined
      ? classify.rules(options.retryOn, "retry.retryOn")
      : inherited?.retryOn ?? classify.defaultRules,
    baseMillis: Duration.toMillis(base),
    capMillis: Duration.toMillis(cap)
  }
}

/** @internal */
export const fromSchedule = <Out>(
  schedule: Schedule.Schedule<Out, ApiError.ApiError>,
  options: Retry.ScheduleOptions = {}
): Retry.FromSchedule => {
  if (!Schedule.isSchedule(schedule)) throw new TypeError("Retry.fromSchedule: not a Schedule")
  return {
    [TypeId]: TypeId,
    _tag: "FromSchedule",
    schedule: schedule as Schedule.Schedule<unknown, ApiError.ApiError>,
    maxRetryAfter: options.maxRetryAfter !== undefined
      ? duration("retry.maxRetryAfter", options.maxRetryAfter, false)
      : defaults.maxRetryAfter,
    budget: checkBudget("retry", options.budget),
    retryOn: classify.rules(options.retryOn, "retry.retryOn")
  }
}

/** @internal */
export const none: Retry.None = { [TypeId]: TypeId, _tag: "None" }

/** @internal */
export const isRetry = (u: unknown): u is Retry.Retry => Predicate.hasProperty(u, TypeId)

/**
 * The `retry` option as given (a policy, the 0.1 options object, `false`, or nothing) as a
 * policy; an options object refines `inherited` when that is a standard policy.
 *
 * @internal
 */
export const resolve = (
  option: Retry.Retry | Retry.StandardOptions | false | undefined,
  inherited: Retry.Retry | undefined
): Retry.Retry => {
  if (option === false) return none
  if (option === undefined) return inherited ?? standard()
  if (isRetry(option)) return option
  if (typeof option !== "object" || option === null) {
    throw new TypeError(`retry must be a Retry policy, retry options or false, got ${String(option)}`)
  }
  return standard(option, inherited?._tag === "Standard" ? inherited : undefined)
}

/** The schedule `Retry.standard` fuses: full jitter below min(cap, base·2ⁿ), `times` retries. @internal */
export const standardSchedule = (
  options: Retry.StandardOptions = {}
): Schedule.Schedule<unknown, ApiError.ApiError> => {
  const resolved = standard(options)
  return Schedule.exponential(resolved.base).pipe(
    // full jitter below the exponential's delay, capped: U(0, min(cap, delay)), whole milliseconds
    Schedule.modifyDelay(({ duration }) =>
      Effect.map(
        Random.next,
        (r) => Backoff.fullJitter(1, Math.min(resolved.capMillis, Duration.toMillis(duration)), Infinity, r)
      )
    ),
    Schedule.upTo({ times: resolved.times })
  ) as Schedule.Schedule<unknown, ApiError.ApiError>
}
