/**
 * A circuit breaker: stops calling an upstream that keeps failing, then probes it back.
 *
 * A breaker is a per-attempt `Policy`: put it in `policies` (or use `Resilience.standard`).
 * It sits inside the retry stage, so each attempt is counted and each attempt may be
 * refused.
 *
 * ```text
 * closed ──(N failures in a row, or failureRatio over window with minimumThroughput)──▶ open
 * open ──(openDuration, doubling on each reopen up to maxOpenDuration)──▶ half-open
 * half-open ──(halfOpenProbes successes)──▶ closed      half-open ──(a probe fails)──▶ open
 * ```
 *
 * Only transient failures count: 5xx, timeouts and connection errors. A 4xx means the
 * server answered, so it counts as a success. While open, attempts fail at once with
 * `CircuitOpenError` (nothing is sent), carrying `retryAfter`, the time until the breaker
 * lets a probe through; the retry stage does not retry it.
 *
 * State is kept per client by default (`key: "client"`), per origin with `key: "origin"`,
 * or per any key you compute. Share one breaker between clients by making it once
 * (`make`, or `layer` and the `CircuitBreaker` tag): with `key: "origin"`, every client
 * that calls an origin sees its circuit. State changes are logged (a warning when a
 * circuit opens, info otherwise) and counted in `steady_circuit_breaker_transitions_total`
 * (labels `breaker`, `state`); refusals in `steady_circuit_breaker_rejections_total`; the
 * circuits open or half-open now in the gauge `steady_circuit_breaker_open_circuits`.
 *
 * @example
 * ```ts
 * import { ApiClient, CircuitBreaker } from "@steady/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const breaker = yield* CircuitBreaker.make({ consecutiveFailures: 5, openDuration: "10 seconds" })
 *   const client = yield* ApiClient.make({ baseUrl: "https://api.example", policies: [breaker] })
 *   return yield* client.get("/pets").pipe(
 *     Effect.catchTag("CircuitOpenError", (e) => Effect.succeed(`down, try in ${e.retryAfter}`))
 *   )
 * })
 * ```
 *
 * @since 0.2.0
 */
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as EffectCircuitBreaker from "effect/persistence/CircuitBreaker"
import type * as ApiError from "./ApiError.js"
import * as internal from "./internal/circuitBreaker.js"
import * as persistence from "./internal/persistence.js"
import type * as Policy from "./Policy.js"

/**
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * @since 0.2.0
 * @category models
 */
export type State = "closed" | "open" | "half-open"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Shown in logs, errors and metric labels. Default: `breaker-<n>`. */
  readonly name?: string | undefined
  /**
   * Which circuit a request uses: `"client"` (default: one per client the breaker is
   * installed on), `"origin"` (one per origin, shared by every client using this breaker),
   * or a function of the request.
   */
  readonly key?: "client" | "origin" | ((request: Policy.Request) => string) | undefined
  /** Opens after this many failed attempts in a row (a whole number ≥ 1). Default: 5. */
  readonly consecutiveFailures?: number | undefined
  /** Opens when this share of the attempts in `window` failed (0 < ratio ≤ 1). Default: 0.5. */
  readonly failureRatio?: number | undefined
  /** The sliding window of the ratio trigger (positive). Default: 10 seconds. */
  readonly window?: Duration.Input | undefined
  /** The ratio trigger needs at least this many attempts in the window (≥ 1). Default: 10. */
  readonly minimumThroughput?: number | undefined
  /** How long it stays open the first time (positive). Default: 5 seconds. */
  readonly openDuration?: Duration.Input | undefined
  /** Each reopen without a close doubles the open period, up to this. Default: 60 seconds. */
  readonly maxOpenDuration?: Duration.Input | undefined
  /** Attempts let through at a time while half-open; as many successes close it. Default: 1. */
  readonly halfOpenProbes?: number | undefined
  /** Which failures count. Default: 5xx, timeouts, connection errors (`isFailure`). */
  readonly isFailure?: ((error: ApiError.ApiError) => boolean) | undefined
  /**
   * Shares the circuits with other processes (e.g. `RedisCircuitBreaker.store` from
   * `@steady/redis`). Default: none, every circuit lives in this process only.
   */
  readonly store?: Store | undefined
}

