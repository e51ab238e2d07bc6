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
  input: Duration.DurationInput | undefined,
  fallbackMillis: number
): number => {
  const millis = input === undefined ? fallbackMillis : Duration.toMillis(Duration.decode(input))
  if (!(millis > 0) || !Number.isFinite(millis)) {
    throw new RangeError(`${owner}: ${option} must be a positive, finite duration`)
  }
  return millis
}
