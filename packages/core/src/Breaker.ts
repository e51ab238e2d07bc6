/**
 * The state machine of a circuit breaker: per key, closed → open → half-open → closed.
 *
 * Closed, a circuit counts the outcomes of attempts in a sliding window of ten buckets and
 * the failures in a row; it opens when either trigger fires. Open, it refuses every attempt
 * until its open period ends (the period doubles each time the circuit reopens without having
 * closed, up to a cap; a close resets it). Half-open, it lets `halfOpenProbes` attempts through
 * at a time; as many successes close it, one failure reopens it. With a store that shares the
 * circuits with other processes, the machine takes the fleet's view at each step and says
 * which call to the store each change needs.
 *
 * The times are arguments (epoch milliseconds), so the lines read them from their clock, and
 * report each `Transition` (logs, metrics, spans) themselves. JavaScript runs one fiber step at
 * a time, so plain fields are safe.
 *
 * @since 0.3.0
 */
import * as Classification from "./Classification.js"

/**
 * @since 0.3.0
 * @category models
 */
export type State = "closed" | "open" | "half-open"

/**
 * A breaker's numbers, durations in milliseconds.
 *
 * @since 0.3.0
 * @category models
 */
export interface Settings {
  /** Opens after this many failed attempts in a row. */
  readonly consecutiveFailures: number
  /** Opens when this share of the attempts in the window failed. */
  readonly failureRatio: number
  /** The sliding window of the ratio trigger. */
  readonly windowMillis: number
  /** How the window reads in a reason ("10s"): each line formats its own duration. */
  readonly windowShown: string
  /** The ratio trigger needs at least this many attempts in the window. */
  readonly minimumThroughput: number
  /** How long a circuit stays open the first time. */
  readonly openMillis: number
  /** The cap of the doubled open period. */
  readonly maxOpenMillis: number
  /** Attempts let through at a time while half-open; as many successes close it. */
  readonly halfOpenProbes: number
  /** Whether a store shares the circuits with other processes. */
  readonly shared: boolean
}

/**
 * The buckets of the sliding window: an outcome leaves it `windowMillis` after the start of
 * its bucket's span, at a bucket's granularity (a tenth of the window).
 *
 * @since 0.3.0
 * @category models
 */
export const BUCKETS = 10

/**
 * The circuits map is swept of circuits as good as new once it holds this many (or twice what
 * the last sweep left).
 *
 * @since 0.3.0
 * @category models
 */
export const SWEEP_FLOOR = 1024

/**
 * The default failure test: 5xx, timeouts and connection errors that may be the upstream's
 * doing (the default allow-list). 4xx (the server answered), decode errors and the client's
 * own refusals do not count.
 *
 * @since 0.3.0
 * @category failures
 */
export const isFailure = (failure: Classification.Failure): boolean => {
  switch (failure._tag) {
    case "ServerError":
    case "TimeoutError":
      return true
    case "ConnectionError":
      return Classification.isTransient(failure)
    default:
      return false
  }
}

/**
 * The open period after a circuit's `opens`-th opening since it last closed: `openMillis`
 * doubled per reopen, up to `maxOpenMillis`.
 *
 * @since 0.3.0
 * @category open period
 */
export const openPeriod = (settings: Settings, opens: number): number =>
  Math.min(settings.maxOpenMillis, settings.openMillis * 2 ** (opens - 1))

/**
 * A circuit that is not closed, as the fleet sees it: open until `openUntil` (epoch ms; in the
 * past once the open period is over and it waits for a probe), opened `opens` times since it
 * last closed.
 *
 * @since 0.3.0
 * @category models
 */
export interface SharedCircuit {
  readonly openUntil: number
  readonly opens: number
}

/**
 * What a store answers a process that asks to probe a circuit whose open period is over:
 * `Probe` (this process holds the fleet's probe lease), `Busy` (another one does: ask again
 * after `retryAfterMillis`), `Closed` or `Open` (the fleet closed or opened it meanwhile).
 *
 * @since 0.3.0
 * @category models
 */
export type ProbeVerdict =
  | { readonly _tag: "Probe" }
  | { readonly _tag: "Busy"; readonly retryAfterMillis: number }
  | { readonly _tag: "Closed" }
  | { readonly _tag: "Open"; readonly circuit: SharedCircuit }

/**
 * A change of a circuit's state, for the line to log and count. `openMillis`: the open period,
 * when this process opened it.
 *
 * @since 0.3.0
 * @category models
 */
export interface Transition {
  readonly key: string
  readonly to: State
  readonly reason: string
  readonly openMillis?: number
}

