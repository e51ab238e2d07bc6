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
import * as classify from "@steady/core/Classification"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as ApiError from "../ApiError.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type * as Policy from "../Policy.js"
import * as metrics from "./metrics.js"
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

/** The circuits map is swept of idle circuits once it holds this many (or twice what the last sweep left). */
const SWEEP_FLOOR = 1024

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

  /** The open period is over: probes may go. */
  halfOpen(): Transition {
    this.state = "half-open"
    this.probes = 0
    this.probeSuccesses = 0
    return { key: this.key, to: "half-open", reason: "open period over" }
  }

  close(reason: string): Transition {
    this.state = "closed"
    this.opens = 0
    this.reset()
    return { key: this.key, to: "closed", reason }
  }
}

/**
 * What `admit` decided: let it through (as a probe or not), refuse it, or (with a store, when
 * an open period is over) ask the store whether this process may probe.
 */
type Admission =
  | { readonly _tag: "Pass"; readonly probe: boolean; readonly transition: Transition | undefined }
  | {
    readonly _tag: "Refuse"
    readonly state: "open" | "half-open"
    readonly retryAfterMillis: number
    readonly transition: Transition | undefined
  }
  | { readonly _tag: "Ask"; readonly store: CircuitBreaker.Store; readonly transition: Transition | undefined }

type Decided = Exclude<Admission, { readonly _tag: "Ask" }>

const pass: Decided = { _tag: "Pass", probe: false, transition: undefined }

class Breaker implements CircuitBreaker.CircuitBreaker {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly [policyInternal.TypeId]: typeof policyInternal.TypeId = policyInternal.TypeId
  readonly stage = "attempt" as const
  readonly name: string
  private readonly circuits = new Map<string, Circuit>()
  private readonly labels: metrics.Labels
  private readonly bucketMillis: number
  private sweepAt = SWEEP_FLOOR
  constructor(readonly options: CircuitBreaker.Settings) {
    this.name = options.name
    this.labels = { breaker: options.name }
    this.bucketMillis = Duration.toMillis(options.window) / BUCKETS
  }

  private circuit(k: string, now: number): Circuit {
    let c = this.circuits.get(k)
    if (c === undefined) {
      if (this.circuits.size + 1 >= this.sweepAt) this.sweep(now)
      c = new Circuit(k)
      this.circuits.set(k, c)
    }
    return c
  }