/**
 * The options with their defaults applied.
 *
 * @since 0.2.0
 * @category models
 */
export interface Settings {
  readonly name: string
  readonly key: "client" | "origin" | ((request: Policy.Request) => string)
  readonly consecutiveFailures: number
  readonly failureRatio: number
  readonly window: Duration.Duration
  readonly minimumThroughput: number
  readonly openDuration: Duration.Duration
  readonly maxOpenDuration: Duration.Duration
  readonly halfOpenProbes: number
  readonly isFailure: (error: ApiError.ApiError) => boolean
  readonly store: Store | undefined
}

/**
 * A circuit that is not closed, as the fleet sees it: open until `openUntil` (epoch ms on the
 * caller's clock; in the past once the open period is over and it waits for a probe), opened
 * `opens` times since it last closed.
 *
 * @since 0.2.0
 * @category models
 */
export interface SharedCircuit {
  readonly openUntil: number
  readonly opens: number
}

/**
 * What a store answers a process that asks to probe a circuit whose open period is over.
 *
 * @since 0.2.0
 * @category models
 */
export type ProbeVerdict =
  /** This process holds the fleet's probe lease: it sends the probes. */
  | { readonly _tag: "Probe" }
  /** Another process probes: refuse, and ask again after `retryAfterMillis`. */
  | { readonly _tag: "Busy"; readonly retryAfterMillis: number }
  /** The fleet has closed the circuit meanwhile. */
  | { readonly _tag: "Closed" }
  /** The fleet has opened it again meanwhile. */
  | { readonly _tag: "Open"; readonly circuit: SharedCircuit }

/**
 * Where a breaker shares its circuits with other processes. The breaker keeps its state
 * machine in memory, as without a store, and consults the store at each step:
 *
 * - on every attempt, `view` (no I/O: the store's local cache, refreshed in the background):
 *   a circuit the fleet has open is open here too;
 * - each outcome of an attempt in a closed circuit goes to `record` (no I/O: the store counts
 *   it into the fleet's window in batches, and opens the circuit when the fleet's ratio trips);
 * - when this process opens a circuit, `open` publishes it and answers the fleet's state;
 * - when an open period is over, `probe`: one process at a time holds the probe lease;
 * - `close` when the probes succeeded, `release` when a probe ended without a verdict.
 *
 * Every method answers without failing: a store whose backend is down answers from what this
 * process knows (`local`), so the breaker works as a local one.
 *
 * @since 0.2.0
 * @category models
 */
export interface Store {
  readonly view: (key: string, settings: Settings) => SharedCircuit | undefined
  readonly record: (key: string, failed: boolean, settings: Settings) => void
  readonly open: (key: string, local: SharedCircuit, settings: Settings) => Effect.Effect<SharedCircuit>
  readonly probe: (key: string, settings: Settings) => Effect.Effect<ProbeVerdict>
  readonly close: (key: string, settings: Settings) => Effect.Effect<SharedCircuit | undefined>
  readonly release: (key: string, settings: Settings) => Effect.Effect<void>
}

/**
 * A circuit breaker. It is a per-attempt `Policy`.
 *
 * @since 0.2.0
 * @category models
 */
export interface CircuitBreaker extends Policy.Policy {
  readonly [TypeId]: TypeId
  readonly stage: "attempt"
  readonly options: Settings
}

/**
 * One circuit as it is now.
 *
 * @since 0.2.0
 * @category models
 */
export interface Circuit {
  readonly key: string
  readonly state: State
  readonly failuresInARow: number
  /** Attempts and failures in the window (closed circuits only). */
  readonly calls: number
  readonly failures: number
  /** Time until an open circuit lets a probe through; zero otherwise. */
  readonly retryAfter: Duration.Duration
}

/**
 * The breaker that `layer` provides, for clients to share.
 *
 * @since 0.2.0
 * @category tags
 */
export const CircuitBreaker: Context.Service<CircuitBreaker, CircuitBreaker> = internal.tag

/**
 * The defaults: 5 failures in a row, or a ratio of 0.5 over 10 seconds with at least 10
 * attempts; open for 5 seconds, doubling up to 60; one probe.
 *
 * @since 0.2.0
 * @category constructors
 */
