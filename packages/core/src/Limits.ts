/**
 * The documented range of every numeric option, in one place: what a client accepts in code
 * and what it accepts from the environment. A value out of range is refused with a message
 * that names the option and the range, never clamped or taken silently.
 *
 * @since 0.3.0
 */

/**
 * A range of whole numbers, and how it reads in a message.
 *
 * @since 0.3.0
 * @category models
 */
export interface Range {
  readonly min: number
  readonly max: number
  /** How the range reads in a message: "1 to 1073741824 (1 GiB)". */
  readonly shown: string
}

/**
 * `maxResponseBytes`: 1 byte to 1 GiB. A larger body is for streaming, not buffering.
 *
 * @since 0.3.0
 * @category ranges
 */
export const maxResponseBytes: Range = { min: 1, max: 1024 ** 3, shown: "1 to 1073741824 (1 GiB)" }

/**
 * Retries after the first attempt (`retry.times`, `<PREFIX>_MAX_RETRIES`).
 *
 * @since 0.3.0
 * @category ranges
 */
export const retries: Range = { min: 0, max: 100, shown: "0 to 100" }

/**
 * Durations read from the environment (timeouts), in milliseconds: up to one day.
 *
 * @since 0.3.0
 * @category ranges
 */
export const configDurationMillis: Range = {
  min: 1,
  max: 24 * 60 * 60 * 1000,
  shown: "a positive duration of at most 24 hours"
}

/**
 * Whether `n` is a whole number in `range`.
 *
 * @since 0.3.0
 * @category checks
 */
export const holds = (range: Range, n: number): boolean => Number.isSafeInteger(n) && n >= range.min && n <= range.max

/**
 * The message for a value out of range.
 *
 * @since 0.3.0
 * @category checks
 */
export const refusal = (name: string, range: Range, got: unknown): string =>
  `${name} must be a whole number from ${range.shown}, got ${String(got)}`