/**
 * What `admit` decided: let the attempt through (as a probe or not), refuse it, or (shared
 * circuits, when an open period is over) ask the store whether this process may probe. Each
 * carries the transition it made, if any.
 *
 * @since 0.3.0
 * @category models
 */
export type Admission =
  | { readonly _tag: "Pass"; readonly probe: boolean; readonly transition: Transition | undefined }
  | {
    readonly _tag: "Refuse"
    readonly state: "open" | "half-open"
    readonly retryAfterMillis: number
    readonly transition: Transition | undefined
  }
  | { readonly _tag: "Ask"; readonly transition: Transition | undefined }

/**
 * An admission that needs no store.
 *
 * @since 0.3.0
 * @category models
 */
export type Decided = Exclude<Admission, { readonly _tag: "Ask" }>

/**
 * What a change of state asks of the store: publish an opening (`Open`, then `opened` with the
 * fleet's answer), a close (`Close`, then `adopt` the fleet's answer if it opened the circuit
 * again), or give the probe lease back (`Release`).
 *
 * @since 0.3.0
 * @category models
 */
export type StoreCall =
  | { readonly _tag: "Open"; readonly circuit: Circuit; readonly local: SharedCircuit }
  | { readonly _tag: "Close"; readonly circuit: Circuit }
  | { readonly _tag: "Release" }

/**
 * One circuit as it is at a time.
 *
 * @since 0.3.0
 * @category models
 */
export interface Snapshot {
  readonly key: string
  readonly state: State
  readonly failuresInARow: number
  /** Attempts and failures in the window (closed circuits only). */
  readonly calls: number
  readonly failures: number
  /** Time until an open circuit lets a probe through; zero otherwise. */
  readonly retryAfterMillis: number
}

/**
 * One circuit: its state, its failures in a row and its window.
 *
 * @since 0.3.0
 * @category models
 */
export class Circuit {
  /**
   * @since 0.3.0
   */
  state: State = "closed"
  /**
   * Failed attempts in a row, while closed.
   *
   * @since 0.3.0
   */
  inARow = 0
  /**
   * Times opened since it last closed: the open period backs off with it.
   *
   * @since 0.3.0
   */
  opens = 0
  /**
   * When the open period ends (epoch ms).
   *
   * @since 0.3.0
   */
  openUntil = 0
  /**
   * Probes under way, while half-open.
   *
   * @since 0.3.0
   */
  probes = 0
  /**
   * Probes that succeeded since it went half-open.
   *
   * @since 0.3.0
   */
  probeSuccesses = 0
  private readonly good = new Array<number>(BUCKETS).fill(0)
  private readonly bad = new Array<number>(BUCKETS).fill(0)
  private readonly stamp = new Array<number>(BUCKETS).fill(-1)
  constructor(readonly key: string) {}

  /**
   * Attempts and failures in the window that ends with `bucket`.
   *
   * @since 0.3.0
   */
  totals(bucket: number): { calls: number; failures: number } {
    let calls = 0
    let failures = 0
    for (let i = 0; i < BUCKETS; i++) {
      if (this.stamp[i] > bucket - BUCKETS) {
        calls += this.good[i] + this.bad[i]
        failures += this.bad[i]
      }
    }
    return { calls, failures }
  }

  /**
   * Counts an outcome in `bucket`.
   *
   * @since 0.3.0
   */
  count(bucket: number, failed: boolean): void {
    const i = bucket % BUCKETS
    if (this.stamp[i] !== bucket) {
      this.stamp[i] = bucket
      this.good[i] = 0
      this.bad[i] = 0
    }
    if (failed) this.bad[i]++
    else this.good[i]++
  }

  /**
   * Forgets the failures in a row, the probes and the window.
   *
   * @since 0.3.0
   */
  reset(): void {
    this.inARow = 0
    this.probes = 0
    this.probeSuccesses = 0
    this.stamp.fill(-1)
    this.good.fill(0)
    this.bad.fill(0)
  }

  /**
   * The open period is over: probes may go.
   *
   * @since 0.3.0
   */
  halfOpen(): Transition {
    this.state = "half-open"
    this.probes = 0
    this.probeSuccesses = 0
    return { key: this.key, to: "half-open", reason: "open period over" }
  }

  /**
   * Closes it: the next opening is for the first open period again.
   *
   * @since 0.3.0
   */
  close(reason: string): Transition {
    this.state = "closed"
    this.opens = 0
    this.reset()
    return { key: this.key, to: "closed", reason }
  }
}

const pass: Decided = { _tag: "Pass", probe: false, transition: undefined }

