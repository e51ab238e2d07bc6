/**
 * Checks of the options the stores share.
 *
 * @internal
 */
import * as Duration from "effect/Duration"

/** A store's name: part of its keys, so no spaces and no braces (Redis Cluster hash tags). */
export const check = (owner: string, name: unknown): string => {
  if (typeof name !== "string" || name === "" || /[{}\s]/.test(name)) {
    throw new TypeError(`${owner}: name must be a non-empty string without spaces or braces`)
  }
  return name
}

/** A positive duration option, in milliseconds. */
export const positive = (
  owner: string,
  option: string,
  input: Duration.Input | undefined,
  fallbackMillis: number
): number => {
  const millis = input === undefined ? fallbackMillis : Duration.toMillis(Duration.fromInputUnsafe(input))
  if (!(millis > 0) || !Number.isFinite(millis)) {
    throw new RangeError(`${owner}: ${option} must be a positive, finite duration`)
  }
  return millis
}

/** A whole number option of at least `min`. */
export const wholeNumber = (owner: string, option: string, n: unknown, min: number): number => {
  if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
    throw new RangeError(`${owner}: ${option} must be a whole number ≥ ${min}, got ${String(n)}`)
  }
  return n
}
