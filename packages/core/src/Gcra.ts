/**
 * The arithmetic of a client-side rate limiter: GCRA (the generic cell rate algorithm, a
 * token bucket kept as one number per key, its theoretical arrival time), the pause a server
 * asks for, and the state of the memory store, bounded by the keys in use. The times are
 * arguments (epoch milliseconds), so the lines read them from their clock.
 *
 * @since 0.3.0
 */

/**
 * A limiter's rate: one permit every `emissionMillis`, up to `burst` at once.
 *
 * @since 0.3.0
 * @category models
 */
export interface Rate {
  readonly emissionMillis: number
  readonly burst: number
}

/**
 * The answer to a take: whether a permit is granted, and after how long it may be used (a
 * refusal says how long the caller would have had to wait).
 *
 * @since 0.3.0
 * @category models
 */
export interface Permit {
  readonly granted: boolean
  readonly waitMillis: number
}

/**
 * One GCRA step's answer, with the key's new theoretical arrival time.
 *
 * @since 0.3.0
 * @category models
 */
export interface Step extends Permit {
  readonly tat: number
}

/**
 * One GCRA step: given the key's theoretical arrival time `tat` (0 when new), whether a permit
 * is granted at `now` and after what wait, and the new `tat`. A permit that would wait longer
 * than `maxWaitMillis` is refused, and a refusal leaves `tat` as it was.
 *
 * @since 0.3.0
 * @category gcra
 */
export const take = (tat: number, rate: Rate, now: number, maxWaitMillis: number): Step => {
  const next = Math.max(tat, now) + rate.emissionMillis
  const wait = Math.max(0, next - rate.burst * rate.emissionMillis - now)
  return wait > maxWaitMillis
    ? { granted: false, waitMillis: wait, tat }
    : { granted: true, waitMillis: wait, tat: next }
}

/**
 * The `tat` after a pause until `until`: the first permit after the pause is granted at
 * `until`, the next ones at the configured rate (no burst straight after a pause). A pause
 * never brings a `tat` forward.
 *
 * @since 0.3.0
 * @category gcra
 */
export const pause = (tat: number, rate: Rate, until: number): number =>
  Math.max(tat, until + (rate.burst - 1) * rate.emissionMillis)

/**
 * A map that drops its stale entries once it has grown to twice what was left after the last
 * sweep (at least `floor`): amortised O(1), and bounded by the live entries, not by every key
 * ever seen (a key function of the request may make one per path).
 *
 * @since 0.3.0
 * @category memory
 */
export class SweepingMap<K, V> {
  /** The entries: read them here; write through `set`. */
  readonly map = new Map<K, V>()
  private sweepAt: number
  constructor(readonly floor: number) {
    this.sweepAt = floor
  }
  /** Sets `k`, then, when the map has grown enough, drops every entry `stale` says is. */
  set(k: K, v: V, stale: (v: V) => boolean): void {
    const map = this.map
    map.set(k, v)
    if (map.size < this.sweepAt) return
    for (const [key, value] of map) if (stale(value)) map.delete(key)
    this.sweepAt = Math.max(this.floor, map.size * 2)
  }
}

/**
 * The state of the memory store: one `tat` per key. A key whose `tat` is past is the same as
 * one never seen, so those are dropped as the map grows: it holds the keys in use.
 *
 * @since 0.3.0
 * @category memory
 */
export class Memory {
  private readonly tats = new SweepingMap<string, number>(1024)
  /** Takes a permit for `key` (see `take`). */
  take(key: string, rate: Rate, now: number, maxWaitMillis: number): Step {
    const r = take(this.tats.map.get(key) ?? 0, rate, now, maxWaitMillis)
    if (r.granted) this.tats.set(key, r.tat, (tat) => tat <= now)
    return r
  }
  /** Pauses `key` until `until` (see `pause`). A pause follows a permit taken: the takes sweep. */
  pause(key: string, rate: Rate, until: number): void {
    this.tats.map.set(key, pause(this.tats.map.get(key) ?? 0, rate, until))
  }
  /** The keys held now. */
  get size(): number {
    return this.tats.map.size
  }
}