/**
 * A breaker's circuits, by key. The map holds the circuits that hold news: once it has doubled
 * since the last sweep (at least `SWEEP_FLOOR`), the circuits as good as new are dropped.
 *
 * @since 0.3.0
 * @category models
 */
export class Circuits {
  private readonly map = new Map<string, Circuit>()
  private readonly bucketMillis: number
  private sweepAt = SWEEP_FLOOR
  constructor(readonly settings: Settings) {
    this.bucketMillis = settings.windowMillis / BUCKETS
  }

  /**
   * The circuit of `k`, if it has one.
   *
   * @since 0.3.0
   */
  get(k: string): Circuit | undefined {
    return this.map.get(k)
  }

  /**
   * Circuits held now.
   *
   * @since 0.3.0
   */
  get size(): number {
    return this.map.size
  }

  /**
   * Circuits open or half-open now.
   *
   * @since 0.3.0
   */
  notClosed(): number {
    let n = 0
    for (const c of this.map.values()) if (c.state !== "closed") n++
    return n
  }

  /**
   * The window's bucket of `now`.
   *
   * @internal
   */
  private bucket(now: number): number {
    return Math.floor(now / this.bucketMillis)
  }

  /**
   * The circuit of `k`, made (after a sweep, when due) if it has none.
   *
   * @internal
   */
  private circuit(k: string, now: number): Circuit {
    let c = this.map.get(k)
    if (c === undefined) {
      if (this.map.size + 1 >= this.sweepAt) this.sweep(now)
      c = new Circuit(k)
      this.map.set(k, c)
    }
    return c
  }

  /**
   * Drops the circuits that are as good as new (closed, no failure in a row, nothing in the
   * window): a key function of the request may make one circuit per path, and the map must not
   * keep every one ever seen.
   *
   * @internal
   */
  private sweep(now: number) {
    const bucket = this.bucket(now)
    for (const [k, c] of this.map) {
      if (c.state === "closed" && c.inARow === 0 && c.totals(bucket).calls === 0) this.map.delete(k)
    }
    this.sweepAt = Math.max(SWEEP_FLOOR, this.map.size * 2)
  }

  /**
   * Opens `c` for its next open period.
   *
   * @internal
   */
  private open(c: Circuit, now: number, reason: string): Transition {
    c.opens++
    const openMillis = openPeriod(this.settings, c.opens)
    c.state = "open"
    c.openUntil = now + openMillis
    c.reset()
    return { key: c.key, to: "open", reason, openMillis }
  }

  /**
   * Takes the fleet's view of a circuit: one it has open is open here too (a half-open one here
   * stays so unless the fleet opened it again).
   *
   * @since 0.3.0
   */
  adopt(c: Circuit, shared: SharedCircuit, now: number, reason: string): Transition | undefined {
    if (c.state === "open") {
      if (shared.openUntil > c.openUntil) {
        c.openUntil = shared.openUntil
        c.opens = shared.opens
      }
      return undefined
    }
    // a half-open circuit here stays so unless the fleet opened it again (a probe failed elsewhere)
    if (c.state === "half-open" && shared.openUntil <= now) return undefined
    c.state = "open"
    c.openUntil = shared.openUntil
    c.opens = shared.opens
    c.reset()
    return { key: c.key, to: "open", reason }
  }

  /**
   * The fleet's answer to this process opening `c`: its open period, if `c` is still open.
   *
   * @since 0.3.0
   */
  opened(c: Circuit, fleet: SharedCircuit): void {
    if (c.state === "open") {
      c.openUntil = fleet.openUntil
      c.opens = fleet.opens
    }
  }

  /**
   * Whether an attempt on `k` may go at `now`. `view`: the fleet's circuit, when shared and
   * the fleet has it open.
   *
   * @since 0.3.0
   */
  admit(k: string, now: number, view: SharedCircuit | undefined): Admission {
    let c = this.map.get(k)
    let transition: Transition | undefined
    if (view !== undefined) {
      c ??= this.circuit(k, now)
      transition = this.adopt(c, view, now, "opened by another process")
    }
    if (c === undefined || c.state === "closed") return pass
    if (c.state === "open") {
      if (now < c.openUntil) {
        return { _tag: "Refuse", state: "open", retryAfterMillis: c.openUntil - now, transition }
      }
      if (this.settings.shared) return { _tag: "Ask", transition }
      transition = c.halfOpen()
    }
    return this.probe(c, transition)
  }

  /**
   * Lets a probe through if `c` has room for one.
   *
   * @internal
   */
  private probe(c: Circuit, transition: Transition | undefined): Decided {
    if (c.probes >= this.settings.halfOpenProbes) {
      return { _tag: "Refuse", state: "half-open", retryAfterMillis: 0, transition }
    }
    c.probes++
    return { _tag: "Pass", probe: true, transition }
  }

