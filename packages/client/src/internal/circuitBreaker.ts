/**
 * The circuit breaker: the core's state machine (`@steady/core/Breaker`: per key, closed →
 * open → half-open → closed, its triggers, open periods, probes and the store calls a shared
 * circuit needs), with this line's clock, store effects, `CircuitOpenError`, logs, metrics and
 * span events around it.
 *
 * @internal
 */
import * as Machine from "@steady/core/Breaker"
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
 * The default failure test (`@steady/core/Breaker`): 5xx, timeouts and connection errors that
 * may be the upstream's doing. 4xx (the server answered), decode errors and the client's own
 * refusals do not count.
 *
 * @internal
 */
export const isFailure: (error: ApiError.ApiError) => boolean = Machine.isFailure

type Transition = Machine.Transition

type Decided = Machine.Decided

class Breaker implements CircuitBreaker.CircuitBreaker {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly [policyInternal.TypeId]: typeof policyInternal.TypeId = policyInternal.TypeId
  readonly stage = "attempt" as const
  readonly name: string
  /** The state machine (`@steady/core/Breaker`): this class adds the clock, the store's effects and the reports. */
  readonly circuits: Machine.Circuits
  private readonly labels: metrics.Labels
  constructor(readonly options: CircuitBreaker.Settings) {
    this.name = options.name
    this.labels = { breaker: options.name }
    this.circuits = new Machine.Circuits({
      consecutiveFailures: options.consecutiveFailures,
      failureRatio: options.failureRatio,
      windowMillis: Duration.toMillis(options.window),
      windowShown: Duration.format(options.window),
      minimumThroughput: options.minimumThroughput,
      openMillis: Duration.toMillis(options.openDuration),
      maxOpenMillis: Duration.toMillis(options.maxOpenDuration),
      halfOpenProbes: options.halfOpenProbes,
      shared: options.store !== undefined
    })
  }

  admit(k: string, now: number): Machine.Admission {
    const store = this.options.store
    return this.circuits.admit(k, now, store === undefined ? undefined : store.view(k, this.options))
  }

  /** Records how an attempt ended; `undefined` (interrupted, a defect) is no verdict. */
  record(k: string, probe: boolean, failed: boolean | undefined, now: number): Transition | undefined {
    const store = this.options.store
    if (store !== undefined && failed !== undefined && this.circuits.counted(k, probe, failed)) {
      store.record(k, failed, this.options)
    }
    return this.circuits.record(k, probe, failed, now)
  }

  snapshot(now: number): ReadonlyArray<CircuitBreaker.Circuit> {
    return this.circuits.snapshot(now).map(({ retryAfterMillis, ...c }) => ({
      ...c,
      retryAfter: Duration.millis(retryAfterMillis)
    }))
  }

  private logged(t: Transition | undefined): Effect.Effect<void> {
    if (t === undefined) return Effect.void
    metrics.update(transitionsTotal, 1, { ...this.labels, state: t.to })
    // counted from the circuits themselves (transitions are rare): nothing to keep in step
    metrics.update(openCircuits, this.circuits.notClosed(), this.labels)
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
    const call = this.circuits.storeCall(k, probe, failed, t, now)
    switch (call?._tag) {
      case undefined:
        return undefined
      case "Open":
        return Effect.map(
          store.open(k, call.local, this.options),
          (fleet) => this.circuits.opened(call.circuit, fleet)
        )
      case "Close":
        return Effect.flatMap(
          store.close(k, this.options),
          (fleet) =>
            fleet === undefined
              ? Effect.void
              : this.logged(this.circuits.adopt(call.circuit, fleet, now, "opened again by another process"))
        )
      case "Release":
        return store.release(k, this.options)
    }
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
          this.options.store!.probe(k, this.options),
          (verdict) =>
            Effect.suspend(() =>
              this.run(this.circuits.decide(k, verdict, request.clock.currentTimeMillisUnsafe()), k, request, next)
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
