/**
 * A circuit breaker whose circuits are shared by every process of a fleet, through Redis. The
 * first process to see an upstream fail opens the circuit for all of them; when the open period
 * is over, one process at a time probes it (a lease in Redis), and its success closes the
 * circuit everywhere.
 *
 * Each process keeps its own breaker in memory, as without Redis, and consults the shared
 * state without a round-trip on the hot path:
 * - every `syncInterval` (default 100 ms), one pipelined round-trip sends the outcomes this
 *   process counted and reads back the state of each circuit it uses; the fleet's window
 *   opens a circuit when the fleet's failure ratio trips, even if no process alone saw
 *   `minimumThroughput` attempts;
 * - opening, probing and closing go to Redis when they happen (rare, one script each).
 *
 * **The bound:** a circuit opened by one process is open in every other process within one
 * `syncInterval` plus a round-trip of the opening (a process learns it at its first sync
 * that starts after the opening reached Redis). A process's own failures in a row
 * (`consecutiveFailures`) still open its circuit at once.
 *
 * When Redis is down, slow (past the connection's `commandTimeout`) or unreachable, each
 * process is its own breaker until Redis answers again: no call fails because of Redis, and the
 * fallbacks are logged once a minute and counted in `steady_redis_fallbacks_total`.
 *
 * @example
 * ```ts
 * import { ApiClient, CircuitBreaker, ConnectionPool } from "@steady/client-effect3"
 * import { Redis, RedisCircuitBreaker } from "@steady/redis-effect3"
 * import { Effect, Layer } from "effect"
 *
 * const Breaker = RedisCircuitBreaker.layer({ name: "payments", consecutiveFailures: 5 }).pipe(
 *   Layer.provide(Redis.layerConfig()) // STEADY_REDIS_URL
 * )
 *
 * const program = Effect.gen(function*() {
 *   const breaker = yield* CircuitBreaker.CircuitBreaker
 *   const client = yield* ApiClient.make({ baseUrl: "https://pay.example", policies: [breaker] })
 *   return yield* client.get("/health")
 * }).pipe(Effect.provide(Layer.merge(Breaker, ConnectionPool.layer())))
 * ```
 *
 * @since 0.2.0
 */
import * as CircuitBreaker from "@steady/client-effect3/CircuitBreaker"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Crypto from "node:crypto"
import { Fallback } from "./internal/fallback.js"
import * as names from "./internal/names.js"
import * as scripts from "./internal/scripts.js"
import { Redis } from "./Redis.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface StoreOptions {
  /** The breaker's name: with the connection's prefix, the namespace of its keys. Required. */
  readonly name: string
  /**
   * How often this process sends its counts and reads the fleet's circuits: the bound on how
   * late it learns that another process opened one (plus a round-trip). Default `100 millis`.
   */
  readonly syncInterval?: Duration.DurationInput | undefined
  /**
   * How long a probe lease lasts: a process that dies while probing holds the circuit
   * half-open this long. Make it longer than an attempt's timeout. Default `10 seconds`.
   */
  readonly probeLease?: Duration.DurationInput | undefined
  /** How long to stay local after Redis failed before asking it again. Default `1 second`. */
  readonly retryAfter?: Duration.DurationInput | undefined
}

/**
 * The shared store, with what it has done so far (for health checks and tests).
 *
 * @since 0.2.0
 * @category models
 */
export interface Store extends CircuitBreaker.Store {
  /** Syncs with Redis that completed since the store was made. */
  readonly syncs: number
}

type Reply = [number, number?, number?]

type Client = Redis["client"] & {
  steadyBreakerSync(key: string, ...args: Array<number>): Promise<Reply>
  steadyBreakerOpen(key: string, probe: string, ...args: Array<number>): Promise<Reply>
  steadyBreakerProbe(key: string, probe: string, token: string, lease: number, busy: number): Promise<Reply>
  steadyBreakerClose(key: string, probe: string): Promise<Reply>
  steadyBreakerRelease(probe: string, token: string): Promise<number>
}

