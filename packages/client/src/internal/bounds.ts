/**
 * The documented range of every numeric option, in one place: what `ApiClient.make` accepts
 * in code and what `makeConfig` accepts from the environment. A value out of range is refused
 * with a message that names the option and the range, never clamped or taken silently.
 * Pure: no Effect import.
 *
 * @internal
 */

/** A range of whole numbers. @internal */
export interface Range {
  readonly min: number
  readonly max: number
  /** How the range reads in a message: "1 to 1073741824 (1 GiB)". */
  readonly shown: string
}

/** @internal */
export const maxResponseBytes: Range = { min: 1, max: 1024 ** 3, shown: "1 to 1073741824 (1 GiB)" }

/** Retries after the first attempt. @internal */
export const retries: Range = { min: 0, max: 100, shown: "0 to 100" }

/** Durations read from the environment (timeouts), in milliseconds: up to one day. @internal */
export const configDurationMillis: Range = {
  min: 1,
  max: 24 * 60 * 60 * 1000,
  shown: "a positive duration of at most 24 hours"
}

/** Whether `n` is a whole number in `range`. @internal */
export const holds = (range: Range, n: number): boolean => Number.isSafeInteger(n) && n >= range.min && n <= range.max

/** The message for a value out of range. @internal */
export const refusal = (name: string, range: Range, got: unknown): string =>
  `${name} must be a whole number from ${range.shown}, got ${String(got)}`
