/**
 * A circuit breaker whose circuits are shared by every process of a fleet, through Redis, on
 * Effect 4's own breaker: `CircuitBreaker.fromEffect` of `@steady/client` (steady's failures,
 * steady's typed `CircuitOpenError`) over Effect's `CircuitBreaker` (effect/persistence) on its
 * Redis `CircuitBreakerStore` (`layerStoreRedis`: each circuit one hash, updated by one atomic
 * script, on Redis's own clock).
 *
 * - Every attempt asks Redis (`admit`, then `record` its outcome): a circuit one process opens
 *   is open in every other process at its next attempt after the opening reached Redis, with no
 *   sync in between.
 * - **One probe for the fleet**: when the open period is over, the first attempt of any process
 *   takes the probe lease in Redis (`probeLease`, 10 s, renewed while the probe runs); every
 *   other attempt of the fleet is refused (`CircuitOpenError`, state `half-open`) until the
 *   probe's outcome closes or reopens the circuit.
 * - When Redis is down, slow (past the connection's `commandTimeout`) or unreachable, each
 *   process is its own breaker (Effect's memory store, with the same policy) until Redis
 *   answers again: no call fails because of Redis, and the fallbacks are logged once a minute
 *   and counted in `steady_redis_fallbacks_total`.
 *
 * @example
 * ```ts
 * import { ApiClient, ConnectionPool } from "@steady/client"
 * import { Redis, RedisCircuitBreaker } from "@steady/redis"
 * import { Effect, Layer } from "effect"
 * import { CircuitBreaker } from "effect/persistence"
 *
 * const Breaker = RedisCircuitBreaker.layer({ name: "payments", tripPolicy: CircuitBreaker.consecutive(5) }).pipe(
 *   Layer.provide(Redis.layerConfig()) // STEADY_REDIS_URL
 * )
 *
 * const program = Effect.gen(function*() {
 *   const breaker = yield* RedisCircuitBreaker.RedisCircuitBreaker
 *   const client = yield* ApiClient.make({ baseUrl: "https://pay.example", policies: [breaker] })
 *   return yield* client.get("/health")
 * }).pipe(Effect.provide(Layer.merge(Breaker, ConnectionPool.layer())))
 * ```
 *
 * @since 0.3.0
 */
import type * as ApiError from "@steady/client/ApiError"
import * as CircuitBreaker from "@steady/client/CircuitBreaker"
import type * as Policy from "@steady/client/Policy"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as EffectCircuitBreaker from "effect/persistence/CircuitBreaker"
import * as EffectRedis from "effect/persistence/Redis"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Fallback } from "./internal/fallback.js"
import * as names from "./internal/names.js"
import { Redis } from "./Redis.js"

/**
 * @since 0.3.0
 * @category models
 */
export interface StoreOptions {
  /** The breaker's name: with the connection's prefix, the namespace of its keys. Required. */
  readonly name: string
  /**
   * How long a probe lease lasts without a renewal (it is renewed every third of it while the
   * probe runs): a process that dies while probing holds the circuit half-open this long.
   * Default `10 seconds`.
   */
  readonly probeLease?: Duration.Input | undefined
  /** A circuit nobody used for this long is forgotten (it starts closed again). Default `1 hour`. */
  readonly idleTimeToLive?: Duration.Input | undefined
  /** How long to stay local after Redis failed before asking it again. Default `1 second`. */
  readonly retryAfter?: Duration.Input | undefined
}

/**
 * @since 0.3.0
 * @category models
 */
export interface Options extends StoreOptions {
  /** When a closed circuit opens: Effect's trip policy. Default `CircuitBreaker.consecutive(5)` (effect/persistence). */
  readonly tripPolicy?: EffectCircuitBreaker.TripPolicy | undefined
  /**
   * How long a circuit stays open: a duration (the same each time) or a schedule (its n-th
   * delay for the n-th opening in a row). Default: 5 seconds, doubling with each reopen up to
   * `maxOpenDuration`.
   */
  readonly openDuration?: Duration.Input | Schedule.Schedule<unknown, number> | undefined
  /** Caps the default doubling, and how long a 503's `Retry-After` may hold a circuit open. Default `60 seconds`. */
  readonly maxOpenDuration?: Duration.Input | undefined
  /** One circuit per origin (the default here: the same in every process), per client, or a function of the request. */
  readonly key?: "client" | "origin" | ((request: Policy.Request) => string) | undefined
  /** Which failures count against the circuit. Default: 5xx, timeouts, connection errors (`CircuitBreaker.isFailure`). */
  readonly isFailure?: ((error: ApiError.ApiError) => boolean) | undefined
}

/**
 * The breaker `layer` provides: a per-attempt policy for `ApiClient.make({ policies })`.
 *
 * @since 0.3.0
 * @category tags
 */
export class RedisCircuitBreaker extends Context.Service<RedisCircuitBreaker, Policy.Policy>()(
  "@steady/redis/RedisCircuitBreaker"
) {}