  /**
   * Drops the circuits that are as good as new (closed, no failure in a row, nothing in the
   * window), once the map has doubled since the last sweep: a key function of the request may
   * make one circuit per path, and the map must not keep every one ever seen.
   */
  private sweep(now: number) {
    const bucket = Math.floor(now / this.bucketMillis)
    for (const [k, c] of this.circuits) {
      if (c.state === "closed" && c.inARow === 0 && c.totals(bucket).calls === 0) this.circuits.delete(k)
    }
    this.sweepAt = Math.max(SWEEP_FLOOR, this.circuits.size * 2)
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

  /** Takes the fleet's view of a circuit: one it has open is open here too. */
  private adopt(c: Circuit, shared: CircuitBreaker.SharedCircuit, now: number, reason: string): Transition | undefined {
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

  admit(k: string, now: number): Admission {
    let c = this.circuits.get(k)
    let transition: Transition | undefined
    const store = this.options.store
    if (store !== undefined) {
      const shared = store.view(k, this.options)
      if (shared !== undefined) {
        c ??= this.circuit(k, now)
        transition = this.adopt(c, shared, now, "opened by another process")
      }
    }
    if (c === undefined || c.state === "closed") return pass
    if (c.state === "open") {
      if (now < c.openUntil) {
        return { _tag: "Refuse", state: "open", retryAfterMillis: c.openUntil - now, transition }
      }
      if (store !== undefined) return { _tag: "Ask", store, transition }
      transition = c.halfOpen()
    }
    return this.probe(c, transition)
  }

  private probe(c: Circuit, transition: Transition | undefined): Decided {
    if (c.probes >= this.options.halfOpenProbes) {
      return { _tag: "Refuse", state: "half-open", retryAfterMillis: 0, transition }
    }
    c.probes++
    return { _tag: "Pass", probe: true, transition }
  }

  /** What the store said to a process that asked to probe `k`. */
  decide(k: string, verdict: CircuitBreaker.ProbeVerdict, now: number): Decided {
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

  /** Records how an attempt ended; `undefined` (interrupted, a defect) is no verdict. */
  record(k: string, probe: boolean, failed: boolean | undefined, now: number): Transition | undefined {
    const store = this.options.store
    let c = this.circuits.get(k)
    if (store !== undefined && !probe && failed !== undefined && (c === undefined || c.state === "closed")) {
      store.record(k, failed, this.options)
    }
    if (c === undefined && failed === true) c = this.circuit(k, now)
    if (c === undefined) return undefined
    if (probe) {
      if (c.state !== "half-open") return undefined
      c.probes--
      if (failed === undefined) return undefined
      if (failed) return this.open(c, now, "a probe failed")
      if (++c.probeSuccesses < this.options.halfOpenProbes) return undefined
      return c.close(`${this.options.halfOpenProbes} probe(s) succeeded`)
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
    metrics.update(transitionsTotal, 1, { ...this.labels, state: t.to })
    // counted from the circuits themselves (transitions are rare): nothing to keep in step
    let notClosed = 0
    for (const c of this.circuits.values()) if (c.state !== "closed") notClosed++
    metrics.update(openCircuits, notClosed, this.labels)
    const log = t.to === "open"
      ? Effect.logWarning(`steady: circuit breaker ${this.name} opened`)
      : Effect.logInfo(`steady: circuit breaker ${this.name} is ${t.to}`)
    return Effect.annotateLogs(log, {
      breaker: this.name,
      key: t.key,
      reason: t.reason,
      ...(t.openMillis !== undefined ? { openMillis: t.openMillis } : {})
    }).pipe(Effect.andThen(trace.event("steady.circuit_breaker.state_change", {
      "steady.circuit_breaker": this.name,
      "steady.circuit_breaker.state": t.to,
      "steady.circuit_breaker.reason": t.reason
    })))
  }

  /** After a local change of state, tells the store; adopts its answer (the fleet's state). */
  private share(
    store: CircuitBreaker.Store,
    k: string,
    probe: boolean,
    failed: boolean | undefined,
    t: Transition | undefined,
    now: number
  ): Effect.Effect<void> | undefined {
    const c = this.circuits.get(k)
    if (c === undefined) return undefined
    if (t?.to === "open") {
      return Effect.map(store.open(k, { openUntil: c.openUntil, opens: c.opens }, this.options), (fleet) => {
        if (c.state === "open") {
          c.openUntil = fleet.openUntil
          c.opens = fleet.opens
        }
      })
    }
    if (t?.to === "closed") {
      return Effect.flatMap(
        store.close(k, this.options),
        (fleet) =>
          fleet === undefined ? Effect.void : this.logged(this.adopt(c, fleet, now, "opened again by another process"))
      )
    }
    if (probe && failed === undefined) {
      // the lease goes back to the fleet: the next attempt here asks for it again
      if (c.state === "half-open" && c.probes === 0) {
        c.state = "open"
        c.openUntil = now
      }
      return store.release(k, this.options)
    }
    return undefined
  }

  private run(
    admission: Decided,
    k: string,
    request: Policy.Request,
    next: Policy.Handler
  ): Effect.Effect<Policy.Response, ApiError.ApiError> {
    if (admission._tag === "Refuse") {
      metrics.update(rejectionsTotal, 1, this.labels)
      const error = new ApiError.CircuitOpenError({
        request: policyInternal.requestInfo(request),
        attempts: 1,
        breaker: this.name,
        key: k,
        state: admission.state,
        retryAfter: Duration.millis(admission.retryAfterMillis)
      })
      return this.logged(admission.transition).pipe(
        Effect.andThen(trace.event("steady.circuit_breaker.rejected", {
          "steady.circuit_breaker": this.name,
          "steady.circuit_breaker.state": admission.state,
          "steady.retry_after_ms": admission.retryAfterMillis
        })),
        Effect.andThen(Effect.fail(error))
      )
    }
    const probe = admission.probe
    const failure = this.options.isFailure
    const store = this.options.store
    const run = Effect.onExit(next(request), (exit) =>
      Effect.suspend(() => {
        let failed: boolean | undefined
        if (Exit.isSuccess(exit)) failed = false
        else {
          const error = Cause.findErrorOption(exit.cause)
          failed = error._tag === "Some" && !Cause.hasInterrupts(exit.cause) ? failure(error.value) : undefined
        }
        const now = request.clock.currentTimeMillisUnsafe()
        const t = this.record(k, probe, failed, now)
        const shared = store === undefined ? undefined : this.share(store, k, probe, failed, t, now)
        return shared === undefined ? this.logged(t) : Effect.andThen(this.logged(t), shared)
      }))
    return admission.transition === undefined ? run : Effect.andThen(this.logged(admission.transition), run)
  }

  readonly wrap = (next: Policy.Handler, client: Policy.ClientInfo): Policy.Handler => {
    const keyOf = key.resolver(this.options.key, client)
    return (request) =>
      Effect.suspend(() => {
        const k = keyOf(request)
        const admission = this.admit(k, request.clock.currentTimeMillisUnsafe())
        if (admission._tag !== "Ask") return this.run(admission, k, request, next)
        // the open period is over and the circuit is shared: one process of the fleet probes
        const asked = Effect.flatMap(
          admission.store.probe(k, this.options),
          (verdict) =>
            Effect.suspend(() =>
              this.run(this.decide(k, verdict, request.clock.currentTimeMillisUnsafe()), k, request, next)
            )
        )
        return admission.transition === undefined ? asked : Effect.andThen(this.logged(admission.transition), asked)
      })
  }

  toJSON() {
    return { _id: "CircuitBreaker", name: this.name }
  }
}

let anonymous = 0

const storeMethods = ["view", "record", "open", "probe", "close", "release"] as const

const checkStore = (store: CircuitBreaker.Store | undefined): CircuitBreaker.Store | undefined => {
  if (store === undefined) return undefined
  for (const m of storeMethods) {
    if (typeof store?.[m] !== "function") {
      throw new TypeError(`CircuitBreaker: store must have the methods ${storeMethods.join(", ")} (${m} is missing)`)
    }
  }
  return store
}

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
  if (Duration.isLessThan(maxOpenDuration, openDuration)) {
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
    isFailure: options.isFailure ?? isFailure,
    store: checkStore(options.store)
  })
}

/** @internal */
export const isCircuitBreaker = (u: unknown): u is CircuitBreaker.CircuitBreaker =>
  typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const circuits = (
  breaker: CircuitBreaker.CircuitBreaker
): Effect.Effect<ReadonlyArray<CircuitBreaker.Circuit>> =>
  Effect.clockWith((clock) => Effect.sync(() => (breaker as Breaker).snapshot(clock.currentTimeMillisUnsafe())))

/** @internal */
export const tag = Context.Service<CircuitBreaker.CircuitBreaker>("@steady/client/CircuitBreaker")
