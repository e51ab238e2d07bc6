/**
 * Backoff arithmetic: how long the n-th retry waits.
 *
 * @since 0.3.0
 */

/**
 * The ceiling of the n-th retry's delay (n from 1): `min(cap, base·2ⁿ⁻¹)`.
 *
 * @since 0.3.0
 * @category backoff
 */
export const ceiling = (n: number, baseMillis: number, capMillis: number): number =>
  Math.min(capMillis, baseMillis * 2 ** (n - 1))

/**
 * Full jitter (AWS's "Exponential Backoff and Jitter"): a delay drawn uniformly from
 * `[0, ceiling)`, with `random` a draw from `[0, 1)`. Whole milliseconds.
 *
 * @since 0.3.0
 * @category backoff
 */
export const fullJitter = (n: number, baseMillis: number, capMillis: number, random: number): number =>
  Math.floor(random * ceiling(n, baseMillis, capMillis))