export const defaults = internal.defaults

/**
 * The default failure test: `ServerError` (5xx), `TimeoutError`, and a `ConnectionError`
 * that may be the upstream's doing (the default allow-list: not a bad URL, a refused origin
 * or a closed pool). It is the breaker's own: a retry policy's `retryOn` does not change it
 * (a 425 you retry is the server answering, not failing); pass `isFailure` to count more.
 *
 * @since 0.2.0
 * @category guards
 */
export const isFailure: (error: ApiError.ApiError) => boolean = internal.isFailure

/**
 * Makes a breaker. Options out of range (a ratio outside (0, 1], a window of 0) are defects
 * whose message names the option.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<CircuitBreaker> =>
  Effect.sync(() => internal.unsafeMake(options))

/**
 * Makes a breaker outside of Effect (throws on bad options).
 *
 * @since 0.2.0
 * @category constructors
 */
export const unsafeMake = (options: Options = {}): CircuitBreaker => internal.unsafeMake(options)

/**
 * Provides one breaker under the `CircuitBreaker` tag.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<CircuitBreaker> =>
  Layer.sync(internal.tag, () => internal.unsafeMake(options))

/**
 * @since 0.2.0
 * @category guards
 */
export const isCircuitBreaker = (u: unknown): u is CircuitBreaker => internal.isCircuitBreaker(u)

/**
 * The breaker's circuits as they are now (on Effect's `Clock`), e.g. for a health endpoint.
 *
 * @since 0.2.0
 * @category getters
 */
export const circuits = (breaker: CircuitBreaker): Effect.Effect<ReadonlyArray<Circuit>> => internal.circuits(breaker)

/**
 * The breaker metrics (process-wide, labelled `breaker`): state changes (also labelled
 * `state`), refusals, and the circuits open or half-open now.
 *
 * @since 0.2.0
 * @category metrics
 */
export const metrics: {
  readonly transitions: Metric.Counter<number>
  readonly rejections: Metric.Counter<number>
  readonly openCircuits: Metric.Gauge<number>
} = {
  transitions: internal.transitionsTotal,
  rejections: internal.rejectionsTotal,
  openCircuits: internal.openCircuits
}

/**
 * Options of `fromEffect`.
 *
 * @since 0.3.0
 * @category models
 */
export interface FromEffectOptions {
  /** The name in `CircuitOpenError` and in the policy's name. Default `"effect-breaker"`. */
  readonly name?: string | undefined
  /** One circuit per client (the default), per origin, or a function of the request. */
  readonly key?: "client" | "origin" | ((request: Policy.Request) => string) | undefined
  /** Which failures count against the circuit. Default: the same as `make`'s (5xx, timeouts, connection errors). */
  readonly isFailure?: ((error: ApiError.ApiError) => boolean) | undefined
}

/**
 * A per-attempt policy on Effect 4's own `CircuitBreaker` (effect/persistence): the circuits
 * are Effect's (its trip policy, its open schedule, its store: memory or Redis), counted with
 * steady's classification (a 404 is the server answering, not failing; a 503's `Retry-After`
 * keeps the circuit open at least that long), and an open circuit is steady's typed
 * `CircuitOpenError`. If Effect's store fails, the attempt goes through (with a warning).
 *
 * @example
 * ```ts
 * import { ApiClient, CircuitBreaker } from "@steady/client"
 * import { Effect } from "effect"
 * import { CircuitBreaker as EffectCircuitBreaker } from "effect/persistence"
 *
 * const client = Effect.gen(function*() {
 *   const breaker = yield* EffectCircuitBreaker.make({
 *     tripPolicy: EffectCircuitBreaker.consecutive(5),
 *     openDuration: "30 seconds"
 *   })
 *   return yield* ApiClient.make({
 *     baseUrl: "https://api.example",
 *     policies: [CircuitBreaker.fromEffect(breaker, { name: "api" })]
 *   })
 * }).pipe(Effect.provide(EffectCircuitBreaker.layerStoreMemory()))
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const fromEffect = (
  breaker: EffectCircuitBreaker.CircuitBreaker,
  options: FromEffectOptions = {}
): Policy.Policy => persistence.fromEffectBreaker(breaker, options)
