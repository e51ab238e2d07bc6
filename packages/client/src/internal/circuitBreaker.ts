/**
 * The circuit breaker: per key, a closed → open → half-open → closed state machine.
 *
 * Closed, it counts the outcomes of attempts in a sliding window of ten buckets and the
 * failures in a row; it opens when either trigger fires. Open, it refuses every attempt
 * with `CircuitOpenError` until its open period ends (the period doubles each time the
 * circuit reopens without having closed, up to a cap). Half-open, it lets `halfOpenProbes`
 * attempts through at a time; as many successes close it, one failure reopens it.
 *
 * JavaScript runs one fiber step at a time, so plain fields are safe here.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as ApiError from "../ApiError.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type * as Policy from "../Policy.js"
import * as classify from "./classify.js"
import * as policyInternal from "./policy.js"
import * as key from "./policyKey.js"
import * as retry from "./retry.js"
import * as trace from "./trace.js"

/** @internal */
export const TypeId: typeof CircuitBreaker.TypeId = Symbol.for(
  "@steady/client/CircuitBreaker"
) as typeof CircuitBreaker.TypeId

/** @internal */
export const defaults = {
  consecutiveFailures: 5,
  failureRatio: 0.5,
  window: Duration.seconds(10),
  minimumThroughput: 10,
  openDuration: Duration.seconds(5),
  maxOpenDuration: Duration.seconds(60),
  halfOpenProbes: 1
} as const

/** State changes, by breaker and new state. @internal */
export const transitionsTotal = Metric.counter("steady_circuit_breaker_transitions_total", {
  description: "State changes of steady circuit breakers",
  incremental: true
})

/** Circuits not closed (open or half-open) now, by breaker. @internal */
export const openCircuits = Metric.gauge("steady_circuit_breaker_open_circuits", {
  description: "Circuits of a steady circuit breaker that are open or half-open"
})

/** Attempts refused because a circuit was open. @internal */
export const rejectionsTotal = Metric.counter("steady_circuit_breaker_rejections_total", {
  description: "Attempts refused by an open steady circuit breaker",
  incremental: true
})

/**
 * The default failure test: 5xx, timeouts and connection errors that may be the upstream's
 * doing. 4xx (the server answered), decode errors and the client's own refusals do not count.
 *
 * @internal
 */
export const isFailure = (error: ApiError.ApiError): boolean => {
  switch (error._tag) {
    case "ServerError":
    case "TimeoutError":
      return true
    case "ConnectionError":
      return classify.isTransient(error)
    default:
      return false
  }
}

const BUCKETS = 10

interface Transition {
  readonly key: string
  readonly to: CircuitBreaker.State
  readonly reason: string
  readonly openMillis?: number
}

class Circuit {
  state: CircuitBreaker.State = "closed"
  inARow = 0
  /** Times opened since it last closed: the open period backs off with it. */
  opens = 0
  openUntil = 0
  probes = 0
  probeSuccesses = 0
  readonly good = new Array<number>(BUCKETS).fill(0)
  readonly bad = new Array<number>(BUCKETS).fill(0)
  readonly stamp = new Array<number>(BUCKETS).fill(-1)
  constructor(readonly key: string) {}

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

  count(bucket: number, failed: boolean) {
    const i = bucket % BUCKETS
    if (this.stamp[i] !== bucket) {
      this.stamp[i] = bucket
      this.good[i] = 0
      this.bad[i] = 0
    }
    if (failed) this.bad[i]++
    else this.good[i]++
  }

  reset() {
    this.inARow = 0
    this.probes = 0
    this.probeSuccesses = 0
    this.stamp.fill(-1)
  }
}

/** What `admit` decided: let it through (as a probe or not), or refuse it. */
type Admission =
  | { readonly _tag: "Pass"; readonly probe: boolean; readonly transition: Transition | undefined }
  | {
    readonly _tag: "Refuse"
    readonly state: "open" | "half-open"
    readonly retryAfterMillis: number
    readonly transition: Transition | undefined
  }

const pass: Admission = { _tag: "Pass", probe: false, transition: undefined }

class Breaker implements CircuitBreaker.CircuitBreaker {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly [policyInternal.TypeId]: typeof policyInternal.TypeId = policyInternal.TypeId
  readonly stage = "attempt" as const
  readonly name: string
  private readonly circuits = new Map<string, Circuit>()
  private readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
  private readonly bucketMillis: number
  constructor(readonly options: CircuitBreaker.Settings) {
    this.name = options.name
    this.labels = [MetricLabel.make("breaker", options.name)]
    this.bucketMillis = Duration.toMillis(options.window) / BUCKETS
  }

