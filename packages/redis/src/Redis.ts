/**
 * The Redis connection the fleet-wide stores share: one `redis` (node-redis) client per layer,
 * provided as Effect 4's own `Redis` service (effect/persistence/Redis, which Effect's
 * `RateLimiter.layerStoreRedis` and `CircuitBreaker.layerStoreRedis` run on) and as steady's
 * settings for it (a key prefix, a command timeout, the URL without its credentials). It fails a
 * command fast (a timeout, no offline queue) so that a Redis that is down or slow costs a call
 * nothing but the fallback to local limits. It reconnects in the background; a Redis that is
 * unreachable when the layer starts is the same as one that goes down later.
 *
 * @since 0.3.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as EffectRedis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import { createClient } from "redis"
import * as fallback from "./internal/fallback.js"

/**
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). Required. */
  readonly url: Redacted.Redacted<string>
  /** Prefixes every key, e.g. the application's name. Default `"steady"`. */
  readonly prefix?: string | undefined
  /**
   * The longest a command may take before the store falls back to local limits for it.
   * Default `100 millis`: a limiter on the hot path must not wait for a slow Redis.
   */
  readonly commandTimeout?: Duration.Input | undefined
}

/**
 * steady's side of the connection: Effect's `Redis` service the stores run their commands on,
 * and the settings they share.
 *
 * @since 0.3.0
 * @category models
 */
export interface Redis {
  /** Effect 4's Redis service (commands, cached Lua scripts). */
  readonly redis: EffectRedis.Redis["Service"]
  readonly prefix: string
  readonly commandTimeoutMillis: number
  /** The URL without its credentials, for logs. */
  readonly shownUrl: string
}

/**
 * `steady_redis_fallbacks_total` (attribute `store`): store operations answered by the local
 * policy because Redis was down, slow or unreachable.
 *
 * @since 0.3.0
 * @category metrics
 */
export const fallbacks: Metric.Counter<number> = fallback.fallbacksTotal

/**
 * @since 0.3.0
 * @category tags
 */
export const Redis: Context.Service<Redis, Redis> = Context.Service<Redis>("@steady/redis/Redis")

const shown = (url: string) => {
  try {
    const u = new URL(url)
    if (u.password !== "") u.password = "<redacted>"
    if (u.username !== "") u.username = "<redacted>"
    return u.toString()
  } catch {
    return "<an invalid Redis URL>"
  }
}

/** Commands waiting in the client while Redis is slow: beyond this, a command fails at once (and falls back). */
const QUEUE_MAX = 10_000

/** What the layer uses of a node-redis client (and of its duplicates). */
interface Client {
  readonly isReady: boolean
  sendCommand(args: ReadonlyArray<string>, options: CommandOptions): Promise<unknown>
  destroy(): void
  once(event: "ready", listener: () => void): unknown
  off(event: "ready", listener: () => void): unknown
}

interface CommandOptions {
  readonly timeout: number
  readonly rejectInFlight: boolean
}

const reconnect = (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), 2_000)

/** Closes a client at once, failing what is in flight (a Redis that hangs must not hold the scope). */
const destroy = (client: Client) => {
  try {
    client.destroy()
  } catch {
    // a client whose connection never opened
  }
}

const sendOn =
  (client: Client, timeoutMillis: number) =>
  <A = unknown>(command: string, ...args: ReadonlyArray<string>): Effect.Effect<A, EffectRedis.RedisError> =>
    Effect.tryPromise({
      // the command's own deadline, also once it is sent (a caller interrupted meanwhile stops
      // waiting; the command ends by its deadline all the same)
      try: () => client.sendCommand([command, ...args], { timeout: timeoutMillis, rejectInFlight: true }) as Promise<A>,
      catch: (cause) => new EffectRedis.RedisError({ cause })
    })

/** Resolves once the client is ready, or after `millis`, whichever comes first. */
const readyWithin = (client: Client, millis: number) =>
  new Promise<void>((resolve) => {
    if (client.isReady) return resolve()
    const timer = setTimeout(done, millis)
    function done() {
      clearTimeout(timer)
      client.off("ready", done)
      resolve()
    }
    client.once("ready", done)
  })