const withScripts = (client: Redis["client"]): Client =>
  scripts.define<Client>(client, {
    steadyBreakerSync: { keys: 1, lua: scripts.breakerSync },
    steadyBreakerOpen: { keys: 2, lua: scripts.breakerOpen },
    steadyBreakerProbe: { keys: 2, lua: scripts.breakerProbe },
    steadyBreakerClose: { keys: 2, lua: scripts.breakerClose },
    steadyBreakerRelease: { keys: 1, lua: scripts.breakerRelease }
  })

interface Entry {
  /** Outcomes counted since the last sync. */
  good: number
  bad: number
  /** The fleet's circuit as last read; `undefined`: closed, or not known (Redis down). */
  view: CircuitBreaker.SharedCircuit | undefined
  /** Syncs since the breaker last looked at this circuit: idle ones are dropped. */
  idle: number
  settings: CircuitBreaker.Settings
}

/** A circuit nobody here looked at for this many syncs (a minute at the default) is forgotten. */
const IDLE_SYNCS = 600

/** The ttl of a circuit's key: past its longest open period and its window, it is garbage. */
const ttl = (s: CircuitBreaker.Settings) =>
  Math.ceil(2 * Duration.toMillis(s.maxOpenDuration) + Duration.toMillis(s.window) + 60_000)

/**
 * The store, for `CircuitBreaker.make({ …, store })`. It syncs in the background while its
 * scope is open. Keys are `<prefix>:circuit-breaker:<name>:<key>`; use the breaker's
 * `key: "origin"` (or your own key): the default per-client key names a client of one process,
 * not of the fleet.
 *
 * @since 0.2.0
 * @category constructors
 */