  private circuit(k: string): Circuit {
    let c = this.circuits.get(k)
    if (c === undefined) {
      c = new Circuit(k)
      this.circuits.set(k, c)
    }
    return c
  }

  private open(c: Circuit, now: number, reason: string): Transition {
    c.opens++
    const openMillis = Math.min(
      Duration.toMillis(this.options.maxOpenDuration),
      Duration.toMillis(this.options.openDuration) * 2 ** (c.opens - 1)
    )
    c.state = "open"
    c.openUntil = now + openMillis
    c.reset()
    return { key: c.key, to: "open", reason, openMillis }
  }

  admit(k: string, now: number): Admission {
    const c = this.circuits.get(k)
    if (c === undefined || c.state === "closed") return pass
    let transition: Transition | undefined
    if (c.state === "open") {
      if (now < c.openUntil) {
        return { _tag: "Refuse", state: "open", retryAfterMillis: c.openUntil - now, transition: undefined }
      }
      c.state = "half-open"
      c.probes = 0
      c.probeSuccesses = 0
      transition = { key: k, to: "half-open", reason: "open period over" }
    }
    if (c.probes >= this.options.halfOpenProbes) {
      return { _tag: "Refuse", state: "half-open", retryAfterMillis: 0, transition }
    }
    c.probes++
    return { _tag: "Pass", probe: true, transition }
  }

  /** Records how an attempt ended; `undefined` (interrupted, a defect) is no verdict. */
  record(k: string, probe: boolean, failed: boolean | undefined, now: number): Transition | undefined {
    const c = this.circuits.get(k) ?? (failed === true ? this.circuit(k) : undefined)
    if (c === undefined) return undefined
    if (probe) {
      if (c.state !== "half-open") return undefined
      c.probes--
      if (failed === undefined) return undefined
      if (failed) return this.open(c, now, "a probe failed")
      if (++c.probeSuccesses < this.options.halfOpenProbes) return undefined
      c.state = "closed"
      c.opens = 0
      c.reset()
      return { key: k, to: "closed", reason: `${this.options.halfOpenProbes} probe(s) succeeded` }
    }
    if (c.state !== "closed" || failed === undefined) return undefined
    const bucket = Math.floor(now / this.bucketMillis)
    c.count(bucket, failed)
    if (!failed) {
      c.inARow = 0
      return undefined
    }
    c.inARow++
    if (c.inARow >= this.options.consecutiveFailures) {
      return this.open(c, now, `${c.inARow} failures in a row`)
    }
    const { calls, failures } = c.totals(bucket)
    if (calls >= this.options.minimumThroughput && failures / calls >= this.options.failureRatio) {
      return this.open(c, now, `${failures} of ${calls} attempts failed in ${Duration.format(this.options.window)}`)
    }
    return undefined
  }

  snapshot(now: number): ReadonlyArray<CircuitBreaker.Circuit> {
    const out: Array<CircuitBreaker.Circuit> = []
    for (const c of this.circuits.values()) {
      const state = c.state === "open" && now >= c.openUntil ? "half-open" : c.state
      const bucket = Math.floor(now / this.bucketMillis)
      const { calls, failures } = c.state === "closed" ? c.totals(bucket) : { calls: 0, failures: 0 }
      out.push({
        key: c.key,
        state,
        failuresInARow: c.inARow,
        calls,
        failures,
        retryAfter: Duration.millis(state === "open" ? c.openUntil - now : 0)
      })
    }
    return out
  }

  private logged(t: Transition | undefined): Effect.Effect<void> {
    if (t === undefined) return Effect.void
    transitionsTotal.unsafeUpdate(1, [...this.labels, MetricLabel.make("state", t.to)])
    // counted from the circuits themselves (transitions are rare): nothing to keep in step
    let notClosed = 0
    for (const c of this.circuits.values()) if (c.state !== "closed") notClosed++
    openCircuits.unsafeUpdate(notClosed, this.labels)
    const log = t.to === "open"
      ? Effect.logWarning(`steady: circuit breaker ${this.name} opened`)
      : Effect.logInfo(`steady: circuit breaker ${this.name} is ${t.to}`)
    return Effect.annotateLogs(log, {
      breaker: this.name,
      key: t.key,
      reason: t.reason,
      ...(t.openMillis !== undefined ? { openMillis: t.openMillis } : {})
    }).pipe(Effect.zipRight(trace.event("steady.circuit_breaker.state_change", {
      "steady.circuit_breaker": this.name,
      "steady.circuit_breaker.state": t.to,
      "steady.circuit_breaker.reason": t.reason
    })))
  }