const make = (options: Options) =>
  Effect.gen(function*() {
    const commandTimeoutMillis = Duration.toMillis(Duration.fromInputUnsafe(options.commandTimeout ?? 100))
    if (!(commandTimeoutMillis > 0) || !Number.isFinite(commandTimeoutMillis)) {
      throw new RangeError("Redis: commandTimeout must be a positive, finite duration")
    }
    const prefix = options.prefix ?? "steady"
    if (prefix === "" || prefix.includes("{") || prefix.includes("}")) {
      throw new TypeError("Redis: prefix must be non-empty and without braces")
    }
    const url = Redacted.value(options.url)
    const socket = { connectTimeout: 1_000, reconnectStrategy: reconnect }
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const c = createClient({ url, socket, disableOfflineQueue: true, commandsQueueMaxLength: QUEUE_MAX })
        // errors surface on each command; the connection's own ones would crash the process
        c.on("error", () => {})
        // in the background: a Redis that is down at start is one that is down later
        c.connect().catch(() => {})
        return c
      }),
      (c) => Effect.sync(() => destroy(c))
    )
    // a healthy Redis is connected before the first call (bounded: one that is not up within a
    // second is down, and the stores start on their local limits)
    yield* Effect.promise(() => readyWithin(client, 1_000))
    const redis = yield* EffectRedis.make({
      send: sendOn(client, commandTimeoutMillis),
      // a connection of its own (Redis.reserve, for blocking commands): no reconnects, closed with it
      connect: Effect.tryPromise({
        try: async () => {
          const connection = client.duplicate({ socket: { ...socket, reconnectStrategy: false } })
          connection.on("error", () => {})
          try {
            await connection.connect()
          } catch (cause) {
            destroy(connection)
            throw cause
          }
          return connection
        },
        catch: (cause) => new EffectRedis.RedisError({ cause })
      }).pipe(
        Effect.map((connection) => ({
          send: sendOn(connection, commandTimeoutMillis),
          close: Effect.sync(() => destroy(connection))
        }))
      ),
      subscribe: (channel, onMessage) =>
        Effect.gen(function*() {
          const ended = yield* Deferred.make<void, EffectRedis.RedisError>()
          const subscriber = yield* Effect.acquireRelease(
            Effect.sync(() => client.duplicate({ socket })),
            (s) => Effect.sync(() => destroy(s))
          )
          subscriber.on("error", () => {
            if (!subscriber.isOpen) {
              Deferred.doneUnsafe(ended, Effect.fail(new EffectRedis.RedisError({ cause: "closed" })))
            }
          })
          yield* Effect.tryPromise({
            try: async () => {
              await subscriber.connect()
              await subscriber.subscribe(channel, (message, from) => onMessage({ channel: from, message }))
            },
            catch: (cause) => new EffectRedis.RedisError({ cause })
          })
          return Deferred.await(ended)
        })
    })
    const settings: Redis = { redis, prefix, commandTimeoutMillis, shownUrl: shown(url) }
    return Context.make(Redis, settings).pipe(Context.add(EffectRedis.Redis, redis))
  })

/**
 * The connection, opened in the background and closed with the layer's scope. It provides
 * steady's `Redis` (for the stores of this package) and Effect's own `Redis` service (for
 * Effect's persistence modules on the same connection). Options out of range are defects.
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Redis | EffectRedis.Redis> => Layer.effectContext(make(options))

/**
 * The connection configured through `Config`: `<PREFIX>_URL` (required, read as a secret),
 * `<PREFIX>_KEY_PREFIX`, `<PREFIX>_COMMAND_TIMEOUT`. Default prefix `STEADY_REDIS`.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerConfig = (
  prefix = "STEADY_REDIS"
): Layer.Layer<Redis | EffectRedis.Redis, Config.ConfigError> =>
  Layer.unwrap(
    Effect.map(
      Config.all({
        url: Config.Redacted("URL"),
        keyPrefix: Config.option(Config.String("KEY_PREFIX")),
        commandTimeout: Config.option(Config.Duration("COMMAND_TIMEOUT"))
      }).pipe(Config.nested(prefix)),
      ({ commandTimeout, keyPrefix, url }) =>
        layer({ url, prefix: Option.getOrUndefined(keyPrefix), commandTimeout: Option.getOrUndefined(commandTimeout) })
    )
  )