  /**
   * What the store said to a process that asked to probe `k`.
   *
   * @since 0.3.0
   */
  decide(k: string, verdict: ProbeVerdict, now: number): Decided {
    const c = this.circuit(k, now)
    switch (verdict._tag) {
      case "Probe": {
        if (c.state !== "open") return c.state === "half-open" ? this.probe(c, undefined) : pass
        return this.probe(c, c.halfOpen())
      }
      case "Busy": {
        if (c.state === "open") c.openUntil = now + verdict.retryAfterMillis
        return { _tag: "Refuse", state: "half-open", retryAfterMillis: verdict.retryAfterMillis, transition: undefined }
      }
      case "Closed": {
        if (c.state === "closed") return pass
        return { _tag: "Pass", probe: false, transition: c.close("closed by another process") }
      }
      case "Open": {
        const transition = this.adopt(c, verdict.circuit, now, "opened again by another process")
        if (c.state !== "open" || now >= c.openUntil) return this.probe(c, transition)
        return { _tag: "Refuse", state: "open", retryAfterMillis: c.openUntil - now, transition }
      }
    }
  }

  /**
   * Whether the fleet's window counts this outcome (call before `record`): an attempt that was
   * no probe, ended with a verdict, on a circuit closed here.
   *
   * @since 0.3.0
   */
  counted(k: string, probe: boolean, failed: boolean | undefined): boolean {
    if (probe || failed === undefined) return false
    const c = this.map.get(k)
    return c === undefined || c.state === "closed"
  }

  /**
   * Records how an attempt on `k` ended at `now`; `failed` `undefined` (interrupted, a defect)
   * is no verdict.
   *
   * @since 0.3.0
   */
  record(k: string, probe: boolean, failed: boolean | undefined, now: number): Transition | undefined {
    let c = this.map.get(k)
    if (c === undefined && failed === true) c = this.circuit(k, now)
    if (c === undefined) return undefined
    const s = this.settings
    if (probe) {
      if (c.state !== "half-open") return undefined
      c.probes--
      if (failed === undefined) return undefined
      if (failed) return this.open(c, now, "a probe failed")
      if (++c.probeSuccesses < s.halfOpenProbes) return undefined
      return c.close(`${s.halfOpenProbes} probe(s) succeeded`)
    }
    if (c.state !== "closed" || failed === undefined) return undefined
    const bucket = this.bucket(now)
    c.count(bucket, failed)
    if (!failed) {
      c.inARow = 0
      return undefined
    }
    c.inARow++
    if (c.inARow >= s.consecutiveFailures) {
      return this.open(c, now, `${c.inARow} failures in a row`)
    }
    const { calls, failures } = c.totals(bucket)
    if (calls >= s.minimumThroughput && failures / calls >= s.failureRatio) {
      return this.open(c, now, `${failures} of ${calls} attempts failed in ${s.windowShown}`)
    }
    return undefined
  }

  /**
   * After `record` made `t` (shared circuits), the call the store needs, if any. A probe that
   * ended without a verdict gives the lease back: the circuit here is open with its period
   * over once no probe is under way, so the next attempt asks the fleet again.
   *
   * @since 0.3.0
   */
  storeCall(
    k: string,
    probe: boolean,
    failed: boolean | undefined,
    t: Transition | undefined,
    now: number
  ): StoreCall | undefined {
    const c = this.map.get(k)
    if (c === undefined) return undefined
    if (t?.to === "open") return { _tag: "Open", circuit: c, local: { openUntil: c.openUntil, opens: c.opens } }
    if (t?.to === "closed") return { _tag: "Close", circuit: c }
    if (probe && failed === undefined) {
      // the lease goes back to the fleet: the next attempt here asks for it again
      if (c.state === "half-open" && c.probes === 0) {
        c.state = "open"
        c.openUntil = now
      }
      return { _tag: "Release" }
    }
    return undefined
  }

  /**
   * The circuits as they are at `now` (an open one whose period is over reads half-open).
   *
   * @since 0.3.0
   */
  snapshot(now: number): Array<Snapshot> {
    const out: Array<Snapshot> = []
    for (const c of this.map.values()) {
      const state = c.state === "open" && now >= c.openUntil ? "half-open" : c.state
      const { calls, failures } = c.state === "closed" ? c.totals(this.bucket(now)) : { calls: 0, failures: 0 }
      out.push({
        key: c.key,
        state,
        failuresInARow: c.inARow,
        calls,
        failures,
        retryAfterMillis: state === "open" ? c.openUntil - now : 0
      })
    }
    return out
  }
}