  readonly wrap = (next: Policy.Handler, client: Policy.ClientInfo): Policy.Handler => {
    const keyOf = key.resolver(this.options.key, client)
    const failure = this.options.isFailure
    return (request) =>
      Effect.suspend(() => {
        const k = keyOf(request)
        const admission = this.admit(k, request.clock.unsafeCurrentTimeMillis())
        if (admission._tag === "Refuse") {
          rejectionsTotal.unsafeUpdate(1, this.labels)
          const error = new ApiError.CircuitOpenError({
            request: policyInternal.requestInfo(request),
            attempts: 1,
            breaker: this.name,
            key: k,
            state: admission.state,
            retryAfter: Duration.millis(admission.retryAfterMillis)
          })
          return this.logged(admission.transition).pipe(
            Effect.zipRight(trace.event("steady.circuit_breaker.rejected", {
              "steady.circuit_breaker": this.name,
              "steady.circuit_breaker.state": admission.state,
              "steady.retry_after_ms": admission.retryAfterMillis
            })),
            Effect.zipRight(Effect.fail(error))
          )
        }
        const probe = admission.probe
        const run = Effect.onExit(next(request), (exit) =>
          Effect.suspend(() => {
            let failed: boolean | undefined
            if (Exit.isSuccess(exit)) failed = false
            else {
              const error = Cause.failureOption(exit.cause)
              failed = error._tag === "Some" && !Cause.isInterrupted(exit.cause) ? failure(error.value) : undefined
            }
            return this.logged(this.record(k, probe, failed, request.clock.unsafeCurrentTimeMillis()))
          }))
        return admission.transition === undefined ? run : Effect.zipRight(this.logged(admission.transition), run)
      })
  }

  toJSON() {
    return { _id: "CircuitBreaker", name: this.name }
  }
}

let anonymous = 0

/** @internal */
export const unsafeMake = (options: CircuitBreaker.Options = {}): CircuitBreaker.CircuitBreaker => {
  const o = "CircuitBreaker"
  const window = retry.duration(`${o}: window`, options.window ?? defaults.window, true)
  const openDuration = retry.duration(`${o}: openDuration`, options.openDuration ?? defaults.openDuration, true)
  const maxOpenDuration = retry.duration(
    `${o}: maxOpenDuration`,
    options.maxOpenDuration ?? Duration.max(defaults.maxOpenDuration, openDuration),
    true
  )
  if (Duration.lessThan(maxOpenDuration, openDuration)) {
    throw new RangeError(`${o}: maxOpenDuration must not be shorter than openDuration`)
  }
  if (options.isFailure !== undefined && typeof options.isFailure !== "function") {
    throw new TypeError(`${o}: isFailure must be a function of the error`)
  }
  return new Breaker({
    name: options.name ?? `breaker-${++anonymous}`,
    key: key.check(o, options.key),
    consecutiveFailures: retry.number(
      `${o}: consecutiveFailures`,
      options.consecutiveFailures,
      defaults.consecutiveFailures,
      {
        min: 1,
        whole: true
      }
    ),
    failureRatio: retry.number(`${o}: failureRatio`, options.failureRatio, defaults.failureRatio, {
      min: 0,
      max: 1,
      above: true
    }),
    window,
    minimumThroughput: retry.number(`${o}: minimumThroughput`, options.minimumThroughput, defaults.minimumThroughput, {
      min: 1,
      whole: true
    }),
    openDuration,
    maxOpenDuration,
    halfOpenProbes: retry.number(`${o}: halfOpenProbes`, options.halfOpenProbes, defaults.halfOpenProbes, {
      min: 1,
      whole: true
    }),
    isFailure: options.isFailure ?? isFailure
  })
}

/** @internal */
export const isCircuitBreaker = (u: unknown): u is CircuitBreaker.CircuitBreaker =>
  typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const circuits = (
  breaker: CircuitBreaker.CircuitBreaker
): Effect.Effect<ReadonlyArray<CircuitBreaker.Circuit>> =>
  Effect.clockWith((clock) => Effect.sync(() => (breaker as Breaker).snapshot(clock.unsafeCurrentTimeMillis())))

/** @internal */
export const tag = Context.GenericTag<CircuitBreaker.CircuitBreaker>("@steady/client/CircuitBreaker")