export const store = (options: StoreOptions): Effect.Effect<Store, never, Redis | Scope.Scope> =>
  Effect.gen(function*() {
    const redis = yield* Redis
    const name = names.check("RedisCircuitBreaker", options.name)
    const interval = names.positive("RedisCircuitBreaker", "syncInterval", options.syncInterval, 100)
    const lease = names.positive("RedisCircuitBreaker", "probeLease", options.probeLease, 10_000)
    const client = withScripts(redis.client)
    const fallback = new Fallback(
      `circuit breaker ${name}`,
      redis.shownUrl,
      Duration.toMillis(options.retryAfter ?? Duration.seconds(1))
    )
    const namespace = `${redis.prefix}:circuit-breaker:${name}:`
    const token = `${process.pid}:${Crypto.randomUUID()}`
    const entries = new Map<string, Entry>()
    let syncs = 0

    const entry = (key: string, settings: CircuitBreaker.Settings): Entry => {
      let e = entries.get(key)
      if (e === undefined) {
        e = { good: 0, bad: 0, view: undefined, idle: 0, settings }
        entries.set(key, e)
      }
      return e
    }

    /** A reply of the scripts as the fleet's circuit, on this process's clock. */
    const circuit = (reply: Reply, now: number): CircuitBreaker.SharedCircuit | undefined =>
      reply[0] === 0 ? undefined : { openUntil: now + reply[1]!, opens: reply[2]! }

    const shared = <A>(
      key: string,
      settings: CircuitBreaker.Settings,
      ask: (k: string) => Promise<Reply>,
      answer: (reply: Reply, now: number, e: Entry) => A,
      local: A
    ): Effect.Effect<A> => {
      return fallback.promise(
        Date.now(),
        () => ask(namespace + key).then((reply) => answer(reply, Date.now(), entry(key, settings))),
        Effect.succeed(local)
      )
    }

    /** One round-trip for every circuit in use: counts out, states in. */
    const sync = Effect.suspend(() => {
      const now = Date.now()
      if (entries.size === 0 || !fallback.available(now)) return Effect.void
      const batch: Array<[string, Entry, number, number]> = []
      const pipeline = client.pipeline() as unknown as {
        steadyBreakerSync(key: string, ...args: Array<number>): void
        exec(): Promise<Array<[Error | null, unknown]> | null>
      }
      for (const [key, e] of entries) {
        if (e.idle++ > IDLE_SYNCS && e.good + e.bad === 0 && e.view === undefined) {
          entries.delete(key)
          continue
        }
        const s = e.settings
        batch.push([key, e, e.good, e.bad])
        pipeline.steadyBreakerSync(
          namespace + key,
          e.good,
          e.bad,
          Duration.toMillis(s.window) / 10,
          10,
          s.minimumThroughput,
          s.failureRatio,
          Duration.toMillis(s.openDuration),
          Duration.toMillis(s.maxOpenDuration),
          ttl(s)
        )
        e.good = 0
        e.bad = 0
      }
      if (batch.length === 0) return Effect.void
      return fallback.promise(
        now,
        async () => {
          const results = await pipeline.exec()
          const at = Date.now()
          if (results === null) throw new Error("the pipeline was discarded")
          results.forEach(([error, reply], i) => {
            if (error !== null) throw error
            batch[i][1].view = circuit(reply as Reply, at)
          })
          syncs++
        },
        // Redis is down: what this process knew is stale, and its breaker is local until then;
        // the counts of this sync are dropped (they only ever add evidence, never a verdict)
        Effect.sync(() => {
          for (const e of entries.values()) e.view = undefined
        })
      )
    })
    yield* fallback.every(interval, sync)

    const self: Store = {
      get syncs() {
        return syncs
      },
      view: (key, settings) => {
        const e = entry(key, settings)
        e.idle = 0
        return e.view
      },
      record: (key, failed, settings) => {
        const e = entry(key, settings)
        if (failed) e.bad++
        else e.good++
      },
      open: (key, local, settings) =>
        shared(
          key,
          settings,
          (k) =>
            client.steadyBreakerOpen(
              k,
              `${k}:probe`,
              Duration.toMillis(settings.openDuration),
              Duration.toMillis(settings.maxOpenDuration),
              ttl(settings)
            ),
          (reply, now, e) => (e.view = circuit(reply, now) ?? local),
          local
        ),
      probe: (key, settings) =>
        shared(
          key,
          settings,
          (k) => client.steadyBreakerProbe(k, `${k}:probe`, token, lease, interval),
          (reply, now, e): CircuitBreaker.ProbeVerdict => {
            switch (reply[0]) {
              case 0:
                e.view = undefined
                return { _tag: "Closed" }
              case 1:
                return { _tag: "Open", circuit: e.view = circuit(reply, now)! }
              case 2:
                return { _tag: "Probe" }
              default:
                return { _tag: "Busy", retryAfterMillis: Math.max(1, reply[1]!) }
            }
          },
          { _tag: "Probe" }
        ),
      close: (key, settings) =>
        shared(
          key,
          settings,
          (k) => client.steadyBreakerClose(k, `${k}:probe`),
          (reply, now, e) => (e.view = circuit(reply, now)),
          undefined
        ),
      release: (key, settings) =>
        Effect.asVoid(shared(
          key,
          settings,
          (k) => client.steadyBreakerRelease(`${k}:probe`, token).then((): Reply => [0]),
          () => undefined,
          undefined
        ))
    }
    return self
  })

/**
 * A circuit breaker on the fleet-wide store, as a layer: `CircuitBreaker.layer` with `store`
 * set, and `key` defaulting to `"origin"` (one circuit per API origin, the same in every
 * process). The store syncs while the layer is alive.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: Omit<CircuitBreaker.Options, "store" | "name"> & StoreOptions
): Layer.Layer<CircuitBreaker.CircuitBreaker, never, Redis> =>
  Layer.scoped(
    CircuitBreaker.CircuitBreaker,
    Effect.flatMap(
      store(options),
      (shared) => CircuitBreaker.make({ ...options, key: options.key ?? "origin", store: shared })
    )
  )