type StoreService = EffectCircuitBreaker.CircuitBreakerStore["Service"]

const isRejection = (error: EffectCircuitBreaker.CircuitBreakerError) =>
  error.reason._tag === "CircuitOpen" || error.reason._tag === "CircuitHalfOpen"

/**
 * Effect's Redis store, with a local one (Effect's memory store) answering while Redis is down.
 * An admission of the local store carries a negative generation, so that its outcome is
 * recorded where it was admitted.
 */
const withFallback = (remote: StoreService, local: StoreService, fallback: Fallback): StoreService => {
  const toLocal = (generation: number) => -generation - 1
  return {
    admit: (key) =>
      Effect.suspend(() =>
        fallback.run(
          Date.now(),
          // a refusal is the fleet's answer, not a failure of Redis
          Effect.catchIf(
            Effect.map(remote.admit(key), (admission) => ({ admission })),
            isRejection,
            (rejection) => Effect.succeed({ rejection })
          ),
          Effect.catch(
            Effect.map(
              local.admit(key),
              (admission) => ({ admission: { ...admission, generation: toLocal(admission.generation) } })
            ),
            (rejection) => Effect.succeed({ rejection })
          )
        )
      ).pipe(Effect.flatMap((answer) =>
        "rejection" in answer ? Effect.fail(answer.rejection) : Effect.succeed(answer.admission)
      )),
    record: (options) =>
      options.generation < 0
        ? local.record({ ...options, generation: toLocal(options.generation) })
        : Effect.suspend(() => fallback.run(Date.now(), remote.record(options), Effect.succeed(undefined))),
    state: (key) => Effect.suspend(() => fallback.run(Date.now(), remote.state(key), Effect.orDie(local.state(key))))
  }
}

/**
 * Effect's Redis `CircuitBreakerStore` on this connection, under `<prefix>:circuit-breaker:<name>:`
 * (one hash per circuit), behind steady's fallback: while Redis is down, slow or unreachable,
 * Effect's memory store answers (this process is its own breaker), with a warning once a minute
 * and `steady_redis_fallbacks_total` counted. Any `CircuitBreaker.make` of effect/persistence
 * runs on it.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerStore = (
  options: StoreOptions
): Layer.Layer<EffectCircuitBreaker.CircuitBreakerStore, never, Redis> =>
  Layer.effect(EffectCircuitBreaker.CircuitBreakerStore, makeStore(options))

const makeStore = (options: StoreOptions): Effect.Effect<StoreService, never, Redis | Scope.Scope> =>
  Effect.gen(function*() {
    const redis = yield* Redis
    const name = names.check("RedisCircuitBreaker", options.name)
    const retryAfter = names.positive("RedisCircuitBreaker", "retryAfter", options.retryAfter, 1_000)
    const remote = yield* Layer.build(
      EffectCircuitBreaker.layerStoreRedis({
        prefix: `${redis.prefix}:circuit-breaker:${name}:`,
        probeLease: options.probeLease,
        idleTimeToLive: options.idleTimeToLive
      }).pipe(Layer.provide(Layer.succeed(EffectRedis.Redis, redis.redis)))
    )
    const local = yield* Layer.build(EffectCircuitBreaker.layerStoreMemory({ idleTimeToLive: options.idleTimeToLive }))
    const fallback = new Fallback(`circuit breaker ${name}`, redis.shownUrl, retryAfter)
    return withFallback(
      Context.get(remote, EffectCircuitBreaker.CircuitBreakerStore),
      Context.get(local, EffectCircuitBreaker.CircuitBreakerStore),
      fallback
    )
  })

/**
 * A circuit breaker for the fleet, as a per-attempt policy: Effect's `CircuitBreaker` on
 * `layerStore`, through `CircuitBreaker.fromEffect`, with `key` defaulting to `"origin"` (one
 * circuit per API origin, the same in every process). Options out of range are defects.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Policy.Policy, never, Redis | Scope.Scope> =>
  Effect.gen(function*() {
    const store = yield* makeStore(options)
    const maxOpen = names.positive("RedisCircuitBreaker", "maxOpenDuration", options.maxOpenDuration, 60_000)
    const breaker = yield* EffectCircuitBreaker.make({
      tripPolicy: options.tripPolicy ?? EffectCircuitBreaker.consecutive(5),
      openDuration: options.openDuration ?? Schedule.min([Schedule.exponential("5 seconds"), Schedule.spaced(maxOpen)]),
      maxOpenDuration: maxOpen
    }).pipe(Effect.provideService(EffectCircuitBreaker.CircuitBreakerStore, store))
    return CircuitBreaker.fromEffect(breaker, {
      name: options.name,
      key: options.key ?? "origin",
      isFailure: options.isFailure
    })
  })

/**
 * Provides the fleet's breaker under the `RedisCircuitBreaker` tag.
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<RedisCircuitBreaker, never, Redis> =>
  Layer.effect(RedisCircuitBreaker, make(options))
